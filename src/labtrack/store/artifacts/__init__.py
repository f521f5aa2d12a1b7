"""Run artifacts: files stored under a run's artifact root, locally or in any fsspec store.

>>> from labtrack.store.artifacts import ArtifactRepository
>>> repo = ArtifactRepository("s3://bucket/labtrack/0/<run_id>/artifacts")  # doctest: +SKIP
>>> repo.log_artifact("model.pkl", "model")  # doctest: +SKIP

Importing this package does not import fsspec or s3fs; they load when a non-local root is used.
The repository itself loads on first use (PEP 562), so modules that only check paths
(:mod:`~labtrack.store.artifacts.paths`) stay cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labtrack.entities import FileInfo
from labtrack.store.artifacts.paths import safe_artifact_path

if TYPE_CHECKING:
    from labtrack.store.artifacts.repository import ArtifactRepository

__all__ = ["ArtifactRepository", "FileInfo", "safe_artifact_path"]


def __getattr__(name: str) -> Any:
    if name == "ArtifactRepository":
        from labtrack.store.artifacts import repository

        return getattr(repository, name)
    raise AttributeError(f"module 'labtrack.store.artifacts' has no attribute {name!r}")
