"""``labtrack.artifacts`` (MLflow's ``mlflow.artifacts``): download, list and load artifacts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import labtrack as mlflow
from labtrack.errors import InvalidParameterError, LabtrackError


@pytest.fixture
def run_id() -> str:
    with mlflow.start_run() as run:
        mlflow.log_text("hello world", "greetings/hello.txt")
        mlflow.log_dict({"a": 1}, "config.json")
        mlflow.log_text("not json", "notes.txt")
        mlflow.log_image(__import__("numpy").zeros((4, 6, 3), dtype="uint8"), "img/black.png")
    return run.info.run_id


def test_download_by_run_id_path_and_uri(run_id, tmp_path):
    folder = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="greetings", dst_path=str(tmp_path / "new" / "dir")
    )
    assert sorted(os.listdir(folder)) == ["hello.txt"]
    one = mlflow.artifacts.download_artifacts(artifact_uri=f"runs:/{run_id}/config.json")
    assert Path(one).read_text().strip().startswith("{")
    everything = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(tmp_path / "all"))
    assert sorted(os.listdir(everything)) == ["config.json", "greetings", "img", "notes.txt"]
    # A run's own artifact_uri plus a path works too (a storage location, not runs:/).
    uri = mlflow.get_run(run_id).info.artifact_uri + "/greetings/hello.txt"
    assert Path(mlflow.artifacts.download_artifacts(uri)).read_text() == "hello world"


def test_list_artifacts_paths_are_relative_to_the_run(run_id):
    top = mlflow.artifacts.list_artifacts(run_id=run_id)
    assert sorted((f.path, f.is_dir) for f in top)[:2] == [
        ("config.json", False),
        ("greetings", True),
    ]
    inner = mlflow.artifacts.list_artifacts(artifact_uri=f"runs:/{run_id}/greetings")
    assert [f.path for f in inner] == ["greetings/hello.txt"]
    assert [
        f.path for f in mlflow.artifacts.list_artifacts(run_id=run_id, artifact_path="img")
    ] == ["img/black.png"]


def test_load_text_dict_and_image(run_id):
    base = mlflow.get_run(run_id).info.artifact_uri
    assert mlflow.artifacts.load_text(base + "/greetings/hello.txt") == "hello world"
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/config.json") == {"a": 1}
    image = mlflow.artifacts.load_image(f"runs:/{run_id}/img/black.png")
    assert image.size == (6, 4)
    with pytest.raises(LabtrackError, match="not JSON"):
        mlflow.artifacts.load_dict(f"runs:/{run_id}/notes.txt")
    with pytest.raises(InvalidParameterError, match="folder"):
        mlflow.artifacts.load_text(f"runs:/{run_id}/greetings")


def test_bad_arguments_say_what_to_give(run_id):
    with pytest.raises(InvalidParameterError, match="Exactly one of `run_id` or `artifact_uri`"):
        mlflow.artifacts.download_artifacts()
    with pytest.raises(InvalidParameterError, match="Exactly one"):
        mlflow.artifacts.list_artifacts(artifact_uri=f"runs:/{run_id}", run_id=run_id)
    with pytest.raises(InvalidParameterError, match="cannot be specified"):
        mlflow.artifacts.download_artifacts(artifact_uri=f"runs:/{run_id}", artifact_path="x")


def test_exceptions_is_a_real_module():
    from labtrack.exceptions import MlflowException, RestException

    assert MlflowException is mlflow.LabtrackError and issubclass(RestException, MlflowException)
    err = MlflowException.invalid_parameter_value("bad")
    assert err.error_code == "INVALID_PARAMETER_VALUE" and err.get_http_status_code() == 400
    assert '"message": "bad"' in err.serialize_as_json()
