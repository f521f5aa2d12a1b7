"""``CodeDatasetSource``: a dataset built in code (the default source of ``from_pandas``)."""

from __future__ import annotations

from typing import Any

from labtrack.data.dataset_source import DatasetSource
from labtrack.errors import InvalidParameterError


class CodeDatasetSource(DatasetSource):
    """Data made by code; ``tags`` say which code (the run context's source tags)."""

    def __init__(self, tags: dict[Any, Any]) -> None:
        self._tags = tags

    @staticmethod
    def _get_source_type() -> str:
        return "code"

    def load(self, **kwargs: Any) -> Any:
        raise InvalidParameterError(
            "A dataset built in code has nothing to load: run the code that built it again."
        )

    @staticmethod
    def _can_resolve(raw_source: Any) -> bool:
        return False

    @classmethod
    def _resolve(cls, raw_source: Any) -> CodeDatasetSource:
        raise InvalidParameterError("A code source cannot be resolved from a path or URL.")

    def to_dict(self) -> dict[Any, Any]:
        return {"tags": self._tags}

    @classmethod
    def from_dict(cls, source_dict: dict[Any, Any]) -> CodeDatasetSource:
        return cls(tags=source_dict.get("tags") or {})
