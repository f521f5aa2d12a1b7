"""Run artifacts: files stored under a run's artifact root, locally or in any fsspec store.

>>> from labtrack.artifacts import ArtifactRepository
>>> repo = ArtifactRepository("s3://bucket/labtrack/0/<run_id>/artifacts")  # doctest: +SKIP
>>> repo.log_artifact("model.pkl", "model")  # doctest: +SKIP

Importing this package does not import fsspec or s3fs; they load when a non-local root is used.
"""

from labtrack.artifacts.paths import safe_artifact_path
from labtrack.artifacts.repository import ArtifactRepository, FileInfo

__all__ = ["ArtifactRepository", "FileInfo", "safe_artifact_path"]
