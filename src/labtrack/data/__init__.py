"""Datasets a run used: build one from data, log it with ``labtrack.log_input``.

MLflow's ``mlflow.data``: the same constructors, classes, digests (so the same data gets the
same digest under both tools), schemas, profiles and sources.

>>> import labtrack as mlflow                                             # doctest: +SKIP
>>> dataset = mlflow.data.from_pandas(df, source="diabetes.csv", targets="target")
>>> with mlflow.start_run():                                              # doctest: +SKIP
...     mlflow.log_input(dataset, context="training")

pandas and numpy load when a constructor is first called, not with this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labtrack.data import sources
from labtrack.data.dataset import Dataset
from labtrack.data.dataset_source import DatasetSource
from labtrack.data.dataset_source_registry import (
    get_dataset_source_from_json,
    get_registered_sources,
)
from labtrack.entities.dataset import Dataset as DatasetEntity
from labtrack.entities.dataset import DatasetInput
from labtrack.errors import InvalidParameterError

if TYPE_CHECKING:
    from labtrack.data.numpy_dataset import NumpyDataset
    from labtrack.data.pandas_dataset import PandasDataset

__all__ = [
    "Dataset",
    "DatasetSource",
    "from_numpy",
    "from_pandas",
    "get_source",
    "sources",
]


def get_source(dataset: DatasetEntity | DatasetInput | Dataset) -> DatasetSource:
    """Where a dataset came from, for a dataset object or one read back from a run.

    >>> get_source(run.inputs.dataset_inputs[0]).uri                    # doctest: +SKIP
    'diabetes.csv'
    """
    if isinstance(dataset, DatasetInput):
        dataset = dataset.dataset
    if isinstance(dataset, DatasetEntity):
        return get_dataset_source_from_json(dataset.source, dataset.source_type)
    if isinstance(dataset, Dataset):
        return dataset.source
    raise InvalidParameterError(
        f"get_source takes a dataset (mlflow.data.from_pandas(...)) or one read from a run "
        f"(run.inputs.dataset_inputs[0]); got {type(dataset).__name__}."
    )


def from_pandas(
    df: Any,
    source: str | DatasetSource | None = None,
    targets: str | None = None,
    name: str | None = None,
    digest: str | None = None,
    predictions: str | None = None,
) -> PandasDataset:
    """A dataset of a pandas DataFrame; ``source`` is where it came from (a path or URL),
    by default the code that made it."""
    # lazy: pandas loads with the first dataset, not with ``labtrack.data``.
    from labtrack.data.pandas_dataset import from_pandas as make

    return make(df, source, targets, name, digest, predictions)


def from_numpy(
    features: Any,
    source: str | DatasetSource | None = None,
    targets: Any = None,
    name: str | None = None,
    digest: str | None = None,
) -> NumpyDataset:
    """A dataset of numpy arrays (or dicts of them): features and optional targets."""
    # lazy: numpy and pandas load with the first dataset, not with ``labtrack.data``.
    from labtrack.data.numpy_dataset import from_numpy as make

    return make(features, source, targets, name, digest)


# ``mlflow.data.sources`` lists every source class by name, as MLflow's does.
for _source in get_registered_sources():
    setattr(sources, _source.__name__, _source)
    if _source.__name__ not in sources.__all__:
        sources.__all__.append(_source.__name__)
