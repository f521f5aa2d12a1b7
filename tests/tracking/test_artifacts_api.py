"""Artifacts through the MLflow-style API, on a local folder and on a real S3 server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import labtrack as mlflow
from labtrack.errors import InvalidParameterError, InvalidStateError


@pytest.fixture(params=["local", "s3"])
def artifact_store(request, tmp_path):  # type: ignore[no-untyped-def]
    """Point the fluent API at a store whose artifacts live locally or in an S3 bucket."""
    if request.param == "local":
        root = str(tmp_path / "artifacts")
    else:
        root = request.getfixturevalue("s3_bucket") + "/artifacts"
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'db.sqlite'}", artifact_root=root)
    return root


def test_artifact_uri_follows_the_root(artifact_store):
    with mlflow.start_run() as run:
        assert run.info.artifact_uri == f"{artifact_store}/0/{run.info.run_id}/artifacts"
        assert mlflow.get_artifact_uri("a/b.txt") == f"{run.info.artifact_uri}/a/b.txt"


def test_log_artifact_file_and_folder_then_list_and_download(artifact_store, tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("alpha")
    (src / "sub" / "b.csv").write_text("x,y\n1,2\n")
    single = tmp_path / "model.bin"
    single.write_bytes(b"\x00\x01")
    with mlflow.start_run() as run:
        mlflow.log_artifact(single)
        mlflow.log_artifact(str(single), artifact_path="copies")
        mlflow.log_artifacts(src, artifact_path="data")
    client = mlflow.TrackingClient()
    top = client.list_artifacts(run.info.run_id)
    assert [(f.path, f.is_dir) for f in top] == [
        ("copies", True),
        ("data", True),
        ("model.bin", False),
    ]
    assert [f.file_size for f in top if not f.is_dir] == [2]
    data = client.list_artifacts(run.info.run_id, "data")
    assert [f.path for f in data] == ["data/a.txt", "data/sub"]
    out = Path(client.download_artifacts(run.info.run_id, "data", str(tmp_path / "dl")))
    assert (out / "a.txt").read_text() == "alpha"
    assert (out / "sub" / "b.csv").read_text() == "x,y\n1,2\n"
    one = client.download_artifacts(run.info.run_id, "copies/model.bin", str(tmp_path / "dl2"))
    assert Path(one).read_bytes() == b"\x00\x01"


def test_log_text_dict_json_and_yaml(artifact_store, tmp_path):
    with mlflow.start_run() as run:
        mlflow.log_text("hello", "notes/readme.md")
        mlflow.log_dict({"a": [1, 2]}, "config.json")
        mlflow.log_dict({"b": {"c": 1}}, "config.yaml")
    client = mlflow.TrackingClient()
    rid = run.info.run_id
    assert client.load_text(rid, "notes/readme.md") == "hello"
    assert json.loads(client.load_text(rid, "config.json")) == {"a": [1, 2]}
    assert yaml.safe_load(client.load_text(rid, "config.yaml")) == {"b": {"c": 1}}


def test_log_figure_matplotlib(artifact_store):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    with mlflow.start_run() as run:
        mlflow.log_figure(fig, "plots/line.png")
    plt.close(fig)
    (info,) = mlflow.TrackingClient().list_artifacts(run.info.run_id, "plots")
    assert info.path == "plots/line.png" and info.file_size > 1000


def test_log_artifact_of_missing_file_says_so(artifact_store, tmp_path):
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match="does not exist"):
        mlflow.log_artifact(tmp_path / "nope.txt")


@pytest.mark.parametrize("bad", ["../escape.txt", "/abs.txt", "a/%2e%2e/%2e%2e/x"])
def test_hostile_artifact_paths_are_refused(artifact_store, bad):
    with mlflow.start_run(), pytest.raises(InvalidParameterError):
        mlflow.log_text("x", bad)


def test_deleted_run_takes_no_artifacts(artifact_store):
    with mlflow.start_run() as run:
        pass
    mlflow.delete_run(run.info.run_id)
    with pytest.raises(InvalidStateError, match="deleted"):
        mlflow.TrackingClient().log_text(run.info.run_id, "x", "a.txt")
