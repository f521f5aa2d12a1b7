"""``DatasetSource``: where a dataset came from (a file, a URL, the code that built it).

A source turns into a JSON dict (``to_json``) stored with the dataset, and back
(``from_json``), so a run's dataset can say where its data lives.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from typing import Any


class DatasetSource:
    """The base of every dataset source (MLflow's ``mlflow.data.dataset_source``)."""

    @staticmethod
    @abstractmethod
    def _get_source_type() -> str:
        """The kind of source (``local``, ``http``, ``code``...), stored as ``source_type``."""

    @abstractmethod
    def load(self) -> Any:
        """Fetch the data the source points at (a local path for files)."""

    @staticmethod
    @abstractmethod
    def _can_resolve(raw_source: Any) -> bool:
        """Whether this kind of source understands ``raw_source`` (a path, a URL...)."""

    @classmethod
    @abstractmethod
    def _resolve(cls, raw_source: Any) -> DatasetSource:
        """The source ``raw_source`` names."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The source as a JSON-able dict."""

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    @abstractmethod
    def from_dict(cls, source_dict: dict[Any, Any]) -> DatasetSource:
        """The source ``to_dict`` described."""

    @classmethod
    def from_json(cls, source_json: str) -> DatasetSource:
        return cls.from_dict(json.loads(source_json))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_dict()!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DatasetSource)
            and type(other) is type(self)
            and (self.to_dict() == other.to_dict())
        )
