"""Nothing a dead or repeated operation leaves behind stays forever (issue 19, item 8).

- A killed upload leaves its hidden ``.labtrack-*.tmp`` partial file: the next write into that
  folder removes partial files no live write has touched for an hour.
- ``load_model("runs:/...")`` copied the model into a new temporary folder on every load,
  never removed: a model in a store on this machine is now read in place.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

import labtrack
from labtrack.models.uri import download_model
from labtrack.store.artifacts import ArtifactRepository, _backends


def test_a_dead_uploads_partial_file_is_swept_by_the_next_write(tmp_path: Path) -> None:
    repo = ArtifactRepository(tmp_path / "artifacts")
    repo.write_text("outputs/first.txt", "1")
    folder = tmp_path / "artifacts" / "outputs"
    dead = folder / ".labtrack-abc123.tmp"  # what a killed upload leaves
    dead.write_bytes(b"x" * 4096)
    old = time.time() - _backends.STALE_PARTIAL_S - 60
    os.utime(dead, (old, old))
    live = folder / ".labtrack-live99.tmp"  # a write in progress in another process
    live.write_bytes(b"y")
    _backends._swept.clear()  # as in a new process
    repo.write_text("outputs/second.txt", "2")
    assert not dead.exists()
    assert live.exists()
    assert sorted(f.path for f in repo.list_artifacts("outputs")) == [
        "outputs/first.txt",
        "outputs/second.txt",
    ]


def test_loading_a_runs_model_from_a_local_store_makes_no_copy(
    fresh_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"  # this test's own temporary folder: others' do not count
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    src = tmp_path / "src"
    src.mkdir()
    (src / "MLmodel").write_text("flavors: {}\n")
    (src / "weights.bin").write_bytes(b"w" * 1024)
    with labtrack.start_run() as run:
        labtrack.log_artifacts(str(src), "model")
    locals_ = {download_model(f"runs:/{run.info.run_id}/model") for _ in range(3)}
    assert os.listdir(scratch) == []
    (local,) = locals_
    assert (Path(local) / "weights.bin").read_bytes() == b"w" * 1024
    assert Path(local).resolve().is_relative_to(fresh_home.resolve())


def test_a_dead_s3_upload_is_aborted_by_the_next_write(
    s3_bucket: str, s3_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.services import s3_client

    bucket = s3_bucket.removeprefix("s3://")
    s3 = s3_client(s3_endpoint)
    # What a process killed mid-upload leaves: a multipart upload never completed or aborted.
    dead = s3.create_multipart_upload(Bucket=bucket, Key="run/artifacts/model/model.skops")
    elsewhere = s3.create_multipart_upload(Bucket=bucket, Key="other/run/big.bin")
    monkeypatch.setattr(_backends, "STALE_PARTIAL_S", -60.0)  # every upload counts as old
    _backends._swept.clear()
    local = tmp_path / "MLmodel"
    local.write_text("flavors: {}\n")
    ArtifactRepository(f"{s3_bucket}/run/artifacts").log_artifact(str(local), "model")
    left = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [u["UploadId"] for u in left] == [elsewhere["UploadId"]], left
    assert dead["UploadId"] not in [u["UploadId"] for u in left]
