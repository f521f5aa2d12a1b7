"""``PandasDataset`` and ``from_pandas``: a DataFrame as a dataset (MLflow's algorithm for
the digest; a column schema; rows and elements as the profile)."""

from __future__ import annotations

import json
import logging
from functools import cached_property
from typing import Any

import pandas as pd

from labtrack.data.dataset import Dataset
from labtrack.data.dataset_source import DatasetSource
from labtrack.data.digest_utils import compute_pandas_digest
from labtrack.data.sources_default import resolve_source
from labtrack.errors import InvalidParameterError
from labtrack.models.signature import Schema, infer_schema

_logger = logging.getLogger(__name__)


class PandasDataset(Dataset):
    """A pandas DataFrame with optional ``targets`` and ``predictions`` column names."""

    def __init__(
        self,
        df: pd.DataFrame,
        source: DatasetSource,
        targets: str | None = None,
        name: str | None = None,
        digest: str | None = None,
        predictions: str | None = None,
    ) -> None:
        if not isinstance(df, pd.DataFrame):
            raise InvalidParameterError(
                f"from_pandas takes a pandas DataFrame; got {type(df).__name__}."
            )
        for what, column in (("targets", targets), ("predictions", predictions)):
            if column is not None and column not in df.columns:
                raise InvalidParameterError(
                    f"The specified pandas DataFrame does not contain the specified {what} "
                    f"column '{column}'."
                )
        self._df = df
        self._targets = targets
        self._predictions = predictions
        super().__init__(source=source, name=name, digest=digest)

    def _compute_digest(self) -> str:
        return compute_pandas_digest(self._df)

    def to_dict(self) -> dict[str, str]:
        config = super().to_dict()
        schema = json.dumps({"mlflow_colspec": self.schema.to_dict()}) if self.schema else None
        config.update({"schema": schema, "profile": json.dumps(self.profile)})  # type: ignore[dict-item]
        return config

    @property
    def df(self) -> pd.DataFrame:
        return self._df

    @property
    def targets(self) -> str | None:
        return self._targets

    @property
    def predictions(self) -> str | None:
        return self._predictions

    @property
    def profile(self) -> Any | None:
        return {"num_rows": len(self._df), "num_elements": int(self._df.size)}

    @cached_property
    def schema(self) -> Schema | None:
        try:
            return infer_schema(self._df)
        except Exception as exc:  # noqa: BLE001 - a dataset without a schema is still a dataset
            _logger.debug("Failed to infer schema for Pandas dataset. Exception: %s", exc)
            return None


def from_pandas(
    df: pd.DataFrame,
    source: str | DatasetSource | None = None,
    targets: str | None = None,
    name: str | None = None,
    digest: str | None = None,
    predictions: str | None = None,
) -> PandasDataset:
    """A :class:`PandasDataset`; ``source`` defaults to the code that made it."""
    return PandasDataset(df, resolve_source(source), targets, name, digest, predictions)
