"""Which kind of source a raw ``source=`` argument is, and which class reads a stored one.

Sources are tried in order of registration, the last that understands the argument wins (as
in MLflow); ``register_dataset_source`` adds one.
"""

from __future__ import annotations

from typing import Any

from labtrack.data.artifact_dataset_sources import REMOTE_SOURCES, LocalArtifactDatasetSource
from labtrack.data.code_dataset_source import CodeDatasetSource
from labtrack.data.dataset_source import DatasetSource
from labtrack.data.http_dataset_source import HTTPDatasetSource
from labtrack.errors import ResourceNotFoundError

_sources: list[type[DatasetSource]] = [
    LocalArtifactDatasetSource,
    *REMOTE_SOURCES,
    HTTPDatasetSource,
    CodeDatasetSource,
]


def register_dataset_source(source: type[DatasetSource]) -> None:
    """Add a kind of source; it wins over earlier ones that also understand an argument."""
    _sources.append(source)


def get_registered_sources() -> list[type[DatasetSource]]:
    return list(_sources)


def resolve_dataset_source(raw_source: Any) -> DatasetSource:
    """The source a path or URL names (``"data.csv"`` -> local, ``"s3://..."`` -> S3...)."""
    for source in reversed(_sources):
        if source._can_resolve(raw_source):
            return source._resolve(raw_source)
    raise ResourceNotFoundError(
        f"Could not find a source information resolver for the specified dataset source: "
        f"{raw_source}. Give a local path, an http(s):// URL or an object store URL (s3://...)."
    )


def get_dataset_source_from_json(source_json: str, source_type: str) -> DatasetSource:
    """The source stored as ``source_json`` with ``source_type`` (from a run's dataset)."""
    for source in reversed(_sources):
        if source._get_source_type() == source_type:
            return source.from_json(source_json)
    raise ResourceNotFoundError(
        f"Could not parse dataset source from JSON due to unrecognized source type: {source_type}."
    )
