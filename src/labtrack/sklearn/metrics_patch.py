"""Post-training metrics: ``sklearn.metrics`` calls on an autologged model's predictions.

After an autologged fit, the model is remembered with its run. Its ``predict`` (and
``predict_proba``, ``predict_log_proba``, ``transform``) results are remembered with the name
of the variable that held the input, found in the caller's frames (the outermost name wins;
``dataset`` when there is none). When a patched ``sklearn.metrics`` function receives such a
result, its value is logged to the model's run, even if the run has ended, as
``<metric>[-<n>]_<dataset>``: ``mean_squared_error_X_test``, then
``mean_squared_error-2_X_test`` on a second call. ``model.score(X_test, y)`` logs
``<Estimator>_score_X_test``. Like MLflow, only functions looked up on ``sklearn.metrics`` after
``autolog()`` are seen (``from sklearn.metrics import f1_score`` after enabling it works).

Nothing here keeps a model, a dataset or a prediction alive: results are tracked by id with
a finalizer that forgets them when they are collected.
"""

from __future__ import annotations

import inspect
import json
import sys
import weakref
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from labtrack.entities import Metric
from labtrack.sklearn import _patching
from labtrack.sklearn._patching import local, raised
from labtrack.sklearn.training import now_ms, training_dataset
from labtrack.tracking import _state
from labtrack.tracking.inputs import dataset_input

FALLBACK_DATASET = "dataset"
EXCLUDED = {"check_scoring", "get_scorer", "get_scorer_names", "make_scorer"}

_model_runs: dict[int, str] = {}
_model_ids: dict[int, str | None] = {}  # the logged model of each tracked estimator
_predictions: dict[int, tuple[str, str, str | None]] = {}
_datasets: dict[tuple[str, str], list[int]] = defaultdict(list)
_calls: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)


def reset() -> None:
    _model_runs.clear()
    _model_ids.clear()
    _predictions.clear()
    _datasets.clear()
    _calls.clear()


def _active() -> bool:
    cfg = _patching.config
    return (
        cfg is not None
        and cfg.log_post_training_metrics
        and local.depth == 0
        and local.quiet == 0
        and local.disabled == 0
    )


def register_model(model: Any, run_id: str, model_id: str | None = None) -> None:
    key = id(model)
    try:
        weakref.finalize(model, _model_runs.pop, key, None)
        weakref.finalize(model, _model_ids.pop, key, None)
    except TypeError:
        return  # not weak-referenceable: cannot be tracked safely by id
    _model_runs[key] = run_id
    _model_ids[key] = model_id


def run_of(model: Any) -> str | None:
    return _model_runs.get(id(model))


# -- names from the caller's frames ------------------------------------------------------------
def variable_name(obj: Any, fallback: str = FALLBACK_DATASET) -> str:
    """The outermost caller variable bound to ``obj`` (skipping labtrack's own frames)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("labtrack."):
        frame = frame.f_back  # type: ignore[assignment]
    found = None
    while frame is not None:
        for name, value in frame.f_locals.items():
            if value is obj and not name.startswith("_") and name.isidentifier():
                found = name
                break
        frame = frame.f_back  # type: ignore[assignment]
    return found or fallback


def _dataset_name(run_id: str, data: Any) -> str:
    name = variable_name(data)
    seen = _datasets[(run_id, name)]
    if id(data) not in seen:
        seen.append(id(data))
    index = seen.index(id(data))
    return name if index == 0 else f"{name}-{index + 1}"


def _remember(result: Any, run_id: str, dataset: str, model_id: str | None) -> None:
    key = id(result)
    try:
        weakref.finalize(result, _predictions.pop, key, None)
    except TypeError:
        return
    _predictions[key] = (run_id, dataset, model_id)


def _lookup(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, str, str | None] | None:
    for arg in (*args, *kwargs.values()):
        if arg is not None and not isinstance(arg, (str, int, float, bool)):
            found = _predictions.get(id(arg))
            if found is not None:
                return found
    return None


def _metric_key(run_id: str, metric: str, dataset: str, command: str) -> str:
    calls = _calls[(run_id, metric)]
    name = metric if not calls else f"{metric}-{len(calls) + 1}"
    key = f"{name}_{dataset}"
    calls.append((key, command))
    return key


def _command(
    fn_name: str, fn: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
) -> str:
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []

    def text(value: Any) -> str:
        if value is None or isinstance(value, (str, int, float, bool)):
            return repr(value)[:40]
        return variable_name(value, f"<{type(value).__name__}>")

    parts = [f"{n}={text(v)}" for n, v in zip(names, args, strict=False)] + [
        f"{n}={text(v)}" for n, v in kw.items()
    ]
    return f"{fn_name}({', '.join(parts)})"


def _log(run_id: str, key: str, value: Any, model_id: str | None = None) -> None:

    client = _state.client()
    # The run may have ended (autolog ends the runs it starts): the store lets metrics in.
    # Linked to the estimator's logged model, as MLflow 3 does.
    point = Metric(key, float(value), now_ms(), 0, model_id)
    client.store.log_batch(run_id, metrics=[point], allow_terminated=True)
    info = {k: c for (rid, _), calls in _calls.items() if rid == run_id for k, c in calls}
    client.log_text(run_id, json.dumps(dict(sorted(info.items())), indent=2), "metric_info.json")


def _loggable(value: Any) -> bool:
    import numpy as np

    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


# -- hooks ------------------------------------------------------------------------------------
def predict_hook(
    bound: Callable[..., Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    run_id = run_of(est) if _active() else None
    if run_id is None:
        return bound(*args, **kwargs)
    with raised("quiet"):
        result = bound(*args, **kwargs)
    try:
        data = args[0] if args else next(iter(kwargs.values()), None)
        _remember(result, run_id, _dataset_name(run_id, data), _model_ids.get(id(est)))
    except Exception as exc:
        _patching.warn(f"labtrack autologging could not track a prediction ({exc}).")
    cfg = _patching.config
    if cfg is not None and cfg.log_datasets:
        try:
            _log_eval_dataset(run_id, data)
        except Exception as exc:
            _patching.warn(f"labtrack autologging could not log the evaluation dataset ({exc}).")
    return result


def _log_eval_dataset(run_id: str, data: Any) -> None:
    """The data a tracked model predicted on, as an input of its run (context ``eval``)."""
    dataset = training_dataset(data, None)
    if dataset is not None:
        _state.client().log_inputs(run_id, [dataset_input(dataset, context="eval")])


def score_hook(
    bound: Callable[..., Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    run_id = run_of(est) if _active() else None
    if run_id is None:
        return bound(*args, **kwargs)
    with raised("quiet"):
        value = bound(*args, **kwargs)
    try:
        if _loggable(value):
            data = args[0] if args else next(iter(kwargs.values()), None)
            dataset = _dataset_name(run_id, data)
            name = f"{type(est).__name__}_score"
            command = _command(f"{type(est).__name__}.score", bound, args, kwargs)
            key = _metric_key(run_id, name, dataset, command)
            _log(run_id, key, value, _model_ids.get(id(est)))
    except Exception as exc:
        _patching.warn(f"labtrack autologging could not log {type(est).__name__}.score ({exc}).")
    return value


def metric_wrapper(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    import functools

    @functools.wraps(original)
    def metric(*args: Any, **kwargs: Any) -> Any:
        if not _active():
            return original(*args, **kwargs)
        with raised("quiet"):
            value = original(*args, **kwargs)
        try:
            found = _lookup(args, kwargs) if _loggable(value) else None
            if found is not None:
                run_id, dataset, model_id = found
                command = _command(name, original, args, kwargs)
                _log(run_id, _metric_key(run_id, name, dataset, command), value, model_id)
        except Exception as exc:
            _patching.warn(f"labtrack autologging could not log {name} ({exc}).")
        return value

    return metric


def metric_names() -> list[str]:
    import sklearn.metrics

    return [
        n
        for n in sklearn.metrics.__all__
        if n not in EXCLUDED
        and not n.startswith("plot_")
        and inspect.isfunction(getattr(sklearn.metrics, n, None))
    ]
