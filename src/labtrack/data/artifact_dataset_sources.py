"""Dataset sources for files: a local path (``LocalArtifactDatasetSource``, source type
``local``) and object stores (``S3ArtifactDatasetSource``, ``GCSArtifactDatasetSource``...,
source type = the URL's scheme), as MLflow names them.

``load()`` gives a local path: a local source's own file (or a copy in ``dst_path``), an
object store's file downloaded through the store's fsspec layer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from labtrack.data.dataset_source import DatasetSource
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.artifacts import ArtifactRepository

# scheme -> class name, as MLflow derives them from its artifact repositories.
REMOTE_SCHEMES = {
    "s3": "S3ArtifactDatasetSource",
    "gs": "GCSArtifactDatasetSource",
    "wasbs": "AzureBlobArtifactDatasetSource",
    "abfss": "AzureDataLakeArtifactDatasetSource",
    "hdfs": "HdfsArtifactDatasetSource",
}


def is_local_uri(text: str) -> bool:
    """A plain path, ``file:`` URL or Windows drive path (no other scheme)."""
    scheme = urlparse(text).scheme.lower()
    return scheme in ("", "file") or (len(scheme) == 1 and text[1:2] == ":")


class FileSystemDatasetSource(DatasetSource):
    """A dataset stored as files at ``uri``."""

    scheme = ""

    def __init__(self, uri: str) -> None:
        self._uri = uri

    @property
    def uri(self) -> str:
        """Where the dataset's files are (a path or a URL)."""
        return self._uri

    def to_dict(self) -> dict[Any, Any]:
        return {"uri": self.uri}

    @classmethod
    def from_dict(cls, source_dict: dict[Any, Any]) -> FileSystemDatasetSource:
        uri = source_dict.get("uri")
        if uri is None:
            raise InvalidParameterError(
                f'Failed to parse {cls.__name__}. Missing expected key: "uri"'
            )
        return cls(uri=uri)

    @classmethod
    def _resolve(cls, raw_source: Any) -> FileSystemDatasetSource:
        return cls(str(raw_source))


class LocalArtifactDatasetSource(FileSystemDatasetSource):
    """A dataset stored on the local filesystem."""

    @staticmethod
    def _get_source_type() -> str:
        return "local"

    @staticmethod
    def _can_resolve(raw_source: Any) -> bool:
        if not isinstance(raw_source, (str, Path)):
            return False
        return is_local_uri(str(raw_source))

    def load(self, dst_path: str | None = None) -> str:
        """The dataset's local path (copied into ``dst_path`` when one is given)."""
        parsed = urlparse(self.uri)
        path = Path(parsed.path if parsed.scheme == "file" else self.uri).expanduser()
        if not path.exists():
            raise ResourceNotFoundError(f"The dataset source {self.uri!r} does not exist.")
        if dst_path is None:
            return str(path.resolve())
        target = Path(dst_path) / path.name
        if path.is_dir():
            shutil.copytree(path, target, dirs_exist_ok=True)
        else:
            os.makedirs(dst_path, exist_ok=True)
            shutil.copy2(path, target)
        return str(target)


class _RemoteArtifactDatasetSource(FileSystemDatasetSource):
    """A dataset in an object store, named by a URL of ``scheme``."""

    @classmethod
    def _get_source_type(cls) -> str:
        return cls.scheme

    @classmethod
    def _can_resolve(cls, raw_source: Any) -> bool:
        return isinstance(raw_source, str) and urlparse(raw_source).scheme.lower() == cls.scheme

    def load(self, dst_path: str | None = None) -> str:
        """Download the dataset's file (or folder) and return its local path."""
        parent, _, name = self.uri.rstrip("/").rpartition("/")
        dst = dst_path or tempfile.mkdtemp(prefix="labtrack-dataset-")
        return ArtifactRepository(parent).download_artifacts(name, dst)


def _remote_class(scheme: str, name: str) -> type[FileSystemDatasetSource]:
    doc = (
        "A filesystem-based or blob-storage-based dataset source identified by a URI with "
        f"scheme '{scheme}'."
    )
    return type(name, (_RemoteArtifactDatasetSource,), {"scheme": scheme, "__doc__": doc})


REMOTE_SOURCES = [_remote_class(scheme, name) for scheme, name in REMOTE_SCHEMES.items()]
