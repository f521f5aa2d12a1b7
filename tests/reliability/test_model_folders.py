"""A model folder appears complete or not at all (issue 19, item 2).

Files were written one at a time in name order, so ``MLmodel`` landed before ``model.skops``
(locally and on S3): a model log killed in between left a folder that looked like a model, and
registering it was accepted. Now every ``MLmodel`` is written after the other files, and
registering checks that the files the ``MLmodel`` names are there. The kill is simulated by an
interrupt raised while one file is being written (locally) or uploaded (S3, at the s3fs call
labtrack does not own); the stores and files are real.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtrack.errors import InvalidParameterError
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts._backends import LocalBackend
from labtrack.tracking.client import TrackingClient

MLMODEL = """\
flavors:
  sklearn:
    pickled_model: model.skops
    serialization_format: skops
"""


def model_folder(tmp_path: Path, *, with_model_file: bool = True) -> Path:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "MLmodel").write_text(MLMODEL)
    (folder / "requirements.txt").write_text("scikit-learn\n")
    if with_model_file:
        (folder / "model.skops").write_bytes(b"weights" * 1000)
    return folder


class Killed(BaseException):
    """Stands for the process dying mid-write (not an Exception: nothing catches it)."""


def test_a_local_model_log_killed_mid_way_leaves_no_mlmodel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = model_folder(tmp_path)
    repo = ArtifactRepository(tmp_path / "artifacts")
    real = LocalBackend._atomic_write

    def dies_on_weights(self: LocalBackend, rel: str, write: Any) -> None:
        if rel.endswith("model.skops"):
            raise Killed
        real(self, rel, write)

    monkeypatch.setattr(LocalBackend, "_atomic_write", dies_on_weights)
    with pytest.raises(Killed):
        repo.log_artifacts(folder, "model")
    assert not repo.exists("model/MLmodel"), repo.list_artifacts("model")


def test_an_s3_model_log_killed_mid_way_leaves_no_mlmodel(
    s3_bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = model_folder(tmp_path)
    repo = ArtifactRepository(f"{s3_bucket}/run/artifacts")
    repo.write_text("before.txt", "x")
    fs = repo._backend.fs  # type: ignore[attr-defined]
    real_put = fs.put

    def dies_on_weights(lpaths: list[str], rpaths: list[str], **kwargs: Any) -> None:
        # Uploads what comes before the weights in the list, then the process dies.
        done = [(lp, rp) for lp, rp in zip(lpaths, rpaths, strict=True)]
        for lp, rp in done:
            if rp.endswith("model.skops"):
                raise Killed
            real_put([lp], [rp], **kwargs)

    monkeypatch.setattr(fs, "put", dies_on_weights)
    with pytest.raises(Killed):
        repo.log_artifacts(folder, "model")
    monkeypatch.undo()
    assert not repo.exists("model/MLmodel"), repo.list_artifacts("model")


def test_a_complete_model_is_logged_whole(s3_bucket: str, tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    for root in (str(tmp_path / "artifacts"), f"{s3_bucket}/run/artifacts"):
        repo = ArtifactRepository(root)
        repo.log_artifacts(folder, "model")
        names = sorted(f.path for f in repo.list_artifacts("model"))
        assert names == ["model/MLmodel", "model/model.skops", "model/requirements.txt"]


def test_registering_a_model_folder_with_a_missing_file_is_refused(tmp_path: Path) -> None:
    client = TrackingClient(
        f"sqlite:///{tmp_path / 'labtrack.db'}", artifact_root=str(tmp_path / "a")
    )
    run = client.create_run("0")
    rid = run.info.run_id
    client.log_artifacts(rid, model_folder(tmp_path, with_model_file=False), "model")
    client.create_registered_model("churn")
    with pytest.raises(InvalidParameterError) as refused:
        client.create_model_version("churn", f"runs:/{rid}/model", rid)
    assert "model.skops" in refused.value.message and "again" in refused.value.message
    with pytest.raises(InvalidParameterError):
        client.create_model_version_from_run("fresh", rid, "model", create_model=True)
    assert [m.name for m in client.search_registered_models()] == ["churn"]
    assert list(client.search_model_versions("name = 'churn'")) == []


def test_registering_a_local_folder_with_a_missing_file_is_refused(tmp_path: Path) -> None:
    client = TrackingClient(
        f"sqlite:///{tmp_path / 'labtrack.db'}", artifact_root=str(tmp_path / "a")
    )
    client.create_registered_model("churn")
    folder = model_folder(tmp_path, with_model_file=False)
    with pytest.raises(InvalidParameterError) as refused:
        client.create_model_version("churn", str(folder))
    assert "model.skops" in refused.value.message
    assert not (tmp_path / "a" / "models").exists()


def test_a_complete_model_registers(tmp_path: Path) -> None:
    client = TrackingClient(
        f"sqlite:///{tmp_path / 'labtrack.db'}", artifact_root=str(tmp_path / "a")
    )
    run = client.create_run("0")
    rid = run.info.run_id
    client.log_artifacts(rid, model_folder(tmp_path), "model")
    client.create_registered_model("churn")
    assert client.create_model_version("churn", f"runs:/{rid}/model", rid).version == 1
