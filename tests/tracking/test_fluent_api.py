"""MLflow's fluent semantics, through ``import labtrack as mlflow``."""

from __future__ import annotations

import math
import threading

import pandas as pd
import pytest

import labtrack as mlflow
from labtrack.errors import InvalidParameterError, InvalidStateError, LabtrackError


def test_tracking_uri_defaults_to_labtrack_home(home):
    assert mlflow.get_tracking_uri() == f"sqlite:///{home.resolve() / 'labtrack.db'}"


def test_set_tracking_uri_to_a_folder_and_back(tmp_path, home):
    mlflow.set_tracking_uri(tmp_path / "other")
    assert mlflow.get_tracking_uri() == (tmp_path / "other").as_uri()  # a Path: MLflow's file URI
    assert mlflow.MlflowClient().tracking_uri.endswith("other/labtrack.db")
    with mlflow.start_run() as run:
        pass
    assert mlflow.TrackingClient(str(tmp_path / "other")).get_run(run.info.run_id)
    mlflow.set_tracking_uri(None)
    assert str(home.resolve()) in mlflow.get_tracking_uri()


def test_unsupported_tracking_uri_is_refused_at_once():
    with pytest.raises(InvalidParameterError, match="Unsupported tracking URI"):
        mlflow.set_tracking_uri("mysql://127.0.0.1:3306/runs")


def test_runs_go_to_default_experiment_0_outside_notebooks():
    with mlflow.start_run() as run:
        assert run.info.experiment_id == "0"
    assert mlflow.get_experiment("0").name == "Default"


def test_set_experiment_by_name_creates_then_reuses_it():
    exp = mlflow.set_experiment("/Demo/MLFlowDemo/")
    again = mlflow.set_experiment("/Demo/MLFlowDemo/")
    assert exp.experiment_id == again.experiment_id != "0"
    with mlflow.start_run() as run:
        assert run.info.experiment_id == exp.experiment_id


def test_set_experiment_by_int_or_str_id():
    eid = mlflow.create_experiment("by-id")
    assert mlflow.set_experiment(experiment_id=int(eid)).name == "by-id"
    assert mlflow.set_experiment(experiment_id=eid).name == "by-id"
    with pytest.raises(InvalidParameterError, match="exactly one"):
        mlflow.set_experiment()


def test_set_experiment_refuses_a_deleted_experiment():
    eid = mlflow.create_experiment("gone")
    mlflow.delete_experiment(eid)
    with pytest.raises(InvalidStateError, match="deleted"):
        mlflow.set_experiment("gone")


def test_experiment_from_environment(monkeypatch):
    monkeypatch.setenv("LABTRACK_EXPERIMENT_NAME", "from-env")
    with mlflow.start_run() as run:
        pass
    assert mlflow.get_experiment(run.info.experiment_id).name == "from-env"


def test_context_manager_finishes_or_fails_the_run():
    with mlflow.start_run() as ok:
        mlflow.log_param("a", 1)
    assert mlflow.get_run(ok.info.run_id).info.status == "FINISHED"
    assert mlflow.get_run(ok.info.run_id).info.end_time is not None
    with pytest.raises(ZeroDivisionError), mlflow.start_run() as bad:
        1 / 0  # noqa: B018
    assert mlflow.get_run(bad.info.run_id).info.status == "FAILED"
    assert mlflow.active_run() is None


def test_keyboard_interrupt_inside_a_run_ends_it_failed():
    with pytest.raises(KeyboardInterrupt), mlflow.start_run() as run:
        raise KeyboardInterrupt
    assert mlflow.get_run(run.info.run_id).info.status == "FAILED"


def test_second_start_run_without_nested_is_refused():
    with mlflow.start_run() as outer:
        with pytest.raises(LabtrackError, match="already active"):
            mlflow.start_run()
        assert mlflow.active_run().info.run_id == outer.info.run_id


def test_nested_runs_record_their_parent_and_end_with_it():
    with mlflow.start_run() as parent:
        child = mlflow.start_run(nested=True)
        grandchild = mlflow.start_run(nested=True)
        assert mlflow.active_run().info.run_id == grandchild.info.run_id
    for run in (child, grandchild):
        fresh = mlflow.get_run(run.info.run_id)
        assert fresh.info.status == "FINISHED"
    assert mlflow.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert (
        mlflow.get_run(grandchild.info.run_id).data.tags["mlflow.parentRunId"] == child.info.run_id
    )
    assert mlflow.active_run() is None


def test_start_run_arguments_name_tags_description():
    with mlflow.start_run(run_name="base", tags={"team": "a"}, description="first try") as run:
        pass
    data = mlflow.get_run(run.info.run_id)
    assert data.info.run_name == "base"
    assert data.data.tags["team"] == "a"
    assert data.data.tags["mlflow.note.content"] == "first try"
    assert data.data.tags["mlflow.user"]
    assert data.data.tags["mlflow.source.type"] in ("LOCAL", "NOTEBOOK")  # MLflow's values


def test_resume_a_finished_run_by_id():
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 1, step=0)
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_metric("m", 2, step=1)
    fresh = mlflow.get_run(run.info.run_id)
    assert fresh.info.status == "FINISHED" and fresh.data.metrics["m"] == 2


def test_logging_without_an_active_run_starts_one():
    mlflow.log_param("p", "v")
    run = mlflow.active_run()
    assert run is not None
    mlflow.end_run()
    assert mlflow.get_run(run.info.run_id).data.params == {"p": "v"}
    assert mlflow.last_active_run().info.run_id == run.info.run_id


def test_end_run_without_active_run_is_a_no_op():
    mlflow.end_run()
    assert mlflow.active_run() is None


def test_end_run_status_is_validated():
    mlflow.start_run()
    with pytest.raises(InvalidParameterError, match="Unknown run status"):
        mlflow.end_run("DONE")
    mlflow.end_run("KILLED")
    assert mlflow.last_active_run().info.status == "KILLED"


def test_log_param_returns_value_and_is_immutable():
    with mlflow.start_run():
        assert mlflow.log_param("alpha", 0.5) == 0.5
        mlflow.log_param("alpha", 0.5)
        with pytest.raises(InvalidParameterError, match="cannot change"):
            mlflow.log_param("alpha", 0.6)


def test_log_params_and_set_tags_in_one_call():
    with mlflow.start_run() as run:
        mlflow.log_params({"a": 1, "b": "x", "c": None})
        mlflow.set_tags({"t1": 1, "t2": "two"})
        mlflow.set_tag("t3", 3.5)
        mlflow.delete_tag("t1")
    data = mlflow.get_run(run.info.run_id).data
    assert data.params == {"a": "1", "b": "x", "c": "None"}
    assert data.tags["t2"] == "two" and data.tags["t3"] == "3.5" and "t1" not in data.tags


def test_log_metric_history_with_step_and_timestamp():
    with mlflow.start_run() as run:
        for i in range(5):
            mlflow.log_metric("loss", 1 / (i + 1), step=i, timestamp=1000 + i)
        mlflow.log_metric("nan", float("nan"))
        mlflow.log_metric("inf", float("-inf"))
    history = mlflow.TrackingClient().get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.timestamp, m.value) for m in history] == [
        (i, 1000 + i, 1 / (i + 1)) for i in range(5)
    ]
    metrics = mlflow.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"]) and metrics["inf"] == -math.inf


def test_metrics_default_to_step_zero_like_mlflow():
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 1.0)
    (point,) = mlflow.TrackingClient().get_metric_history(run.info.run_id, "m")
    assert point.step == 0


def test_log_metric_accepts_numpy_scalars():
    np = pytest.importorskip("numpy")
    with mlflow.start_run() as run:
        mlflow.log_metric("a", np.float32(0.5))
        mlflow.log_metric("b", np.int64(3), step=np.int64(2))
    assert mlflow.get_run(run.info.run_id).data.metrics == {"a": 0.5, "b": 3.0}


@pytest.mark.parametrize("value", ["0.5", None, [1], True])
def test_log_metric_rejects_non_numbers_at_the_call(value):
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match="must be numbers"):
        mlflow.log_metric("m", value)


def test_log_metric_rejects_bad_keys_at_the_call():
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match="Invalid metric key"):
        mlflow.log_metric("bad!", 1.0)


def test_log_metrics_is_all_or_nothing():
    with mlflow.start_run() as run:
        with pytest.raises(InvalidParameterError):
            mlflow.log_metrics({"ok": 1.0, "bad": "x"})
        mlflow.log_metrics({"a": 1.0, "b": 2.0}, step=3)
    run = mlflow.get_run(run.info.run_id)
    assert run.data.metrics == {"a": 1.0, "b": 2.0}


def test_synchronous_log_metric_is_visible_at_once():
    with mlflow.start_run() as run:
        mlflow.log_metric("m", 7.0, synchronous=True)
        store = mlflow.TrackingClient().store
        assert store.get_run(run.info.run_id).data.metrics == {"m": 7.0}


def test_queued_metrics_are_flushed_on_end_run_and_flush():
    with mlflow.start_run() as run:
        for i in range(2000):
            mlflow.log_metric("m", i, step=i)
        mlflow.flush()
        store = mlflow.TrackingClient().store
        assert len(store.get_metric_history(run.info.run_id, "m")) == 2000
        mlflow.log_metric("late", 1.0)
    assert "late" in mlflow.TrackingClient().store.get_run(run.info.run_id).data.metrics


def test_active_runs_are_per_thread():
    seen = {}

    def worker() -> None:
        seen["before"] = mlflow.active_run()
        with mlflow.start_run() as run:
            seen["thread_run"] = run.info.run_id

    with mlflow.start_run() as main_run:
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert mlflow.active_run().info.run_id == main_run.info.run_id
    assert seen["before"] is None and seen["thread_run"] != main_run.info.run_id


def test_get_experiment_by_name_and_search_experiments():
    mlflow.create_experiment("one", tags={"team": "a"})
    mlflow.create_experiment("two")
    assert mlflow.get_experiment_by_name("one").tags == {"team": "a"}
    assert mlflow.get_experiment_by_name("missing") is None
    names = {e.name for e in mlflow.search_experiments()}
    assert names == {"Default", "one", "two"}
    assert [e.name for e in mlflow.search_experiments(filter_string="tags.team = 'a'")] == ["one"]


def test_delete_run_hides_it_from_search():
    with mlflow.start_run() as run:
        pass
    mlflow.delete_run(run.info.run_id)
    assert mlflow.search_runs(output_format="list") == []


# -- search_runs ----------------------------------------------------------------------
def _three_runs() -> list[str]:
    ids = []
    for i, (model, rmse) in enumerate([("rf", 0.4), ("lin", 0.8), ("rf", 0.6)]):
        with mlflow.start_run(run_name=f"r{i}") as run:
            mlflow.log_params({"model": model, "i": i})
            mlflow.log_metric("rmse", rmse)
            if i == 0:
                mlflow.log_metric("extra", 1.0)
        ids.append(run.info.run_id)
    return ids


def test_search_runs_frame_has_mlflow_columns():
    ids = _three_runs()
    df = mlflow.search_runs()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns[:6]) == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    rest = list(df.columns[6:])
    kinds = [c.split(".", 1)[0] for c in rest]
    assert kinds == sorted(kinds, key=["metrics", "params", "tags"].index)
    assert set(df["run_id"]) == set(ids)
    assert str(df["start_time"].dtype).startswith("datetime64")
    row = df.set_index("run_id").loc[ids[1]]
    assert math.isnan(row["metrics.extra"])
    assert row["params.model"] == "lin"
    assert df.set_index("run_id").loc[ids[0], "tags.mlflow.runName"] == "r0"


def test_search_runs_missing_params_and_tags_are_none():
    with mlflow.start_run():
        mlflow.log_param("only_here", 1)
    with mlflow.start_run():
        pass
    df = mlflow.search_runs()
    assert df["params.only_here"].isna().sum() == 1
    assert None in list(df["params.only_here"])


def test_search_runs_filter_order_and_list_output():
    ids = _three_runs()
    runs = mlflow.search_runs(
        filter_string="params.model = 'rf' and metrics.rmse < 1",
        order_by=["metrics.rmse DESC"],
        output_format="list",
    )
    assert [r.info.run_id for r in runs] == [ids[2], ids[0]]
    df = mlflow.search_runs(order_by=["metrics.rmse ASC"], max_results=2)
    assert list(df["run_id"]) == [ids[0], ids[2]]


def test_search_runs_by_experiment_names_and_all():
    mlflow.set_experiment("a")
    with mlflow.start_run():
        pass
    mlflow.set_experiment("b")
    with mlflow.start_run():
        pass
    assert len(mlflow.search_runs(experiment_names=["a"])) == 1
    assert len(mlflow.search_runs(search_all_experiments=True)) == 2
    assert len(mlflow.search_runs(experiment_ids=["0"])) == 0
    with pytest.raises(LabtrackError, match="No experiment named 'zzz'"):
        mlflow.search_runs(experiment_names=["zzz"])


def test_search_runs_empty_frame_keeps_base_columns():
    df = mlflow.search_runs()
    assert list(df.columns) == [
        "run_id",
        "experiment_id",
        "status",
        "artifact_uri",
        "start_time",
        "end_time",
    ]
    assert len(df) == 0


def test_search_runs_bad_output_format():
    with pytest.raises(InvalidParameterError, match="output_format"):
        mlflow.search_runs(output_format="json")


def test_runs_started_in_one_burst_list_newest_first():
    # A sweep starts many runs within one millisecond; ties of start_time would otherwise be
    # broken by run id, at random, in every newest-first listing (search_runs, the sidebar).
    names = [f"r{i}" for i in range(60)]
    for name in names:
        with mlflow.start_run(run_name=name):
            pass
    listed = mlflow.search_runs(output_format="list")
    assert [r.info.run_name for r in listed] == names[::-1]
    starts = [r.info.start_time for r in listed]
    assert starts == sorted(set(starts), reverse=True)
