"""The background metric writer: ``log_metric`` never waits on disk.

Points go on a lock-free deque (``append`` is atomic); a daemon thread drains it and commits
batches every ``FLUSH_INTERVAL`` seconds, or sooner when the queue grows. ``flush()`` drains
synchronously in the caller. A store error (disk full, read-only) becomes one warning; the
points stay queued and are retried, so the training code keeps running.
"""

from __future__ import annotations

import atexit
import os
import threading
import warnings
import weakref
from collections import deque

from labtrack.store.contract import MetricPoint, TrackingStore
from labtrack.utils.redact import redact

FLUSH_INTERVAL = 0.5  # seconds; live views promise a point within 2 s
WAKE_AT = 20_000  # queued points that trigger an early flush
BATCH = 50_000  # points per transaction
MAX_QUEUED = 2_000_000  # past this, callers wait for the writer (bounded memory)

_writers: weakref.WeakSet[MetricWriter] = weakref.WeakSet()


class MetricWriter:
    """Queues metric points for one store and commits them from a daemon thread."""

    def __init__(self, store: TrackingStore) -> None:
        self.store = store
        self.queue: deque[MetricPoint] = deque()
        self._wake = threading.Event()
        self._io_lock = threading.Lock()
        self._stop = False
        self._warned: set[str] = set()
        self.last_error: Exception | None = None
        self._thread: threading.Thread | None = None
        _writers.add(self)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name="labtrack-metric-writer", daemon=True
            )
            self._thread.start()

    def append(self, point: MetricPoint) -> None:
        """Queue one point. Costs a deque append; starts the writer thread on first use."""
        self.queue.append(point)
        if self._thread is None:
            self._ensure_thread()
        n = len(self.queue)
        if n >= WAKE_AT:
            self._wake.set()
            if n >= MAX_QUEUED:
                self.flush(raise_errors=False)

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            self.flush(raise_errors=False)

    def _drain(self, limit: int) -> list[MetricPoint]:
        out: list[MetricPoint] = []
        pop = self.queue.popleft
        try:
            for _ in range(limit):
                out.append(pop())
        except IndexError:
            pass
        return out

    def flush(self, raise_errors: bool = True) -> None:
        """Commit every point queued so far. Raises the store's error if ``raise_errors``."""
        with self._io_lock:
            while self.queue:
                batch = self._drain(BATCH)
                try:
                    self.store.log_metric_points(batch)
                    self.last_error = None
                except Exception as exc:
                    # Keep the points, in order, for the next attempt.
                    self.queue.extendleft(reversed(batch))
                    self.last_error = exc
                    if raise_errors:
                        raise
                    self._warn_once(exc)
                    return

    def _warn_once(self, exc: Exception) -> None:
        kind = type(exc).__name__
        if kind in self._warned:
            return
        self._warned.add(kind)
        warnings.warn(
            f"labtrack could not save metric points yet ({redact(str(exc))}); they stay queued "
            "in memory and are retried. Your code keeps running.",
            RuntimeWarning,
            stacklevel=2,
        )

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        self.flush(raise_errors=False)


def flush_all(raise_errors: bool = False) -> None:
    for writer in list(_writers):
        writer.flush(raise_errors=raise_errors)


def _after_fork_in_child() -> None:
    # The parent's thread does not exist here; the child must not write the parent's points.
    for writer in list(_writers):
        writer.queue.clear()
        writer._thread = None
        writer._io_lock = threading.Lock()


atexit.register(flush_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
