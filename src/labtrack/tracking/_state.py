"""Process-wide state of the fluent API: the store in use, the active experiment, run stacks."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from labtrack import config
from labtrack.tracking.client import TrackingClient

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient
    from labtrack.tracking.writer import MetricWriter

active_experiment_id: str | None = None
last_run_id: str | None = None
# The logged model this process logged last (``last_logged_model``), in the current store.
last_model_id: str | None = None

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
                _client = TrackingClient()
    return _client


def writer() -> MetricWriter:
    c = client()
    w = _writers.get(c.location)
    if w is None:
        with lock:
            w = _writers.get(c.location)
            if w is None:
                from labtrack.tracking.writer import MetricWriter

                w = _writers[c.location] = MetricWriter(c.store)
    return w


def reset_client(uri: str | None, root: str | None = None) -> None:
    """Point the fluent API at another store (pending points of the old one are flushed)."""
    global _client, active_experiment_id, last_model_id
    with lock:
        for w in _writers.values():
            w.flush(raise_errors=False)
        config.set_process_location(uri, root)
        _client = None
        active_experiment_id = None
        last_model_id = None
