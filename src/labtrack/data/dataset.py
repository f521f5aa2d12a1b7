"""``Dataset``: data a run used, with a name, a digest (its fingerprint) and a source.

Subclasses (:class:`~labtrack.data.pandas_dataset.PandasDataset`,
:class:`~labtrack.data.numpy_dataset.NumpyDataset`) compute the digest, schema and profile;
``_to_mlflow_entity`` gives the record a run stores.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from typing import Any

from labtrack.data.dataset_source import DatasetSource
from labtrack.entities.dataset import Dataset as DatasetEntity


class Dataset:
    """The base of every dataset (MLflow's ``mlflow.data.dataset.Dataset``)."""

    def __init__(
        self, source: DatasetSource, name: str | None = None, digest: str | None = None
    ) -> None:
        self._name = name
        self._source = source
        self._digest = digest or self._compute_digest()

    @abstractmethod
    def _compute_digest(self) -> str:
        """The dataset's fingerprint (8 hex digits for the built-in kinds)."""

    def to_dict(self) -> dict[str, str]:
        """Name, digest, source (JSON) and source type; subclasses add schema and profile."""
        return {
            "name": self.name,
            "digest": self.digest,
            "source": self.source.to_json(),
            "source_type": self.source._get_source_type(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def _get_source_type(self) -> str:
        return self.source._get_source_type()

    @property
    def name(self) -> str:
        """The name given, or ``"dataset"``."""
        return self._name if self._name is not None else "dataset"

    @property
    def digest(self) -> str:
        return self._digest

    @property
    def source(self) -> DatasetSource:
        return self._source

    @property
    @abstractmethod
    def profile(self) -> Any | None:
        """Summary figures (row counts, shapes...), JSON-able."""

    @property
    @abstractmethod
    def schema(self) -> Any | None:
        """The columns or tensors and their types, if they can be inferred."""

    def _to_mlflow_entity(self) -> DatasetEntity:
        """The record a run stores for this dataset."""
        d = self.to_dict()
        return DatasetEntity(
            name=d["name"],
            digest=d["digest"],
            source_type=d["source_type"],
            source=d["source"],
            schema=d.get("schema"),
            profile=d.get("profile"),
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} digest={self.digest!r}>"
