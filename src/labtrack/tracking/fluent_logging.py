"""Logging into the active run: params, metrics, tags, artifacts.

``log_metric`` queues the point for the background writer and returns: a training loop never
waits on disk. ``synchronous=True`` writes through; ``flush()`` waits for what is queued.
"""

from __future__ import annotations

import os
import time
from typing import Any

from labtrack import config
from labtrack.entities import Metric, Param, RunTag
from labtrack.tracking import _state, async_logging
from labtrack.tracking.active_model import ENV_VARS as _ACTIVE_MODEL_ENV
from labtrack.tracking.active_model import chosen_model_id, get_active_model_id
from labtrack.tracking.async_logging import RunOperations
from labtrack.tracking.fluent import (
    _resolve_experiment_id,
    check_params,
    get_or_start_run,
    record_params,
)
from labtrack.tracking.inputs import dataset_input, link_model_input
from labtrack.utils import validation

# Every environment variable log_metric reads on each call: async logging (``is_async``) and
# the active model (``get_active_model_id``).
_PER_CALL_ENV = (*async_logging.ENV_VARS, *_ACTIVE_MODEL_ENV)

__all__ = [
    "delete_tag",
    "flush",
    "flush_artifact_async_logging",
    "flush_async_logging",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "load_table",
    "log_table",
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
    """Log a param of the active run; returns ``value`` (with ``synchronous=False``, a
    ``RunOperations`` to ``wait()`` on). A param cannot change once set."""
    rid = _run_id()
    if async_logging.is_async(synchronous):  # refusals come from wait(), as in MLflow
        return _state.client().log_param(rid, key, value, synchronous)
    logged = {key: validation.param_value(key, value)}
    check_params(rid, logged)  # against what log_params queued, not yet in the store
    out = _state.client().log_param(rid, key, value, synchronous)
    record_params(rid, logged)
    return out


def _batches(
    rid: str, items: list[Any], size: int, field: str, synchronous: bool | None
) -> RunOperations | None:
    client = _state.client()
    futures = []
    for i in range(0, max(len(items), 1), size):
        ops = client.log_batch(rid, **{field: items[i : i + size]}, synchronous=synchronous)
        if ops is not None:
            futures += ops._operation_futures
    return RunOperations(futures) if async_logging.is_async(synchronous) else None


def log_params(
    params: dict[str, Any], synchronous: bool | None = None, run_id: str | None = None
) -> RunOperations | None:
    """Log several params in one transaction (all or none)."""
    if not isinstance(params, dict):
        raise validation.InvalidParameterError(
            f"log_params takes a dict of name -> value; got {type(params).__name__}."
        )
    stack = _state.run_stack()
    rid = _run_id(run_id)
    values = {
        validation.validate_key(k, "param key"): validation.param_value(k, v)
        for k, v in params.items()
    }
    if async_logging.is_async(synchronous):  # refusals come from wait(), as in MLflow
        items = [Param(k, v) for k, v in values.items()]
        return _batches(rid, items, validation.MAX_BATCH_PARAMS, "params", synchronous)
    check_params(rid, values)
    active = bool(stack) and rid == stack[-1].info.run_id
    if active and synchronous is None:
        # The active run of this thread: queued with its metric points, written with its end
        # (one transaction: params, last points, end) or by the writer's next flush (within
        # FLUSH_INTERVAL, so other processes see them while the run goes on). A value that
        # differs from what this process logged is refused now; the store's own refusal
        # (another process's value, a deleted run) comes from flush() and end_run().
        record_params(rid, values)
        if values:
            _state.writer().add_params(rid, values)
        return None
    items = [Param(k, v) for k, v in values.items()]
    out = _batches(rid, items, validation.MAX_BATCH_PARAMS, "params", synchronous)
    if active:
        record_params(rid, values)
    return out


class _QueuedMetrics(RunOperations):
    """What ``synchronous=False`` metric calls return: ``wait()`` waits for the metric writer
    (points are queued anyway; nothing more runs in the background)."""

    def wait(self) -> None:
        _state.writer().flush()


def _flushed() -> RunOperations:
    return _QueuedMetrics()


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
) -> RunOperations | None:
    """Log a metric point (value, step, timestamp in ms); history is kept in full.

    The point is queued for the background writer (``synchronous=True`` writes it before
    returning; ``synchronous=False`` also returns a ``RunOperations`` whose ``wait()`` waits
    for the writer). NaN and +/-inf are stored as they are. ``model_id`` links the point to a
    logged model and ``dataset`` (a ``labtrack.data`` dataset, logged as an input of the run)
    says what it was measured on, as in MLflow 3; such points are written at once. Without
    ``model_id=`` the point links to the active model (``set_active_model``), if any.
    """
    # One lookup of every variable read below; in the common case none is set, and the two
    # lookups it stands for (~0.8 µs of a ~2 µs call) are skipped.
    quiet = config.env_first(_PER_CALL_ENV) is None
    model_id = model_id or (chosen_model_id() if quiet else get_active_model_id())
    if model_id is not None or dataset is not None:
        _log_linked_metrics({key: value}, step, timestamp, run_id, model_id, dataset)
        return _flushed() if synchronous is not None or async_logging.is_async(None) else None
    if synchronous:
        rid = _run_id(run_id)
        _state.writer().flush()
        ts = int(time.time() * 1000) if timestamp is None else timestamp
        _state.client().log_metric(rid, key, value, ts, step)
        return None
    stack = _state.run_stack()
    if run_id is None:
        rid = stack[-1].info.run_id if stack else get_or_start_run().info.run_id
    else:
        rid = validation.run_id(run_id)
    _queue(rid, key, value, 0 if step is None else step, timestamp)
    if synchronous is not None or (not quiet and async_logging.is_async(None)):
        return _flushed()
    return None


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
) -> RunOperations | None:
    """Log several metrics at one step and time (queued, like :func:`log_metric`; linked to
    ``model_id``/``dataset`` as ``log_metric`` does)."""
    if not isinstance(metrics, dict):
        raise validation.InvalidParameterError(
            f"log_metrics takes a dict of name -> number; got {type(metrics).__name__}."
        )
    model_id = model_id or get_active_model_id()
    if model_id is not None or dataset is not None:
        _log_linked_metrics(metrics, step, timestamp, run_id, model_id, dataset)
        return _flushed() if synchronous is not None or async_logging.is_async(None) else None
    rid = _run_id(run_id)
    ts = int(time.time() * 1000) if timestamp is None else timestamp
    s = 0 if step is None else step
    if synchronous:
        _state.writer().flush()
        items = [Metric(k, v, ts, s) for k, v in metrics.items()]
        for i in range(0, len(items), validation.MAX_BATCH_METRICS):
            _state.client().log_batch(rid, metrics=items[i : i + validation.MAX_BATCH_METRICS])
        return None
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
    return _flushed() if synchronous is not None or async_logging.is_async(None) else None


def set_tag(key: str, value: Any, synchronous: bool | None = None) -> RunOperations | None:
    """Set a tag of the active run (``RunOperations`` with ``synchronous=False``)."""
    return _state.client().set_tag(_run_id(), key, value, synchronous)


def set_tags(tags: dict[str, Any], synchronous: bool | None = None) -> RunOperations | None:
    """Set several tags of the active run in one transaction."""
    if not isinstance(tags, dict):
        raise validation.InvalidParameterError(
            f"set_tags takes a dict of name -> value; got {type(tags).__name__}."
        )
    rid = _run_id()
    items = [RunTag(k, str(v)) for k, v in tags.items()]
    return _batches(rid, items, validation.MAX_BATCH_TAGS, "tags", synchronous)


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


def log_image(
    image: Any,
    artifact_file: str | None = None,
    key: str | None = None,
    step: int | None = None,
    timestamp: int | None = None,
    synchronous: bool | None = None,
    run_id: str | None = None,
) -> None:
    """Save a numpy array or PIL image: as the file ``artifact_file``, or as step ``step`` of
    the image series ``key`` (MLflow's ``images/`` layout, shown by MLflow's image charts).

    >>> log_image(array, key="dogs", step=3)  # doctest: +SKIP
    """
    _state.client().log_image(
        _run_id(run_id), image, artifact_file, key, step, timestamp, synchronous
    )


def log_table(data: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Log a DataFrame or dict of columns as a table artifact (``.json`` or ``.parquet``);
    logging to the same file again appends rows.

    >>> log_table({"inputs": ["q1"], "score": [0.5]}, "eval.json")  # doctest: +SKIP
    """
    _state.client().log_table(_run_id(run_id), data, artifact_file)


def load_table(
    artifact_file: str,
    run_ids: list[str] | None = None,
    extra_columns: list[str] | None = None,
) -> Any:
    """The table ``artifact_file`` from ``run_ids`` (default: every run of the active
    experiment that logged it), as one DataFrame."""
    return _state.client().load_table(
        _resolve_experiment_id(), artifact_file, run_ids, extra_columns
    )


def flush() -> None:
    """Wait until every queued metric point and background operation is in the store."""
    async_logging.flush()
    _state.writer().flush()


def flush_async_logging() -> None:
    """MLflow's name for :func:`flush`."""
    flush()


def flush_artifact_async_logging() -> None:
    """Artifacts are written before the call that logs them returns: nothing to wait for."""
