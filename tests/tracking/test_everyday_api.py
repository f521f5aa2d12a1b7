"""The rest of MLflow's everyday API: experiment tags, parent runs, restore, images, tables and
``synchronous=False``."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

import labtrack as mlflow
from labtrack.errors import InvalidParameterError, LabtrackError, ResourceNotFoundError
from labtrack.tracking.async_logging import RunOperations


def test_experiment_tags_on_the_active_experiment():
    mlflow.set_experiment("nlp-experiments")
    mlflow.set_experiment_tag("nlp.framework", "Spark NLP")
    mlflow.set_experiment_tags({"engineering": "ML Platform", "release.version": 2})
    tags = mlflow.get_experiment_by_name("nlp-experiments").tags
    assert tags == {
        "nlp.framework": "Spark NLP",
        "engineering": "ML Platform",
        "release.version": "2",
    }
    with pytest.raises(InvalidParameterError, match="dict"):
        mlflow.set_experiment_tags(["a"])  # type: ignore[arg-type]


def test_get_parent_run_restore_run_and_restore_experiment():
    with (
        mlflow.start_run(run_name="outer"),
        mlflow.start_run(run_name="inner", nested=True) as child,
    ):
        pass
    parent = mlflow.get_parent_run(child.info.run_id)
    assert parent is not None and parent.info.run_name == "outer"
    assert mlflow.get_parent_run(parent.info.run_id) is None
    mlflow.delete_run(child.info.run_id)
    mlflow.restore_run(child.info.run_id)
    assert mlflow.get_run(child.info.run_id).info.lifecycle_stage == "active"
    exp_id = mlflow.create_experiment("gone")
    mlflow.delete_experiment(exp_id)
    mlflow.restore_experiment(exp_id)
    assert mlflow.get_experiment(exp_id).lifecycle_stage == "active"


def test_log_image_by_key_and_step_uses_mlflows_layout():
    rng = np.random.RandomState(0)
    with mlflow.start_run() as run:
        for step in range(2):
            mlflow.log_image(
                rng.randint(0, 256, size=(32, 48, 3), dtype=np.uint8), key="a/dogs", step=step
            )
        mlflow.log_image(np.ones((4, 4)), "plain.png")
    client = mlflow.MlflowClient()
    files = sorted(f.path for f in client.list_artifacts(run.info.run_id, "images"))
    assert len(files) == 4
    assert files[0].startswith("images/a~dogs+step+0+timestamp+")
    assert files[0].endswith("+compressed.webp") and files[1].endswith(".png")
    assert mlflow.get_run(run.info.run_id).data.tags["mlflow.loggedImages"] == "True"
    small = mlflow.artifacts.load_image(f"runs:/{run.info.run_id}/{files[0]}")
    assert max(small.size) == 256 and small.size == (256, 170)
    assert [f.path for f in client.list_artifacts(run.info.run_id)][-1] == "plain.png"


def test_log_image_refuses_what_mlflow_refuses():
    with mlflow.start_run():
        with pytest.raises(InvalidParameterError, match="artifact_file alone"):
            mlflow.log_image(np.zeros((2, 2)), "x.png", key="k")
        with pytest.raises(InvalidParameterError, match="needs artifact_file"):
            mlflow.log_image(np.zeros((2, 2)))
        with pytest.raises(InvalidParameterError, match=r"\[0, 255\]"):
            mlflow.log_image(np.full((2, 2), 300), key="k")
        with pytest.raises(InvalidParameterError, match="Invalid image key"):
            mlflow.log_image(np.zeros((2, 2)), key="bad:key")
        with pytest.warns(UserWarning, match="rescaled"):
            mlflow.log_image(np.full((2, 2), 3.0), key="floats")


def test_log_table_appends_and_load_table_joins_runs():
    data = {"inputs": ["What is MLflow?", "What is Databricks?"], "toxicity": [0.0, 0.5]}
    ids = []
    for _ in range(2):
        with mlflow.start_run() as run:
            mlflow.log_table(data=data, artifact_file="eval.json")
        ids.append(run.info.run_id)
    with mlflow.start_run(run_id=ids[0]):
        mlflow.log_table(data={"inputs": "third", "toxicity": 1.0}, artifact_file="eval.json")
    one = mlflow.load_table("eval.json", run_ids=[ids[0]], extra_columns=["run_id"])
    assert one["inputs"].tolist() == ["What is MLflow?", "What is Databricks?", "third"]
    assert set(one["run_id"]) == {ids[0]}
    every = mlflow.load_table("eval.json")
    assert len(every) == 5
    tag = json.loads(mlflow.get_run(ids[1]).data.tags["mlflow.loggedArtifacts"])
    assert tag == [{"path": "eval.json", "type": "table"}]
    with pytest.raises(ResourceNotFoundError, match="log_table"):
        mlflow.load_table("other.json")
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match=".json' or"):
        mlflow.log_table(data, "eval.csv")


def test_log_table_parquet_needs_pyarrow_and_says_so():
    with mlflow.start_run():
        if importlib.util.find_spec("pyarrow") is None:
            with pytest.raises(InvalidParameterError, match="pip install pyarrow"):
                mlflow.log_table({"name": ["a"], "score": [1.0]}, "t.parquet")
            return
        mlflow.log_table({"name": ["a"], "score": [1.0]}, "t.parquet")
    assert mlflow.load_table("t.parquet")["score"].tolist() == [1.0]


def test_log_table_image_columns_become_image_files():
    image = mlflow.Image(np.zeros((8, 8, 3), dtype=np.uint8))
    with mlflow.start_run() as run:
        mlflow.log_table({"prompt": ["dog"], "picture": [image]}, "gen.json")
    cell = mlflow.load_table("gen.json")["picture"][0]
    assert cell["type"] == "image" and cell["filepath"].startswith("table_images/gen/")
    assert mlflow.artifacts.load_image(f"runs:/{run.info.run_id}/{cell['filepath']}").size == (8, 8)


def test_synchronous_false_returns_operations_that_wait():
    with mlflow.start_run() as run:
        ops = mlflow.log_param("alpha", 0.5, synchronous=False)
        assert isinstance(ops, RunOperations)
        ops.wait()
        assert mlflow.get_run(run.info.run_id).data.params == {"alpha": "0.5"}
        assert mlflow.log_param("beta", 1) == 1  # synchronous by default: returns the value
        mlflow.set_tags({"t1": "a", "t2": "b"}, synchronous=False).wait()
        mlflow.log_params({"g": 1, "h": 2}, synchronous=False)
        mlflow.set_tag("late", "x", synchronous=False)
        mlflow.log_metric("m", 1.0, synchronous=False).wait()
        assert mlflow.get_run(run.info.run_id).data.metrics == {"m": 1.0}
    # end_run waited for what was queued.
    data = mlflow.get_run(run.info.run_id).data
    assert {"g", "h"} <= set(data.params) and data.tags["late"] == "x"


def test_an_async_failure_is_raised_by_wait_not_by_the_call(monkeypatch):
    with mlflow.start_run() as run:
        mlflow.log_param("p", 1)
        ops = mlflow.log_param("p", 2, synchronous=False)  # params cannot change
        with pytest.raises(LabtrackError, match="async logging operations"):
            ops.wait()
    with pytest.raises(InvalidParameterError):  # bad input is refused at once
        mlflow.MlflowClient().log_param(run.info.run_id, "bad key!?\x00", 1, synchronous=False)


def test_async_logging_switched_on_by_the_environment(monkeypatch):
    monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_LOGGING", "true")
    with mlflow.start_run() as run:
        assert isinstance(mlflow.set_tag("a", "b"), RunOperations)
    assert mlflow.get_run(run.info.run_id).data.tags["a"] == "b"
