"""``labtrack.data`` and ``log_input``: MLflow's datasets, digests, schemas, profiles and
sources, and what a run records of them.

The expected digests were computed by MLflow 3.17.2 (``mlflow.data``) on the same data: the
same data must give the same digest under both tools.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris

import labtrack as mlflow
from labtrack.errors import InvalidParameterError, ResourceNotFoundError


def _iris_with_text_and_lists() -> pd.DataFrame:
    frame = load_iris(as_frame=True).frame
    frame["species"] = ["a"] * len(frame)
    frame["mixed"] = [[1]] * len(frame)  # neither text nor number: left out of the digest
    return frame


@pytest.mark.parametrize(
    ("make", "digest"),
    [
        (
            lambda: mlflow.data.from_pandas(
                load_diabetes(as_frame=True).frame, source="diabetes.csv", targets="target"
            ),
            "ce80b7f0",
        ),
        (lambda: mlflow.data.from_pandas(_iris_with_text_and_lists()), "126f9ae7"),
        (
            lambda: mlflow.data.from_numpy(
                np.random.RandomState(0).uniform(size=[2, 5, 4]),
                targets=np.random.RandomState(1).randint(2, size=[2]),
            ),
            "118766d5",
        ),
        (
            lambda: mlflow.data.from_numpy(
                {"a": np.arange(20000.0), "b": np.array(["x", "y"])}, source="s3://b/x.npz"
            ),
            "232e13d1",
        ),
        (
            lambda: mlflow.data.from_numpy(np.array([[1, 2], [3, 4]], dtype=np.int32)),
            "8be7b4a3",
        ),
    ],
)
def test_digests_are_mlflows(make, digest):  # type: ignore[no-untyped-def]
    assert make().digest == digest


def test_a_pandas_dataset_has_mlflows_schema_profile_and_source():
    frame = load_diabetes(as_frame=True).frame
    dataset = mlflow.data.from_pandas(
        frame, source="diabetes.csv", name="diabetes", targets="target"
    )

    record = dataset._to_mlflow_entity()
    assert (record.name, record.source_type) == ("diabetes", "local")
    assert json.loads(record.source) == {"uri": "diabetes.csv"}
    assert json.loads(record.profile or "") == {"num_rows": 442, "num_elements": 4862}
    colspec = json.loads(record.schema or "")["mlflow_colspec"]
    assert colspec[0] == {"type": "double", "name": "age", "required": True}
    assert dataset.targets == "target" and dataset.df is frame


def test_a_numpy_dataset_has_a_tensor_schema_and_shape_profile():
    x = np.random.RandomState(0).uniform(size=[2, 5, 4])
    y = np.random.RandomState(1).randint(2, size=[2])
    dataset = mlflow.data.from_numpy(x, targets=y, name="uniform")

    assert json.loads(json.dumps(dataset.profile)) == {
        "features_shape": [2, 5, 4],
        "features_size": 40,
        "features_nbytes": 320,
        "targets_shape": [2],
        "targets_size": 2,
        "targets_nbytes": 16,
    }
    spec = json.loads(dataset.to_dict()["schema"])["mlflow_tensorspec"]
    assert json.loads(spec["features"]) == [
        {"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 5, 4]}}
    ]


def test_a_dataset_without_source_comes_from_the_code():
    dataset = mlflow.data.from_pandas(pd.DataFrame({"a": [1, 2]}))
    assert dataset.name == "dataset" and dataset.source._get_source_type() == "code"
    assert "tags" in dataset.source.to_dict()


@pytest.mark.parametrize(
    ("source", "kind", "class_name"),
    [
        ("data/train.parquet", "local", "LocalArtifactDatasetSource"),
        ("s3://bucket/train.csv", "s3", "S3ArtifactDatasetSource"),
        ("https://example.com/train.csv", "http", "HTTPDatasetSource"),
    ],
)
def test_sources_are_resolved_as_mlflow_names_them(source, kind, class_name):  # type: ignore[no-untyped-def]
    dataset = mlflow.data.from_pandas(pd.DataFrame({"a": [1]}), source=source)
    assert dataset.source._get_source_type() == kind
    assert type(dataset.source).__name__ == class_name
    assert getattr(mlflow.data.sources, class_name) is type(dataset.source)


def test_a_local_source_loads_its_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "train.csv"
    pd.DataFrame({"a": [1, 2]}).to_csv(path, index=False)
    dataset = mlflow.data.from_pandas(pd.read_csv(path), source=str(path))

    assert dataset.source.load() == str(path)
    copied = dataset.source.load(dst_path=str(tmp_path / "copy"))
    assert pd.read_csv(copied)["a"].tolist() == [1, 2]
    with pytest.raises(ResourceNotFoundError, match="does not exist"):
        mlflow.data.from_pandas(pd.DataFrame({"a": [1]}), source=str(tmp_path / "no")).source.load()


def test_bad_data_is_a_clear_error():
    with pytest.raises(InvalidParameterError, match="targets column 'y'"):
        mlflow.data.from_pandas(pd.DataFrame({"a": [1]}), targets="y")
    with pytest.raises(InvalidParameterError, match="pandas DataFrame"):
        mlflow.data.from_pandas([[1, 2]])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="numpy arrays"):
        mlflow.data.from_numpy([[1, 2]])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="labtrack.data"):
        mlflow.log_input(pd.DataFrame({"a": [1]}))


def test_log_input_records_the_dataset_with_its_context_and_tags():
    dataset = mlflow.data.from_numpy(np.arange(6.0).reshape(3, 2), name="uniform")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="validation", tags={"version": "1"})

    (used,) = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    assert (used.dataset.name, used.dataset.digest) == ("uniform", dataset.digest)
    assert sorted((t.key, t.value) for t in used.tags) == [
        ("mlflow.data.context", "validation"),
        ("version", "1"),
    ]
    assert mlflow.data.get_source(used).to_dict() == dataset.source.to_dict()
    assert mlflow.data.get_source(dataset) is dataset.source


def test_log_inputs_and_the_clients_log_inputs():
    train = mlflow.data.from_pandas(pd.DataFrame({"a": [1, 2]}), name="train")
    test = mlflow.data.from_pandas(pd.DataFrame({"a": [3]}), name="test")
    with mlflow.start_run() as run:
        mlflow.log_inputs([train, test], contexts=["training", "evaluation"])
    client = mlflow.MlflowClient()
    extra = mlflow.data.from_pandas(pd.DataFrame({"b": [1]}), name="extra")
    client.log_inputs(run.info.run_id, [mlflow.entities.DatasetInput(extra._to_mlflow_entity())])

    found = client.get_run(run.info.run_id).inputs.dataset_inputs
    contexts = {d.dataset.name: {t.key: t.value for t in d.tags} for d in found}
    assert contexts == {
        "train": {"mlflow.data.context": "training"},
        "test": {"mlflow.data.context": "evaluation"},
        "extra": {},
    }
    with pytest.raises(InvalidParameterError, match="one entry per dataset"):
        mlflow.log_inputs([train], contexts=["a", "b"])


def test_a_metric_on_a_dataset_logs_the_dataset_and_links_the_point():
    dataset = mlflow.data.from_pandas(pd.DataFrame({"a": [1, 2]}), name="holdout")
    with mlflow.start_run() as run:
        mlflow.log_metric("rmse", 0.5, dataset=dataset)

    stored = mlflow.get_run(run.info.run_id)
    assert stored.data.metrics == {"rmse": 0.5}
    assert [d.dataset.name for d in stored.inputs.dataset_inputs] == ["holdout"]
    assert stored.inputs.dataset_inputs[0].tags == []


def test_a_run_dictionary_has_mlflows_inputs_and_outputs():
    with mlflow.start_run() as run:
        mlflow.log_param("a", 1)
    as_dict = mlflow.get_run(run.info.run_id).to_dictionary()
    assert sorted(as_dict) == ["data", "info", "inputs", "outputs"]
    assert as_dict["inputs"] == {"model_inputs": [], "dataset_inputs": []}
