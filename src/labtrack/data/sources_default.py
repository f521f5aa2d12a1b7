"""The source a constructor's ``source=`` argument names, or the code that runs now."""

from __future__ import annotations

from typing import Any

from labtrack.data.code_dataset_source import CodeDatasetSource
from labtrack.data.dataset_source import DatasetSource
from labtrack.data.dataset_source_registry import resolve_dataset_source
from labtrack.tracking import context


def resolve_source(source: Any) -> DatasetSource:
    """``source`` itself, the source a path or URL names, or a code source with the run
    context's source tags (who, which script or notebook) when ``source`` is ``None``."""
    if source is None:
        return CodeDatasetSource(tags=context.system_tags())
    if isinstance(source, DatasetSource):
        return source
    return resolve_dataset_source(source)
