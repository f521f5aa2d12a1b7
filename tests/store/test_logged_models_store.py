"""Logged models in the store (SQLite and PostgreSQL): create, read, finalize, delete, tags,
params, linked metric points and MLflow's search."""

from __future__ import annotations

import math

import pytest

from labtrack.entities import Metric
from labtrack.entities.logged_model import LoggedModelStatus
from labtrack.errors import (
    FilterSyntaxError,
    InvalidParameterError,
    InvalidStateError,
    ResourceNotFoundError,
)
from labtrack.store.sql.store import SqlTrackingStore


def _run(store: SqlTrackingStore, experiment_id: str = "0") -> str:
    return store.create_run(experiment_id, "u", 1, [], None).info.run_id


def test_a_new_model_is_pending_with_mlflows_id_and_location(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    model = store.create_logged_model("0", "clf", run_id, {"team": "a"}, {"C": "1.0"}, "agent")

    assert model.model_id.startswith("m-") and len(model.model_id) == 34
    assert model.artifact_location == (
        f"{store.get_experiment('0').artifact_location}/models/{model.model_id}/artifacts"
    )
    assert model.status == LoggedModelStatus.PENDING and model.model_type == "agent"
    assert (model.name, model.source_run_id, model.experiment_id) == ("clf", run_id, "0")
    assert model.tags == {"team": "a"} and model.params == {"C": "1.0"} and model.metrics is None
    assert model.model_uri == f"models:/{model.model_id}"
    assert store.get_logged_model(model.model_id) == model


def test_a_model_without_a_name_gets_a_generated_one(store: SqlTrackingStore) -> None:
    name = store.create_logged_model("0").name
    assert name and "-" in name


@pytest.mark.parametrize("name", ["", "a/b", "a.b", "a:b", "50%", "it's"])
def test_mlflows_forbidden_name_characters_are_refused(store: SqlTrackingStore, name: str) -> None:
    with pytest.raises(InvalidParameterError, match="Invalid model name"):
        store.create_logged_model("0", name)


def test_unknown_experiment_run_or_model_are_not_found(store: SqlTrackingStore) -> None:
    with pytest.raises(ResourceNotFoundError):
        store.create_logged_model("123")
    with pytest.raises(ResourceNotFoundError, match="No run"):
        store.create_logged_model("0", "m", "0" * 32)
    with pytest.raises(ResourceNotFoundError, match="not found"):
        store.get_logged_model("m-" + "0" * 32)
    with pytest.raises(InvalidParameterError, match="m-<32 hex digits>"):
        store.get_logged_model("not-an-id")


def test_a_deleted_experiment_takes_no_models(store: SqlTrackingStore) -> None:
    experiment_id = store.create_experiment("gone")
    store.delete_experiment(experiment_id)
    with pytest.raises(InvalidStateError, match="deleted"):
        store.create_logged_model(experiment_id, "m")


def test_finalize_delete_and_allow_deleted(store: SqlTrackingStore) -> None:
    model = store.create_logged_model("0", "m")
    assert store.finalize_logged_model(model.model_id, "READY").status == LoggedModelStatus.READY
    assert store.finalize_logged_model(model.model_id, 3).status == LoggedModelStatus.FAILED

    store.delete_logged_model(model.model_id)

    with pytest.raises(ResourceNotFoundError):
        store.get_logged_model(model.model_id)
    assert store.get_logged_model(model.model_id, allow_deleted=True).model_id == model.model_id
    assert store.search_logged_models(["0"]) == []


def test_tags_are_set_overwritten_and_deleted(store: SqlTrackingStore) -> None:
    model = store.create_logged_model("0", "m", tags={"a": "1"})
    store.set_logged_model_tags(model.model_id, {"a": "2", "b": "x"})
    assert store.get_logged_model(model.model_id).tags == {"a": "2", "b": "x"}

    store.delete_logged_model_tag(model.model_id, "a")

    assert store.get_logged_model(model.model_id).tags == {"b": "x"}
    with pytest.raises(ResourceNotFoundError, match="No tag with key 'a'"):
        store.delete_logged_model_tag(model.model_id, "a")


def test_params_are_added_once_and_never_changed(store: SqlTrackingStore) -> None:
    model = store.create_logged_model("0", "m", params={"C": "1"})
    store.log_logged_model_params(model.model_id, {"C": "1", "depth": "3"})
    assert store.get_logged_model(model.model_id).params == {"C": "1", "depth": "3"}

    with pytest.raises(InvalidParameterError, match="cannot change"):
        store.log_logged_model_params(model.model_id, {"C": "2", "other": "x"})

    assert store.get_logged_model(model.model_id).params == {"C": "1", "depth": "3"}


def test_a_metric_with_a_model_id_goes_to_the_run_and_the_model(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    model = store.create_logged_model("0", "m", run_id)
    point = Metric("acc", 0.9, 5, 2, model_id=model.model_id, dataset_name="d", dataset_digest="x")

    store.log_batch(run_id, metrics=[point, Metric("plain", 1.0, 5, 0)])
    store.log_batch(run_id, metrics=[point])  # the same point again: one link

    assert store.get_run(run_id).data.metrics == {"acc": 0.9, "plain": 1.0}
    (linked,) = store.get_logged_model(model.model_id).metrics or []
    assert (linked.key, linked.value, linked.step, linked.timestamp) == ("acc", 0.9, 2, 5)
    assert (linked.run_id, linked.model_id) == (run_id, model.model_id)
    assert (linked.dataset_name, linked.dataset_digest) == ("d", "x")


def test_a_metric_for_an_unknown_model_writes_nothing(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    with pytest.raises(ResourceNotFoundError, match="not found"):
        store.log_batch(run_id, metrics=[Metric("acc", 1.0, 1, 0, model_id="m-" + "1" * 32)])
    assert store.get_run(run_id).data.metrics == {}


def test_linking_points_adds_nothing_to_the_runs_history(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    model = store.create_logged_model("0", "m", run_id)
    store.log_batch(run_id, metrics=[Metric("loss", math.nan, 1, 0)])

    store.link_metrics_to_models(run_id, [Metric("loss", math.nan, 1, 0, model_id=model.model_id)])

    assert len(store.get_metric_history(run_id, "loss")) == 1
    (linked,) = store.get_logged_model(model.model_id).metrics or []
    assert math.isnan(linked.value)


def _three_models(store: SqlTrackingStore) -> list[str]:
    ids = []
    for i, (c, acc) in enumerate((("0.01", 0.5), ("1.0", 0.95), ("100.0", 0.97))):
        run_id = _run(store)
        model = store.create_logged_model("0", f"logreg-{i}", run_id, params={"C": c})
        store.log_batch(
            run_id,
            metrics=[Metric("accuracy", acc, 10 + i, 0, model_id=model.model_id, dataset_name="t")],
        )
        ids.append(model.model_id)
    return ids


def test_search_filters_on_metrics_params_and_attributes(store: SqlTrackingStore) -> None:
    _three_models(store)

    def names(filter_string: str, **kw: object) -> list[str]:
        found = store.search_logged_models(["0"], filter_string, **kw)  # type: ignore[arg-type]
        return sorted(m.name for m in found)

    assert names("metrics.accuracy > 0.9") == ["logreg-1", "logreg-2"]
    assert names("params.C = '1.0' OR name = 'logreg-0'") == ["logreg-0", "logreg-1"]
    assert names("status = 'PENDING' AND name LIKE 'logreg-%'") == [
        "logreg-0",
        "logreg-1",
        "logreg-2",
    ]
    assert names("status = 'READY'") == []
    assert names("metrics.accuracy > 0.9", datasets=[{"dataset_name": "other"}]) == []
    assert names("", datasets=[{"dataset_name": "t"}]) == ["logreg-0", "logreg-1", "logreg-2"]


def test_search_orders_by_mlflows_dicts_and_pages(store: SqlTrackingStore) -> None:
    _three_models(store)

    by_accuracy = store.search_logged_models(
        ["0"], order_by=[{"field_name": "metrics.accuracy", "ascending": False}]
    )
    assert [m.params["C"] for m in by_accuracy] == ["100.0", "1.0", "0.01"]
    first = store.search_logged_models(["0"], max_results=2, order_by=["name ASC"])
    assert [m.name for m in first] == ["logreg-0", "logreg-1"] and first.token
    rest = store.search_logged_models(
        ["0"], max_results=2, order_by=["name ASC"], page_token=first.token
    )
    assert [m.name for m in rest] == ["logreg-2"] and rest.token is None
    newest_first = store.search_logged_models(["0"])
    assert [m.name for m in newest_first][0] == "logreg-2"


def test_search_reports_bad_arguments(store: SqlTrackingStore) -> None:
    with pytest.raises(InvalidParameterError, match="experiment_ids"):
        store.search_logged_models([])
    with pytest.raises(InvalidParameterError, match="dataset_name"):
        store.search_logged_models(["0"], datasets=[{"dataset_digest": "x"}])
    with pytest.raises(FilterSyntaxError):
        store.search_logged_models(["0"], "runs.x = 1")
    with pytest.raises(InvalidParameterError, match="order_by"):
        store.search_logged_models(["0"], order_by=[{"ascending": True}])


def test_models_of_runs_lists_each_runs_live_models(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    first = store.create_logged_model("0", "a", run_id)
    second = store.create_logged_model("0", "b", run_id)
    store.delete_logged_model(first.model_id)

    found = store.logged_models_of_runs([run_id, "f" * 32])

    assert [m.model_id for m in found[run_id]] == [second.model_id] and found["f" * 32] == []


def test_ordering_by_a_metric_uses_each_models_latest_point(store: SqlTrackingStore) -> None:
    run_id = _run(store)
    fell = store.create_logged_model("0", "fell", run_id)
    steady = store.create_logged_model("0", "steady", run_id)
    store.log_batch(
        run_id,
        metrics=[
            Metric("acc", 0.99, 1, 0, model_id=fell.model_id),
            Metric("acc", 0.10, 100, 1, model_id=fell.model_id),
            Metric("acc", 0.50, 50, 0, model_id=steady.model_id),
        ],
    )

    found = store.search_logged_models(
        ["0"], order_by=[{"field_name": "metrics.acc", "ascending": False}]
    )

    assert [m.name for m in found] == ["steady", "fell"]
