"""Logging into the active run: params, metrics, tags, artifacts.

``log_metric`` queues the point for the background writer and returns: a training loop never
waits on disk. ``synchronous=True`` writes through; ``flush()`` waits for what is queued.
"""

from __future__ import annotations

import os
import time
from typing import Any

from labtrack.entities import Metric, Param, RunTag
from labtrack.tracking import _state
from labtrack.tracking.active_model import get_active_model_id
from labtrack.tracking.fluent import get_or_start_run
from labtrack.tracking.inputs import dataset_input, link_model_input
from labtrack.utils import validation

__all__ = [
    "delete_tag",
    "flush",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "log_text",
    "set_tag",
    "set_tags",
]

_valid_keys = validation._valid_keys
_time_ns = time.time_ns


def _run_id(run_id: str | None = None) -> str:
    if run_id is not None:
        return validation.run_id(run_id)
    return get_or_start_run().info.run_id


def log_param(key: str, value: Any, synchronous: bool | None = None) -> Any:
    """Log a param of the active run; returns ``value``. A param cannot change once set."""
    _state.client().log_param(_run_id(), key, value)
    return value


def log_params(
    params: dict[str, Any], synchronous: bool | None = None, run_id: str | None = None
) -> None:
    """Log several params in one transaction (all or none)."""
    if not isinstance(params, dict):
        raise validation.InvalidParameterError(
            f"log_params takes a dict of name -> value; got {type(params).__name__}."
        )
    rid = _run_id(run_id)
    items = [Param(k, validation.param_value(k, v)) for k, v in params.items()]
    for i in range(0, max(len(items), 1), validation.MAX_BATCH_PARAMS):
        _state.client().log_batch(rid, params=items[i : i + validation.MAX_BATCH_PARAMS])


def _queue(run_id: str, key: str, value: Any, step: Any, timestamp: Any) -> None:
    if key not in _valid_keys:
        validation.validate_key(key, "metric key")
    v = value if type(value) is float else validation.metric_value(key, value)
    s = step if type(step) is int else validation.step_value(key, step)
    ts = (
        _time_ns() // 1_000_000 if timestamp is None else validation.timestamp_value(key, timestamp)
    )
    _state.writer().append((run_id, key, v, ts, s))


def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    synchronous: bool | None = None,
    timestamp: int | None = None,
    run_id: str | None = None,
    model_id: str | None = None,
    dataset: Any = None,
) -> None:
    """Log a metric point (value, step, timestamp in ms); history is kept in full.

    NaN and +/-inf are stored as they are. ``model_id`` links the point to a logged model and
    ``dataset`` (a ``labtrack.data`` dataset, logged as an input of the run) says what it was
    measured on, as in MLflow 3; such points are written at once. Without ``model_id=`` the
    point links to the active model (``set_active_model``), if any.
    """
    model_id = model_id or get_active_model_id()
    if model_id is not None or dataset is not None:
        _log_linked_metrics({key: value}, step, timestamp, run_id, model_id, dataset)
        return
    if synchronous:
        rid = _run_id(run_id)
        _state.writer().flush()
        ts = int(time.time() * 1000) if timestamp is None else timestamp
        _state.client().log_metric(rid, key, value, ts, step)
        return
    stack = _state.run_stack()
    if run_id is None:
        rid = stack[-1].info.run_id if stack else get_or_start_run().info.run_id
    else:
        rid = validation.run_id(run_id)
    _queue(rid, key, value, 0 if step is None else step, timestamp)


def _log_linked_metrics(
    metrics: dict[str, float],
    step: int | None,
    timestamp: int | None,
    run_id: str | None,
    model_id: str | None,
    dataset: Any,
) -> None:
    """Write points linked to a model and/or dataset at once; the dataset becomes an input of
    the run, and so does the model unless the run logged it (MLflow 3)."""
    rid = _run_id(run_id)
    client = _state.client()
    name = digest = None
    if dataset is not None:
        record = dataset_input(dataset)
        client.log_inputs(rid, [record])
        name, digest = record.dataset.name, record.dataset.digest
    if model_id is not None:
        link_model_input(rid, model_id)
    _state.writer().flush()
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    for key, value in metrics.items():
        client.log_metric(rid, key, value, ts, step, None, name, digest, model_id)


def log_metrics(
    metrics: dict[str, float],
    step: int | None = None,
    synchronous: bool | None = None,
    run_id: str | None = None,
    timestamp: int | None = None,
    model_id: str | None = None,
    dataset: Any = None,
) -> None:
    """Log several metrics at one step and time (linked to ``model_id``/``dataset`` as
    ``log_metric`` does)."""
    if not isinstance(metrics, dict):
        raise validation.InvalidParameterError(
            f"log_metrics takes a dict of name -> number; got {type(metrics).__name__}."
        )
    model_id = model_id or get_active_model_id()
    if model_id is not None or dataset is not None:
        _log_linked_metrics(metrics, step, timestamp, run_id, model_id, dataset)
        return
    rid = _run_id(run_id)
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    s = 0 if step is None else step
    if synchronous:
        _state.writer().flush()
        items = [Metric(k, v, ts, s) for k, v in metrics.items()]
        for i in range(0, len(items), validation.MAX_BATCH_METRICS):
            _state.client().log_batch(rid, metrics=items[i : i + validation.MAX_BATCH_METRICS])
        return
    # Validate all before queueing any: a bad value rejects the whole call.
    checked = [
        (validation.validate_key(k, "metric key"), validation.metric_value(k, v))
        for k, v in metrics.items()
    ]
    s = validation.step_value("step", s)
    ts = validation.timestamp_value("timestamp", ts)
    writer = _state.writer()
    for k, v in checked:
        writer.append((rid, k, v, ts, s))


def set_tag(key: str, value: Any, synchronous: bool | None = None) -> None:
    _state.client().set_tag(_run_id(), key, value)


def set_tags(tags: dict[str, Any], synchronous: bool | None = None) -> None:
    if not isinstance(tags, dict):
        raise validation.InvalidParameterError(
            f"set_tags takes a dict of name -> value; got {type(tags).__name__}."
        )
    rid = _run_id()
    items = [RunTag(k, str(v)) for k, v in tags.items()]
    for i in range(0, max(len(items), 1), validation.MAX_BATCH_TAGS):
        _state.client().log_batch(rid, tags=items[i : i + validation.MAX_BATCH_TAGS])


def delete_tag(key: str) -> None:
    _state.client().delete_tag(_run_id(), key)


def log_artifact(
    local_path: str | os.PathLike[str], artifact_path: str | None = None, run_id: str | None = None
) -> None:
    """Upload a file (or folder) into the run's artifacts, under ``artifact_path``."""
    _state.client().log_artifact(_run_id(run_id), local_path, artifact_path)


def log_artifacts(
    local_dir: str | os.PathLike[str], artifact_path: str | None = None, run_id: str | None = None
) -> None:
    """Upload a folder's contents into the run's artifacts."""
    _state.client().log_artifacts(_run_id(run_id), local_dir, artifact_path)


def log_text(text: str, artifact_file: str, run_id: str | None = None) -> None:
    """Save a string as an artifact file (``"notes/summary.md"``)."""
    _state.client().log_text(_run_id(run_id), text, artifact_file)


def log_dict(dictionary: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Save a dict as JSON, or YAML when ``artifact_file`` ends in .yaml/.yml."""
    _state.client().log_dict(_run_id(run_id), dictionary, artifact_file)


def log_figure(
    figure: Any,
    artifact_file: str,
    *,
    save_kwargs: dict[str, Any] | None = None,
    run_id: str | None = None,
) -> None:
    """Save a matplotlib or plotly figure as an artifact (format from the file extension)."""
    _state.client().log_figure(_run_id(run_id), figure, artifact_file, save_kwargs)


def log_image(image: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Save a numpy array or PIL image as an image artifact."""
    _state.client().log_image(_run_id(run_id), image, artifact_file)


def flush() -> None:
    """Wait until every queued metric point is in the store."""
    _state.writer().flush()
