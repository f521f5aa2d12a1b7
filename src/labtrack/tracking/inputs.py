"""What the active run used and produced: datasets (``log_input``) and logged models.

>>> dataset = mlflow.data.from_pandas(df, targets="y")                 # doctest: +SKIP
>>> mlflow.log_input(dataset, context="training")                     # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from labtrack.entities.dataset import DatasetInput, InputTag
from labtrack.entities.logged_model import LoggedModelInput, LoggedModelOutput
from labtrack.errors import InvalidParameterError
from labtrack.tracking import _state
from labtrack.tracking.fluent import get_or_start_run

__all__ = ["link_model_input", "log_input", "log_inputs", "log_outputs"]

# The input tag that says how a run used a dataset (training, evaluation...): MLflow's name.
DATASET_CONTEXT = "mlflow.data.context"


def dataset_input(
    dataset: Any, context: str | None = None, tags: dict[str, Any] | None = None
) -> DatasetInput:
    """The record of one use of ``dataset`` (a ``labtrack.data`` dataset)."""
    to_entity = getattr(dataset, "_to_mlflow_entity", None)
    if to_entity is None:
        raise InvalidParameterError(
            f"log_input takes a dataset made by labtrack.data (from_pandas, from_numpy...); "
            f"got {type(dataset).__name__}."
        )
    if tags is not None and not isinstance(tags, dict):
        raise InvalidParameterError(f"tags must be a dict of name -> value; got {tags!r}.")
    all_tags = {str(k): str(v) for k, v in (tags or {}).items()}
    if context is not None:
        all_tags[DATASET_CONTEXT] = str(context)
    return DatasetInput(to_entity(), [InputTag(k, v) for k, v in all_tags.items()])


def link_model_input(run_id: str, model_id: str) -> None:
    """Record ``model_id`` as an input of the run unless the run already used or produced it:
    MLflow 3 does this when a run's metrics are linked to a model it did not log."""
    run = _state.client().get_run(run_id)
    known = {i.model_id for i in run.inputs.model_inputs}
    known |= {o.model_id for o in run.outputs.model_outputs}
    if model_id not in known:
        _state.client().log_inputs(run_id, None, [LoggedModelInput(model_id)])


def log_input(
    dataset: Any = None,
    context: str | None = None,
    tags: dict[str, Any] | None = None,
    model: LoggedModelInput | None = None,
) -> None:
    """Record that the active run used ``dataset`` (``context="training"``, ``"evaluation"``
    ...; ``tags`` for more) and/or the logged model ``model``. A run starts if none is."""
    if dataset is None and model is None:
        raise InvalidParameterError("log_input needs a dataset or a model (LoggedModelInput).")
    datasets = [dataset_input(dataset, context, tags)] if dataset is not None else None
    models = [model] if model is not None else None
    _state.client().log_inputs(get_or_start_run().info.run_id, datasets, models)


def log_inputs(
    datasets: list[Any] | None = None,
    contexts: list[str | None] | None = None,
    tags_list: list[dict[str, Any] | None] | None = None,
    models: list[LoggedModelInput] | None = None,
) -> None:
    """``log_input`` for several datasets at once (``contexts`` and ``tags_list`` parallel to
    ``datasets``)."""
    datasets = datasets or []
    for name, values in (("contexts", contexts), ("tags_list", tags_list)):
        if values is not None and len(values) != len(datasets):
            raise InvalidParameterError(
                f"{name} must have one entry per dataset ({len(datasets)}); got {len(values)}."
            )
    inputs = [
        dataset_input(
            ds, (contexts or [None] * len(datasets))[i], (tags_list or [None] * len(datasets))[i]
        )
        for i, ds in enumerate(datasets)
    ]
    _state.client().log_inputs(get_or_start_run().info.run_id, inputs, models)


def log_outputs(models: list[LoggedModelOutput] | None = None) -> None:
    """Record logged models the active run produced."""
    _state.client().log_outputs(get_or_start_run().info.run_id, models or [])
