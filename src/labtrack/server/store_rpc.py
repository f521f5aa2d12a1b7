"""``POST store/<method>``: the store contract over HTTP, for labtrack's REST store.

A client whose tracking URI is this server (``labtrack.store.rest``) calls each contract
method here by name: the arguments are decoded (:mod:`labtrack.store.rest.codec`), checked
against the method's signature and type hints, the method runs on this server's store, and the
result (or the error, with its class) goes back. Only the contract's methods can be called.

- Artifact locations travel as ``mlflow-artifacts:/<path>`` and are mapped to and from this
  server's artifact root (the client reaches the files through the artifact proxy).
- Metric points (``log_metric_points``, what clients' background writers send) are checked
  here (a client is not trusted to have done it) and share the group commit of MLflow's
  ``log-batch`` (:mod:`labtrack.server.mlflow.ingest`).
- In team mode (``c.Labtrack.permissions``) each call is checked against the caller's
  permissions (:mod:`.permissions_store`); a method without a rule there is refused.
- A retried request (same ``X-Labtrack-Request-Id``) gets the answer the first one got, so a
  write whose answer was lost on the way is done once.
"""

from __future__ import annotations

import inspect
import json
import threading
import time
import types
import typing
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack import errors
from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.server.base import LabtrackHandler
from labtrack.server.hub_user import stamp_run_user
from labtrack.server.mlflow.ingest import ingest_for
from labtrack.server.mlflow.messages import ArtifactUris
from labtrack.server.permissions_store import GuardedStore, points_store
from labtrack.store.contract import MetricPoint, TrackingStore
from labtrack.store.rest import codec, point_columns
from labtrack.store.rest.point_columns import COLUMNS
from labtrack.utils import gc as gc_pause
from labtrack.utils import validation
from labtrack.utils.json_body import parse_json

__all__ = ["CONTRACT_METHODS", "StoreRpcHandler"]

CONTRACT_METHODS = frozenset(TrackingStore.__abstractmethods__)
REPLAY_SECONDS = 600.0
REPLAY_ENTRIES = 4096
REPLAY_MAX_BYTES = 64 * 1024


class _Replies:
    """Recent answers by request id (bounded in number, size and age)."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, int, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, str] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > REPLAY_SECONDS:
                return None
            return item[1], item[2]

    def put(self, key: str, status: int, body: str) -> None:
        if len(body) > REPLAY_MAX_BYTES:
            return  # large answers are reads, which may simply run again
        with self._lock:
            self._items[key] = (time.monotonic(), status, body)
            self._items.move_to_end(key)
            while len(self._items) > REPLAY_ENTRIES:
                self._items.popitem(last=False)


replies = _Replies()


# -- checking arguments against the contract's type hints ---------------------------------------


def _hints(method: str) -> dict[str, Any]:
    # The method's own module resolves its hints (the contract spans two modules).
    return typing.get_type_hints(getattr(TrackingStore, method))


_HINTS = {name: _hints(name) for name in CONTRACT_METHODS}
_SIGNATURES = {name: inspect.signature(getattr(TrackingStore, name)) for name in CONTRACT_METHODS}


def _fits(value: Any, hint: Any) -> bool:
    """Whether a decoded argument has the type the contract declares (the shapes it uses)."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is tuple:
        args = typing.get_args(hint)
        return (
            isinstance(value, (tuple, list))
            and len(value) == len(args)
            and all(_fits(v, a) for v, a in zip(value, args, strict=True))
        )
    if origin in (list, Sequence, typing.Sequence):
        (item,) = typing.get_args(hint) or (Any,)
        return isinstance(value, (list, tuple)) and all(_fits(v, item) for v in value)
    if origin in (dict, Mapping, typing.Mapping):
        key, item = typing.get_args(hint) or (Any, Any)
        return isinstance(value, dict) and all(
            _fits(k, key) and _fits(v, item) for k, v in value.items()
        )
    if isinstance(hint, type):
        return isinstance(value, hint)
    return False


_valid_keys = validation._valid_keys  # keys already checked in this process
_INT64_MIN, _INT64_MAX = -validation.MAX_INT64 - 1, validation.MAX_INT64
_NO_RESULT = json.dumps({"result": None})
_POINT_SHAPE = (
    "Each metric point is [run_id, key, value, timestamp, step]: a run id, a key, a number and "
    "two integers."
)


def _points(values: Any) -> list[MetricPoint]:
    """Metric points from a client (the JSON lists the writer sends), checked as the SQL store
    expects them.

    The writer's batches (up to 20,000 points) arrive here on the event loop, so this is the
    only check they get (not the contract's generic type walk, which cost ~10x more): a point
    of exact types passes in a few comparisons, any other goes through the full checks.
    """
    if not isinstance(values, list):
        raise InvalidParameterError("'points' must be a list of [run_id, key, value, ts, step].")
    out: list[MetricPoint] = []
    append = out.append
    checked_runs: set[str] = set()
    for point in values:
        if type(point) not in (list, tuple) or len(point) != 5:
            raise InvalidParameterError(f"{_POINT_SHAPE} Got {str(point)[:80]}.")
        run_id, key, value, timestamp, step = point
        if run_id not in checked_runs:
            checked_runs.add(validation.run_id(run_id))
        if key not in _valid_keys:
            validation.validate_key(key, "metric key")
        if type(value) is not float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidParameterError(f"{_POINT_SHAPE} The value {value!r} is not.")
            value = float(value)
        if type(timestamp) is not int or not _INT64_MIN <= timestamp <= _INT64_MAX:
            timestamp = validation.timestamp_value(key, timestamp)
        if type(step) is not int or not _INT64_MIN <= step <= _INT64_MAX:
            step = validation.step_value(key, step)
        append((run_id, key, value, timestamp, step))
    return out


def _batch(args: dict[str, Any]) -> list[MetricPoint]:
    """The checked points of a writer's batch: JSON lists (``points``) or packed columns
    (``columns``, :mod:`labtrack.store.rest.point_columns`), whose numbers need no check: a
    float64 is a float, an int64 fits the store. Their names are checked once per series."""
    if COLUMNS not in args:
        return _points(args["points"])
    series, points = point_columns.decode(args[COLUMNS])
    for run_id, key in series:
        validation.run_id(run_id)
        if key not in _valid_keys:
            validation.validate_key(key, "metric key")
    return points


_SCALARS = (str, int, float, bool, type(None))


def _loosely_fits(value: Any, hint: Any) -> bool:
    """A scalar where the contract names another scalar type: the store itself says what is
    wrong with it (as it does in process, ``get_experiment(7)`` works and ``get_experiment(1.5)``
    says what an experiment id is)."""
    scalars = [a for a in typing.get_args(hint) or (hint,) if a in _SCALARS]
    return bool(scalars) and isinstance(value, _SCALARS)


def arguments(method: str, raw: Any, uris: ArtifactUris) -> tuple[dict[str, Any], list[str]]:
    """The keyword arguments of ``method`` from a request's ``args``, checked against the
    contract, and the names of those that only loosely fit it (a scalar of another type)."""
    if not isinstance(raw, dict):
        raise InvalidParameterError('The body must be {"args": {<argument>: <value>, ...}}.')
    kwargs: dict[str, Any] = codec.decode(raw, uris.from_wire)
    try:
        _SIGNATURES[method].bind(None, **kwargs)
    except TypeError as exc:
        raise InvalidParameterError(f"Invalid arguments for {method}: {exc}.") from None
    hints = _HINTS[method]
    loose = []
    for name, value in kwargs.items():
        if name not in hints or _fits(value, hints[name]):
            continue
        if not _loosely_fits(value, hints[name]):
            raise InvalidParameterError(_mismatch(method, name, hints[name], value))
        loose.append(name)
    for name in codec.URI_ARGS.get(method, ()):
        if isinstance(kwargs.get(name), str):
            kwargs[name] = uris.from_wire(kwargs[name])
    return kwargs, loose


def _mismatch(method: str, name: str, hint: Any, value: Any) -> str:
    return f"Invalid argument {name!r} for {method}: expected {hint}, got {type(value).__name__}."


def _error_class(err: LabtrackError) -> str:
    """The nearest class of ``labtrack.errors`` (the client raises that one)."""
    for cls in type(err).__mro__:
        if getattr(errors, cls.__name__, None) is cls:
            return str(cls.__name__)
    return "LabtrackError"


class StoreRpcHandler(LabtrackHandler):
    """``POST store/<method>`` ``{"args": {...}}`` -> ``{"result": ...}``."""

    @web.authenticated
    @authorized
    async def post(self, method: str) -> None:
        if method not in CONTRACT_METHODS:
            raise InvalidParameterError(f"{method!r} is not a method of labtrack's store contract.")
        request_id = self._replay_key(method)
        if request_id:
            seen = replies.get(request_id)
            if seen is not None:
                self.set_status(seen[0])
                self.finish(seen[1])
                return
        store = self.client.store
        if method == "log_metric_points":
            # The writer's batches (up to 20,000 points): plain JSON lists whose every value
            # _points checks, so neither the depth walk nor the contract's type walk is needed.
            # They are ~40,000 new objects, all freed by reference counting after the commit:
            # the cyclic collector would otherwise run dozens of young collections over them
            # and, now and then, a full one over the whole server.
            with gc_pause.paused():
                args = self._points_body()
                points = _batch(args) if args is not None else None
            if points is not None:
                await self._write_points(store, points)
                if request_id:
                    replies.put(request_id, 200, _NO_RESULT)
                self.finish(_NO_RESULT)
                return
        uris = ArtifactUris(self.labtrack.location().artifact_root)
        kwargs, loose = arguments(method, self.read_json().get("args", {}), uris)
        if method == "create_run" and not loose:
            kwargs["user_id"], kwargs["tags"] = stamp_run_user(
                self, kwargs.get("user_id", ""), kwargs.get("tags")
            )
        try:
            if method == "log_metric_points":
                await self._write_points(store, _points(kwargs["points"]))
                result = None
            else:
                result = await self.call(getattr(store, method), **kwargs)
        except (TypeError, ValueError, AttributeError) as exc:
            if not loose or isinstance(exc, LabtrackError):
                raise
            # A scalar of another type that the store did not check itself.
            name = loose[0]
            hint = _HINTS[method][name]
            raise InvalidParameterError(_mismatch(method, name, hint, kwargs[name])) from None
        body = json.dumps({"result": codec.encode(result, uris.location_to_wire)})
        if request_id:
            replies.put(request_id, 200, body)
        self.finish(body)

    async def _write_points(self, store: Any, points: list[MetricPoint]) -> None:
        """Hand checked points to the shared ingest; in team mode once the caller may EDIT
        their runs (a permission read, on a worker thread; no thread hop otherwise)."""
        if isinstance(store, GuardedStore):
            store = await self.call(points_store, store, list({p[0] for p in points}))
        await ingest_for(store).write_points(points)

    def _points_body(self) -> dict[str, Any] | None:
        """``{"points": [...]}`` of a ``log_metric_points`` body, or None when it has another
        shape (the general path then says what is wrong with it)."""
        raw = self.request_body()
        body = parse_json(raw, walk=False)
        args = body.get("args") if isinstance(body, dict) else None
        if isinstance(args, dict) and (set(args) == {"points"} or set(args) == {COLUMNS}):
            return args
        return None

    def _replay_key(self, method: str) -> str:
        """Where a retried request finds its first answer: the client's request id, kept
        apart per caller and method, so nobody is answered with another user's reply by
        sending their request id (on a shared service)."""
        request_id = self.request.headers.get("X-Labtrack-Request-Id", "")
        if not request_id:
            return ""
        # The hub's user, where there is one; a token-only server's users are anonymous and
        # get a new random name per request, so there the id alone must find the answer.
        hub_user = getattr(self.current_user, "hub_user", None)
        who = hub_user.get("name", "") if isinstance(hub_user, dict) else ""
        return f"{who}\0{method}\0{request_id}"

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        err = exc_info[1] if exc_info else None
        if not isinstance(err, LabtrackError):
            super().write_error(status_code, **kwargs)
            return
        body = json.dumps({**err.to_dict(), "error_class": _error_class(err)})
        request_id = self._replay_key(self.path_kwargs.get("method", ""))
        if request_id and err.http_status < 500:
            replies.put(request_id, err.http_status, body)
        self.set_status(err.http_status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)
