"""``NumpyDataset`` and ``from_numpy``: arrays (or dicts of arrays) of features and targets
as a dataset, with MLflow's digest, tensor schema and shape/size profile."""

from __future__ import annotations

import json
import logging
from functools import cached_property
from typing import Any

import numpy as np

from labtrack.data.dataset import Dataset
from labtrack.data.dataset_source import DatasetSource
from labtrack.data.digest_utils import compute_numpy_digest
from labtrack.data.schema import TensorDatasetSchema
from labtrack.data.sources_default import resolve_source
from labtrack.errors import InvalidParameterError
from labtrack.models.signature import Schema, TensorSpec, infer_schema

_logger = logging.getLogger(__name__)

Arrays = np.ndarray | dict[str, np.ndarray]


def _check(arrays: Any, what: str) -> Any:
    if arrays is None and what == "targets":
        return None
    if isinstance(arrays, dict):
        for key, value in arrays.items():
            if not isinstance(value, np.ndarray):
                raise InvalidParameterError(
                    f"from_numpy: {what}[{key!r}] is a {type(value).__name__}; give numpy arrays."
                )
        return arrays
    if not isinstance(arrays, np.ndarray):
        raise InvalidParameterError(
            f"from_numpy takes numpy arrays (or dicts of them) as {what}; got "
            f"{type(arrays).__name__}. Use np.asarray(...) first."
        )
    return arrays


class NumpyDataset(Dataset):
    """Features and optional targets, each an array or a dict of named arrays."""

    def __init__(
        self,
        features: Arrays,
        source: DatasetSource,
        targets: Arrays | None = None,
        name: str | None = None,
        digest: str | None = None,
    ) -> None:
        self._features: Arrays = _check(features, "features")
        self._targets: Arrays | None = _check(targets, "targets")
        super().__init__(source=source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        return compute_numpy_digest(self._features, self._targets)

    def to_dict(self) -> dict[str, str]:
        config = super().to_dict()
        schema = json.dumps(self.schema.to_dict()) if self.schema else None
        config.update({"schema": schema, "profile": json.dumps(self.profile)})  # type: ignore[dict-item]
        return config

    @property
    def features(self) -> Arrays:
        return self._features

    @property
    def targets(self) -> Arrays | None:
        return self._targets

    @property
    def profile(self) -> Any | None:
        def attribute(data: Arrays, name: str) -> Any:
            if isinstance(data, dict):
                return {key: getattr(array, name) for key, array in data.items()}
            return getattr(data, name)

        profile = {
            "features_shape": attribute(self._features, "shape"),
            "features_size": attribute(self._features, "size"),
            "features_nbytes": attribute(self._features, "nbytes"),
        }
        if self._targets is not None:
            profile.update(
                {
                    "targets_shape": attribute(self._targets, "shape"),
                    "targets_size": attribute(self._targets, "size"),
                    "targets_nbytes": attribute(self._targets, "nbytes"),
                }
            )
        return profile

    @cached_property
    def schema(self) -> TensorDatasetSchema | None:
        try:
            targets = _schema(self._targets) if self._targets is not None else None
            return TensorDatasetSchema(_schema(self._features), targets)
        except Exception as exc:  # noqa: BLE001 - a dataset without a schema is still a dataset
            _logger.warning("Failed to infer schema for NumPy dataset. Exception: %s", exc)
            return None


def _schema(arrays: Arrays) -> Schema:
    """One tensor spec, or one named spec per array of a dict (arrays of any lengths)."""
    if isinstance(arrays, dict):
        return Schema(
            [
                TensorSpec(spec.dtype, spec.shape, str(key))
                for key, array in arrays.items()
                for spec in infer_schema(array).inputs
                if isinstance(spec, TensorSpec)
            ]
        )
    return infer_schema(arrays)


def from_numpy(
    features: Arrays,
    source: str | DatasetSource | None = None,
    targets: Arrays | None = None,
    name: str | None = None,
    digest: str | None = None,
) -> NumpyDataset:
    """A :class:`NumpyDataset`; ``source`` defaults to the code that made it."""
    return NumpyDataset(features, resolve_source(source), targets, name, digest)
