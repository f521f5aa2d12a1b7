"""Artifact roots for the behaviour suite: a local folder, a bucket on the S3 test server, and
fsspec's in-memory filesystem (the generic fsspec path without a server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from labtrack.store.artifacts import ArtifactRepository


@pytest.fixture(params=["local", "s3", "memory"])
def artifact_root(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A run's artifact root URI on each kind of store, empty."""
    if request.param == "local":
        yield str(tmp_path / "store" / "0" / "run1" / "artifacts")
    elif request.param == "s3":
        bucket = request.getfixturevalue("s3_bucket")
        yield f"{bucket}/labtrack/0/run1/artifacts"
    else:
        from fsspec.implementations.memory import MemoryFileSystem

        top = f"/lt-{uuid.uuid4().hex[:12]}"
        yield f"memory://{top}/0/run1/artifacts"
        fs = MemoryFileSystem()
        if fs.exists(top):
            fs.rm(top, recursive=True)


@pytest.fixture
def repo(artifact_root: str) -> ArtifactRepository:
    return ArtifactRepository(artifact_root)
