"""S3 artifact roots against the moto server: endpoint configuration, filesystem caching, bare
bucket roots, hostile keys written by someone else, many files, and an unreachable endpoint.

The shared behaviour (log, list, download, open, delete) runs on S3 in test_repository.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from labtrack.errors import StoreError
from labtrack.store.artifacts import ArtifactRepository, filesystems
from labtrack.store.artifacts.filesystems import get_filesystem, s3_endpoint_url, storage_options
from tests.services import free_port, s3_client


@pytest.fixture
def no_endpoint_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in filesystems.S3_ENDPOINT_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_endpoint_comes_from_labtrack_then_the_aws_variables(
    no_endpoint_env: pytest.MonkeyPatch,
) -> None:
    env = no_endpoint_env
    assert s3_endpoint_url() is None
    assert "client_kwargs" not in storage_options("s3")
    env.setenv("AWS_ENDPOINT_URL", "http://generic:1")
    assert s3_endpoint_url() == "http://generic:1"
    env.setenv("AWS_ENDPOINT_URL_S3", "http://s3-specific:2")
    assert s3_endpoint_url() == "http://s3-specific:2"
    env.setenv("LABTRACK_S3_ENDPOINT_URL", "http://labtrack:3")
    assert storage_options("s3")["client_kwargs"] == {"endpoint_url": "http://labtrack:3"}
    assert storage_options("gs") == {}


def test_filesystems_are_cached_per_options(no_endpoint_env: pytest.MonkeyPatch) -> None:
    env = no_endpoint_env
    env.setenv("LABTRACK_S3_ENDPOINT_URL", "http://127.0.0.1:1")
    first = get_filesystem("s3")
    assert get_filesystem("s3") is first
    env.setenv("LABTRACK_S3_ENDPOINT_URL", "http://127.0.0.1:2")
    second = get_filesystem("s3")
    assert second is not first
    assert second.client_kwargs == {"endpoint_url": "http://127.0.0.1:2"}


def test_standard_aws_endpoint_variable_reaches_the_server(
    s3_bucket: str, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABTRACK_S3_ENDPOINT_URL")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    repo = ArtifactRepository(f"{s3_bucket}/run/artifacts")
    repo.write_text("a.txt", "via AWS_ENDPOINT_URL_S3")
    body = s3_client(s3_endpoint).get_object(
        Bucket=s3_bucket.removeprefix("s3://"), Key="run/artifacts/a.txt"
    )["Body"]
    assert body.read() == b"via AWS_ENDPOINT_URL_S3"


def test_objects_land_under_the_root_prefix(s3_bucket: str, s3_endpoint: str) -> None:
    repo = ArtifactRepository(f"{s3_bucket}/exp/0/abc/artifacts/")
    repo.write_text("plots/loss.csv", "x")
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=s3_bucket.removeprefix("s3://"))
    assert [o["Key"] for o in listed["Contents"]] == ["exp/0/abc/artifacts/plots/loss.csv"]


def test_a_bare_bucket_root_deletes_its_files_but_keeps_the_bucket(
    s3_bucket: str, s3_endpoint: str
) -> None:
    repo = ArtifactRepository(s3_bucket)
    repo.write_text("a/b.txt", "b")
    repo.write_text("c.txt", "c")
    repo.delete_artifacts()
    assert repo.list_artifacts() == []
    s3_client(s3_endpoint).head_bucket(Bucket=s3_bucket.removeprefix("s3://"))


def test_hostile_keys_in_the_bucket_are_ignored_with_a_warning(
    s3_bucket: str, s3_endpoint: str, tmp_path: Path
) -> None:
    bucket = s3_bucket.removeprefix("s3://")
    client = s3_client(s3_endpoint)
    client.put_object(Bucket=bucket, Key="run/artifacts/ok.txt", Body=b"ok")
    client.put_object(Bucket=bucket, Key="run/artifacts/sub/../../../escape.txt", Body=b"x")
    client.put_object(Bucket=bucket, Key="run/artifacts/sub/..\\..\\win.txt", Body=b"x")
    repo = ArtifactRepository(f"{s3_bucket}/run/artifacts")
    dst = tmp_path / "a" / "b" / "dl"
    with pytest.warns(UserWarning, match="not safe paths"):
        local = repo.download_artifacts("", str(dst))
    found = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert found == ["a/b/dl/ok.txt"]
    assert local == str(dst)


def test_many_files_go_up_and_come_back(s3_bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "many"
    for i in range(60):
        sub = source / f"d{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"f{i:02d}.txt").write_text(str(i) * 100)
    repo = ArtifactRepository(f"{s3_bucket}/run/artifacts")
    repo.log_artifacts(source, "many")
    assert [f.path for f in repo.list_artifacts("many")] == ["many/d0", "many/d1", "many/d2"]
    local = Path(repo.download_artifacts("many", str(tmp_path / "dl")))
    assert len([p for p in local.rglob("*") if p.is_file()]) == 60
    assert (local / "d1" / "f31.txt").read_text() == "31" * 100


def test_an_unreachable_endpoint_is_a_store_error(
    no_endpoint_env: pytest.MonkeyPatch,
) -> None:
    # A closed port: connection refused. Retries are bounded, so this stays quick-ish.
    no_endpoint_env.setenv("LABTRACK_S3_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    no_endpoint_env.setenv("AWS_ACCESS_KEY_ID", "x")
    no_endpoint_env.setenv("AWS_SECRET_ACCESS_KEY", "x")
    no_endpoint_env.setenv("AWS_DEFAULT_REGION", "us-east-1")
    no_endpoint_env.setenv("AWS_MAX_ATTEMPTS", "1")
    repo = ArtifactRepository("s3://nowhere/run/artifacts")
    start = time.monotonic()
    with pytest.raises(StoreError, match="Could not write"):
        repo.write_text("a.txt", "x")
    assert time.monotonic() - start < 60
    assert os.environ["LABTRACK_S3_ENDPOINT_URL"].startswith("http://127.0.0.1:")


def test_writing_to_a_missing_bucket_is_a_store_error(s3_endpoint: str) -> None:
    repo = ArtifactRepository("s3://no-such-bucket-labtrack/run/artifacts")
    with pytest.raises(StoreError, match="does not exist"):
        repo.write_text("a.txt", "x")
    assert repo.list_artifacts() == []
