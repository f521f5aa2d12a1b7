"""Process-wide state of the fluent API: the store in use, the active experiment, run stacks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labtrack.client import TrackingClient
    from labtrack.writer import MetricWriter

tracking_uri: str | None = None
artifact_root: str | None = None
active_experiment_id: str | None = None
last_run_id: str | None = None

# Called in order when a run needs an experiment and none was set; the first non-None id wins.
# The notebook integration registers the notebook-experiment resolver here.
experiment_resolvers: list[Callable[[TrackingClient], str | None]] = []
# Called with no argument when a fluent run is about to start (the notebook lookup is redone).
run_prepare_hooks: list[Callable[[], None]] = []
# Called with (client, run_id) after a fluent run starts and before it ends (notebook capture).
run_start_hooks: list[Callable[[TrackingClient, str], None]] = []
run_end_hooks: list[Callable[[TrackingClient, str], None]] = []

_local = threading.local()
_client: TrackingClient | None = None
_writers: dict[object, MetricWriter] = {}
lock = threading.RLock()


def run_stack() -> list:  # type: ignore[type-arg]
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def client() -> TrackingClient:
    global _client
    if _client is None:
        with lock:
            if _client is None:
                from labtrack.client import TrackingClient

                _client = TrackingClient(tracking_uri, artifact_root)
    return _client


def writer() -> MetricWriter:
    c = client()
    w = _writers.get(c.location)
    if w is None:
        with lock:
            w = _writers.get(c.location)
            if w is None:
                from labtrack.writer import MetricWriter

                w = _writers[c.location] = MetricWriter(c.store)
    return w


def reset_client(uri: str | None, root: str | None = None) -> None:
    """Point the fluent API at another store (pending points of the old one are flushed)."""
    global tracking_uri, artifact_root, _client, active_experiment_id
    with lock:
        for w in _writers.values():
            w.flush(raise_errors=False)
        tracking_uri, artifact_root = uri, root
        _client = None
        active_experiment_id = None
