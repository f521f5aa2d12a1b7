"""The store contract, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import math

import pytest

from labtrack.entities import LifecycleStage, Metric, Param, RunTag, ViewType
from labtrack.errors import (
    FilterSyntaxError,
    InvalidParameterError,
    InvalidStateError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)


def new_run(store, experiment_id="0", name=None, start_time=1000, tags=()):  # type: ignore[no-untyped-def]
    return store.create_run(experiment_id, "alice", start_time, list(tags), name)


# -- experiments ----------------------------------------------------------------------
def test_default_experiment_has_id_0_and_name_default(store):
    exp = store.get_experiment("0")
    assert (exp.experiment_id, exp.name, exp.lifecycle_stage) == ("0", "Default", "active")
    assert exp.artifact_location.endswith("/0")


def test_create_experiment_with_path_like_name_and_tags(store):
    eid = store.create_experiment("/Demo/MLFlowDemo/", tags=[RunTag("team", "ml")])
    exp = store.get_experiment(eid)
    assert exp.name == "/Demo/MLFlowDemo/"
    assert exp.tags == {"team": "ml"}
    assert exp.artifact_location == f"{store.artifact_root}/{eid}"
    assert store.get_experiment_by_name("/Demo/MLFlowDemo/").experiment_id == eid
    assert store.get_experiment(int(eid)).experiment_id == eid


def test_duplicate_experiment_name_is_refused(store):
    store.create_experiment("dup")
    with pytest.raises(ResourceAlreadyExistsError, match="set_experiment"):
        store.create_experiment("dup")


def test_unknown_experiment_is_not_found(store):
    with pytest.raises(ResourceNotFoundError, match="No experiment with id '424242'"):
        store.get_experiment("424242")
    assert store.get_experiment_by_name("nope") is None


@pytest.mark.parametrize("bad", ["abc", "-1", 1.5, None, True, "\u00b9", "\u0663"])
def test_bad_experiment_ids_are_invalid(store, bad):
    with pytest.raises(InvalidParameterError, match="experiment id"):
        store.get_experiment(bad)


def test_delete_restore_rename_experiment(store):
    eid = store.create_experiment("a")
    store.delete_experiment(eid)
    assert store.get_experiment(eid).lifecycle_stage == LifecycleStage.DELETED
    assert [e.name for e in store.search_experiments()] == ["Default"]
    assert {e.name for e in store.search_experiments(ViewType.ALL)} == {"Default", "a"}
    with pytest.raises(InvalidStateError, match="deleted"):
        new_run(store, eid)
    store.restore_experiment(eid)
    store.rename_experiment(eid, "b")
    assert store.get_experiment(eid).name == "b"
    with pytest.raises(ResourceAlreadyExistsError):
        store.rename_experiment(eid, "Default")


def test_default_experiment_cannot_be_deleted(store):
    with pytest.raises(InvalidParameterError, match="Default"):
        store.delete_experiment("0")


def test_search_experiments_filter_order_and_pages(store):
    for name in ["alpha", "beta", "gamma"]:
        store.create_experiment(name)
    names = [
        e.name
        for e in store.search_experiments(
            filter_string="name LIKE '%a' AND name != 'Default'", order_by=["name ASC"]
        )
    ]
    assert names == ["alpha", "beta", "gamma"]
    page = store.search_experiments(max_results=2, order_by=["name ASC"])
    assert [e.name for e in page] == ["Default", "alpha"] and page.token
    rest = store.search_experiments(max_results=2, order_by=["name ASC"], page_token=page.token)
    assert [e.name for e in rest] == ["beta", "gamma"] and rest.token is None


# -- runs -----------------------------------------------------------------------------
def test_create_run_sets_info_and_name_tag(store):
    run = new_run(store, name="baseline", tags=[RunTag("k", "v")])
    info = run.info
    assert len(info.run_id) == 32 and info.run_uuid == info.run_id
    assert (info.experiment_id, info.run_name, info.user_id, info.status) == (
        "0",
        "baseline",
        "alice",
        "RUNNING",
    )
    assert info.start_time == 1000 and info.end_time is None
    assert info.artifact_uri.endswith(f"/0/{info.run_id}/artifacts")
    assert run.data.tags == {"k": "v", "mlflow.runName": "baseline"}


def test_unnamed_runs_get_a_generated_name(store):
    run = new_run(store)
    assert run.info.run_name and run.data.tags["mlflow.runName"] == run.info.run_name


def test_unknown_and_malformed_run_ids(store):
    with pytest.raises(ResourceNotFoundError, match="No run with id"):
        store.get_run("0" * 32)
    with pytest.raises(InvalidParameterError, match="Invalid run id"):
        store.get_run("../etc")


def test_params_are_immutable_and_same_value_is_a_no_op(store):
    rid = new_run(store).info.run_id
    store.log_param(rid, Param("alpha", "0.5"))
    store.log_param(rid, Param("alpha", "0.5"))
    with pytest.raises(InvalidParameterError, match="cannot change"):
        store.log_param(rid, Param("alpha", "0.7"))
    assert store.get_run(rid).data.params == {"alpha": "0.5"}


def test_metric_history_keeps_every_point_and_special_values(store):
    rid = new_run(store).info.run_id
    points = [
        Metric("m", v, ts, step)
        for step, (v, ts) in enumerate(
            [(1.0, 10), (math.nan, 11), (math.inf, 12), (-math.inf, 13), (0.25, 14)]
        )
    ]
    store.log_batch(rid, metrics=points)
    history = store.get_metric_history(rid, "m")
    values = [h.value for h in history]
    assert values[0] == 1.0 and math.isnan(values[1])
    assert values[2:] == [math.inf, -math.inf, 0.25]
    assert [h.step for h in history] == [0, 1, 2, 3, 4]
    assert [h.timestamp for h in history] == [10, 11, 12, 13, 14]
    assert store.get_run(rid).data.metrics == {"m": 0.25}


def test_latest_metric_is_the_largest_step_not_the_last_logged(store):
    rid = new_run(store).info.run_id
    store.log_batch(rid, metrics=[Metric("m", 5.0, 100, 10)])
    store.log_batch(rid, metrics=[Metric("m", 1.0, 200, 2)])
    assert store.get_run(rid).data.metrics["m"] == 5.0
    summary = store.metric_summaries(rid)["m"]
    assert (summary["min"], summary["max"], summary["count"]) == (1.0, 5.0, 2)


def test_latest_nan_metric_reads_back_as_nan(store):
    rid = new_run(store).info.run_id
    store.log_batch(rid, metrics=[Metric("m", math.nan, 1, 0)])
    assert math.isnan(store.get_run(rid).data.metrics["m"])


def test_rejected_batch_writes_nothing(store):
    rid = new_run(store).info.run_id
    store.log_param(rid, Param("p", "1"))
    with pytest.raises(InvalidParameterError):
        store.log_batch(
            rid,
            metrics=[Metric("good", 1.0, 1, 0)],
            params=[Param("q", "2"), Param("p", "changed")],
            tags=[RunTag("t", "v")],
        )
    data = store.get_run(rid).data
    assert data.metrics == {} and data.params == {"p": "1"} and "t" not in data.tags
    assert store.get_metric_history(rid, "good") == []


def test_invalid_values_in_a_batch_write_nothing(store):
    rid = new_run(store).info.run_id
    with pytest.raises(InvalidParameterError, match="must be numbers"):
        store.log_batch(rid, metrics=[Metric("a", 1.0, 1, 0), Metric("b", "x", 1, 0)])  # type: ignore[arg-type]
    assert store.get_run(rid).data.metrics == {}


def test_batch_limits(store):
    rid = new_run(store).info.run_id
    with pytest.raises(InvalidParameterError, match="at most 1000 metrics"):
        store.log_batch(rid, metrics=[Metric("m", 1.0, 1, i) for i in range(1001)])


def test_finished_run_takes_data_as_in_mlflow(store):
    rid = new_run(store).info.run_id
    info = store.update_run_info(rid, "FINISHED", end_time=5000)
    assert (info.status, info.end_time) == ("FINISHED", 5000)
    store.log_batch(rid, metrics=[Metric("m", 1.0, 1, 0)])
    run = store.get_run(rid)
    assert run.data.metrics == {"m": 1.0} and run.info.status == "FINISHED"


def test_deleted_run_refuses_data_and_is_hidden_until_restored(store):
    rid = new_run(store).info.run_id
    store.delete_run(rid)
    assert store.get_run(rid).info.lifecycle_stage == "deleted"
    with pytest.raises(InvalidStateError, match="deleted"):
        store.set_tag(rid, RunTag("a", "b"))
    assert store.search_runs(["0"]) == []
    assert [
        r.info.run_id for r in store.search_runs(["0"], run_view_type=ViewType.DELETED_ONLY)
    ] == [rid]
    store.restore_run(rid)
    assert [r.info.run_id for r in store.search_runs(["0"])] == [rid]


def test_tags_overwrite_and_delete(store):
    rid = new_run(store).info.run_id
    store.set_tag(rid, RunTag("t", "1"))
    store.set_tag(rid, RunTag("t", "2"))
    assert store.get_run(rid).data.tags["t"] == "2"
    store.delete_tag(rid, "t")
    assert "t" not in store.get_run(rid).data.tags
    with pytest.raises(ResourceNotFoundError, match="no tag 't'"):
        store.delete_tag(rid, "t")


def test_setting_run_name_tag_renames_the_run(store):
    rid = new_run(store, name="a").info.run_id
    store.set_tag(rid, RunTag("mlflow.runName", "b"))
    assert store.get_run(rid).info.run_name == "b"
    store.update_run_info(rid, run_name="c")
    assert store.get_run(rid).data.tags["mlflow.runName"] == "c"


@pytest.mark.parametrize(
    "key",
    ["", "a" * 251, "bad!key", "../x", "/abs", "a//b", "a/./b", "tab\tkey"],
)
def test_invalid_keys_are_refused(store, key):
    rid = new_run(store).info.run_id
    with pytest.raises(InvalidParameterError):
        store.log_batch(rid, params=[Param(key, "v")])


def test_long_values_are_refused_with_the_limit(store):
    rid = new_run(store).info.run_id
    with pytest.raises(InvalidParameterError, match="6000"):
        store.log_param(rid, Param("p", "x" * 6001))
    with pytest.raises(InvalidParameterError, match="8000"):
        store.set_tag(rid, RunTag("t", "x" * 8001))
    store.set_tag(rid, RunTag("t", "x" * 8000))


def test_keys_with_spaces_colons_and_slashes_are_fine(store):
    rid = new_run(store).info.run_id
    store.log_batch(rid, metrics=[Metric("val/loss: top 1", 1.0, 1, 0)])
    assert "val/loss: top 1" in store.get_run(rid).data.metrics


# -- search ---------------------------------------------------------------------------
@pytest.fixture
def populated(store):  # type: ignore[no-untyped-def]
    ids = {}
    for i, (model, rmse) in enumerate([("rf", 0.5), ("rf", 0.9), ("lin", 0.7), ("lin", None)]):
        rid = new_run(store, name=f"run{i}", start_time=1000 + i).info.run_id
        store.log_batch(
            rid,
            metrics=[Metric("rmse", rmse, 1, 0)] if rmse is not None else [],
            params=[Param("model", model), Param("depth", str(i))],
        )
        ids[i] = rid
    return store, ids


def test_search_default_order_is_newest_first(populated):
    store, ids = populated
    assert [r.info.run_id for r in store.search_runs(["0"])] == [ids[3], ids[2], ids[1], ids[0]]


def test_search_filter_and_order_missing_last(populated):
    store, ids = populated
    found = store.search_runs(
        ["0"], "params.model = 'rf' and metrics.rmse < 1", order_by=["metrics.rmse DESC"]
    )
    assert [r.info.run_id for r in found] == [ids[1], ids[0]]
    asc = store.search_runs(["0"], order_by=["metrics.rmse ASC"])
    assert [r.info.run_id for r in asc] == [ids[0], ids[2], ids[1], ids[3]]
    desc = store.search_runs(["0"], order_by=["metrics.rmse DESC"])
    assert [r.info.run_id for r in desc] == [ids[1], ids[2], ids[0], ids[3]]


def test_search_or_not_and_parentheses(populated):
    store, ids = populated
    found = store.search_runs(
        ["0"], "(params.model = 'lin' OR metrics.rmse < 0.6) AND NOT params.depth = '3'"
    )
    assert {r.info.run_id for r in found} == {ids[0], ids[2]}


def test_search_pages_with_tokens(populated):
    store, ids = populated
    first = store.search_runs(["0"], max_results=3)
    assert len(first) == 3 and first.token
    second = store.search_runs(["0"], max_results=3, page_token=first.token)
    assert [r.info.run_id for r in second] == [ids[0]] and second.token is None


def test_search_returns_run_data(populated):
    store, ids = populated
    (run,) = store.search_runs(["0"], "attributes.run_name = 'run0'")
    assert run.data.params == {"model": "rf", "depth": "0"}
    assert run.data.metrics == {"rmse": 0.5}


def test_malformed_filter_says_where(populated):
    store, _ = populated
    with pytest.raises(FilterSyntaxError) as err:
        store.search_runs(["0"], "metrics.rmse < ")
    assert "character" in str(err.value)


@pytest.mark.parametrize("bad", [0, -1, 100_001, "10"])
def test_max_results_bounds(store, bad):
    with pytest.raises(InvalidParameterError, match="max_results"):
        store.search_runs(["0"], max_results=bad)


def test_bad_page_token(store):
    with pytest.raises(InvalidParameterError, match="page_token"):
        store.search_runs(["0"], page_token="garbage!")


def test_metric_points_of_many_runs_in_one_call(store):
    a, b = new_run(store).info.run_id, new_run(store).info.run_id
    store.log_metric_points([(a, "m", 1.0, 1, 0), (b, "m", 2.0, 1, 0), (a, "m", 3.0, 2, 1)])
    assert store.get_run(a).data.metrics == {"m": 3.0}
    assert store.get_run(b).data.metrics == {"m": 2.0}
    assert len(store.get_metric_history(a, "m")) == 2


# -- notebooks ------------------------------------------------------------------------
def test_blobs_are_stored_once_by_digest(store):
    import hashlib

    data = b'{"cells": []}' * 1000
    d1 = store.put_blob("notebook", data)
    d2 = store.put_blob("notebook", data)
    assert d1 == d2 == hashlib.sha256(data).hexdigest()
    assert store.get_blob(d1) == ("notebook", data)
    with pytest.raises(ResourceNotFoundError):
        store.get_blob("0" * 64)


def test_notebook_sessions_upsert_and_delete(store):
    assert store.get_notebook_session("k1") is None
    store.set_notebook_session("k1", "a.ipynb", None, "/root")
    store.set_notebook_session("k1", "sub/b.ipynb", "nb-1", "/root")
    session = store.get_notebook_session("k1")
    assert (session.notebook_path, session.notebook_id, session.root_dir) == (
        "sub/b.ipynb",
        "nb-1",
        "/root",
    )
    store.delete_notebook_session("k1")
    assert store.get_notebook_session("k1") is None


# -- the contract is the whole store -------------------------------------------------------------
def _public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))}


def test_the_sql_store_offers_nothing_the_contract_does_not_declare():
    from labtrack.store.contract import TrackingStore
    from labtrack.store.sql.store import SqlTrackingStore

    assert _public(SqlTrackingStore) - _public(TrackingStore) == set()
    assert SqlTrackingStore.__abstractmethods__ == frozenset()


def test_every_contract_method_says_what_it_does():
    from labtrack.store.contract import TrackingStore

    assert [
        name for name in _public(TrackingStore) if not getattr(TrackingStore, name).__doc__
    ] == []
