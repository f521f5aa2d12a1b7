"""Entities behave like MLflow's: properties iterate, dicts convert, statuses are MLflow's ints."""

from __future__ import annotations

import pytest

import labtrack as mlflow
from labtrack.entities import (
    Experiment,
    ExperimentTag,
    FileInfo,
    LifecycleStage,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    SourceType,
    ViewType,
    status_name,
)
from labtrack.errors import InvalidParameterError


def _run() -> Run:
    info = RunInfo("a" * 32, "0", "baseline", "ana", "FINISHED", 1, 2, "active", "/x/artifacts")
    return Run(info, RunData({"rmse": 0.5}, {"alpha": "0.1"}, {"team": "x"}))


def test_dict_of_run_info_has_mlflow_keys_in_name_order():
    info = dict(_run().info)
    assert list(info) == [
        "artifact_uri",
        "end_time",
        "experiment_id",
        "lifecycle_stage",
        "run_id",
        "run_name",
        "start_time",
        "status",
        "user_id",
    ]
    assert info["run_id"] == _run().info.run_uuid == "a" * 32  # MLflow 2's name still works


def test_run_to_dictionary_is_mlflows_shape():
    d = _run().to_dictionary()
    assert sorted(d) == ["data", "info", "inputs", "outputs"]
    assert d["inputs"] == {"model_inputs": [], "dataset_inputs": []}
    assert d["data"] == {
        "metrics": {"rmse": 0.5},
        "params": {"alpha": "0.1"},
        "tags": {"team": "x"},
    }
    assert d["info"]["status"] == "FINISHED"


def test_entities_iterate_compare_and_print_like_mlflows():
    assert dict(Param("alpha", "0.5")) == {"key": "alpha", "value": "0.5"}
    assert dict(Metric("m", 1.0, 5, 2))["step"] == 2
    assert Metric("m", 1.0, 5) == Metric("m", 1.0, 5) and Metric("m", 1.0, 5) != Metric("m", 2.0, 5)
    assert repr(RunTag("k", "v")) == "<RunTag: key='k', value='v'>"
    exp = Experiment("1", "e", "/art", tags={"a": "b"})
    assert dict(exp)["tags"] == {"a": "b"} and dict(exp)["name"] == "e"
    assert dict(ExperimentTag("k", "v")) == {"key": "k", "value": "v"}
    assert FileInfo("a.txt", False, 3).to_dict() == {
        "path": "a.txt",
        "is_dir": False,
        "file_size": 3,
    }


def test_a_metric_is_an_immutable_value_like_mlflows() -> None:
    """Metric is a tuple underneath (a long history is built in C): none of that shows."""
    import copy
    import dataclasses
    import pickle

    m = Metric("loss", 0.5, 17, step=3, run_id="r", dataset_name="d", dataset_digest="x")
    assert (m.key, m.value, m.timestamp, m.step, m.run_id) == ("loss", 0.5, 17, 3, "r")
    assert (m.model_id, m.dataset_name, m.dataset_digest) == (None, "d", "x")
    assert m == Metric("loss", 0.5, 17, 3, None, "d", "x", "r") and hash(m) == hash(copy.copy(m))
    assert m != Metric("loss", 0.5, 17, 3, run_id="r") and Metric("a", 1.0, 1) != Metric(
        "b", 1.0, 1
    )
    # A plain tuple of the same values, or anything else, is not a Metric.
    assert m != (0.5, 17, 3, "loss", "r", None, "d", "x") and m != tuple(m) and m != "loss"
    with pytest.raises(TypeError):
        _ = m < m  # type: ignore[operator]  # MLflow's Metric has no order
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.value = 1.0  # type: ignore[misc]
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(m, protocol))
        assert back == m and type(back) is Metric
    assert copy.deepcopy(m) == m
    # MLflow 3's constructor order: the run id comes last, after the model and dataset.
    mlflow_order = ["key", "value", "timestamp", "step", "model_id", "dataset_name"]
    mlflow_order += ["dataset_digest", "run_id"]
    assert [f.name for f in dataclasses.fields(m)] == mlflow_order
    positional = Metric("k", 1.0, 2, 3, "model-1", "train", "abc", "run-1")
    assert (positional.model_id, positional.dataset_name) == ("model-1", "train")
    assert (positional.dataset_digest, positional.run_id) == ("abc", "run-1")
    assert list(positional.to_dictionary()) == mlflow_order
    assert dataclasses.replace(m, value=2.0) == Metric("loss", 2.0, 17, 3, None, "d", "x", "r")
    assert (
        m.to_dictionary()
        == dataclasses.asdict(m)
        == {
            "key": "loss",
            "value": 0.5,
            "timestamp": 17,
            "step": 3,
            "run_id": "r",
            "model_id": None,
            "dataset_name": "d",
            "dataset_digest": "x",
        }
    )
    assert list(dict(m)) == sorted(m.to_dictionary())
    assert repr(Metric("m", 1.0, 5)) == (
        "<Metric: dataset_digest=None, dataset_name=None, key='m', model_id=None, "
        "run_id=None, step=0, timestamp=5, value=1.0>"
    )
    assert isinstance(m, Metric) and isinstance(m, mlflow.entities.Metric)


def test_from_dictionary_ignores_what_the_entity_cannot_take():
    assert Metric.from_dictionary({"key": "m", "value": 1.0, "timestamp": 3, "x": 1}) == Metric(
        "m", 1.0, 3
    )
    info = _run().info
    assert RunInfo.from_dictionary(dict(info)) == info  # run_uuid is derived, not taken


def test_run_data_takes_lists_of_entities_as_mlflow_does():
    data = RunData([Metric("m", 1.0, 1)], [Param("p", "1")], [RunTag("t", "v")])
    assert (data.metrics, data.params, data.tags) == ({"m": 1.0}, {"p": "1"}, {"t": "v"})


def test_run_status_is_mlflows_ints_and_names():
    assert (RunStatus.RUNNING, RunStatus.FINISHED, RunStatus.KILLED) == (1, 3, 5)
    assert RunStatus.to_string(RunStatus.FAILED) == "FAILED"
    assert RunStatus.from_string("SCHEDULED") == RunStatus.SCHEDULED
    assert RunStatus.is_terminated(RunStatus.FINISHED) and RunStatus.is_terminated("KILLED")
    assert not RunStatus.is_terminated(RunStatus.RUNNING)
    assert RunStatus.all_status() == [1, 2, 3, 4, 5]
    with pytest.raises(InvalidParameterError, match="RUNNING, SCHEDULED"):
        RunStatus.from_string("DONE")
    assert status_name("killed") == "KILLED" and status_name(RunStatus.FAILED) == "FAILED"


def test_view_type_lifecycle_and_source_type_helpers():
    assert ViewType.from_string("deleted_only") == ViewType.DELETED_ONLY
    assert ViewType.to_string(ViewType.ALL) == "all"
    assert LifecycleStage.view_type_to_stages(ViewType.ALL) == ["active", "deleted"]
    assert LifecycleStage.matches_view_type(ViewType.ACTIVE_ONLY, "active")
    assert not LifecycleStage.matches_view_type(ViewType.DELETED_ONLY, "active")
    assert SourceType.to_string(SourceType.LOCAL) == "LOCAL"
    assert SourceType.from_string("NOTEBOOK") == SourceType.NOTEBOOK


def test_active_run_is_a_run_and_end_run_takes_a_status_int():
    with mlflow.start_run() as active:
        assert isinstance(active, Run)
        assert dict(active.info)["status"] == "RUNNING"
    assert mlflow.get_run(active.info.run_id).info.status == "FINISHED"
    mlflow.start_run()
    mlflow.end_run(RunStatus.KILLED)
    assert mlflow.last_active_run().info.status == "KILLED"
