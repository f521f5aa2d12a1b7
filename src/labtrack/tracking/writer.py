"""The background metric writer: ``log_metric`` never waits on disk, and never runs far ahead.

Points go on a deque (``append`` is atomic); a daemon thread drains it and commits batches
every ``FLUSH_INTERVAL`` seconds, or as soon as the queue reaches its bound. ``flush()`` drains
synchronously in the caller.

**Bounded by time, not by count.** The writer measures its pace (the points it committed in the
last ``RATE_WINDOW`` seconds over the time it spent writing them) and lets at most ``MAX_LAG``
seconds of that pace wait in memory (the queue plus the batch being written). A caller that
finds the queue at that bound waits until the writer commits its next batch, at most
``MAX_WAIT`` per call: a loop that logs faster than the store can write is slowed to the
store's pace, smoothly, and a crash loses at most about ``MAX_LAG`` seconds of points that
``log_metric`` had accepted. The wait also hands the
GIL to the writer thread, which a tight loop making no system call would otherwise let run only
in 5 ms slices. Several processes writing into one SQLite store take its lock in turn
(``begin_immediate`` polls; transactions stay short).

**Nothing lost in silence.** A store that cannot be written (disk full, read-only, database
down) keeps the points queued, retried every ``FLUSH_INTERVAL``, with one warning; the training
loop keeps running, unslowed, up to ``MAX_QUEUED_FAILING`` points, past which new points are
dropped and counted. Points the store refuses for good (their run is gone, a value it cannot
hold) are dropped and counted too. ``flush()`` raises a :class:`~labtrack.errors.StoreError` that
says how many points of which run are not stored; the fluent ``end_run`` does not mark such a
run FINISHED; interpreter exit prints the same report.

**Heartbeats.** The runs a process has started (``watch``) are marked alive in the store every
``HEARTBEAT_INTERVAL`` seconds by this thread; the Jupyter server ends RUNNING runs whose
heartbeat stopped (``c.Labtrack.stale_run_timeout``) as KILLED.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import warnings
import weakref
from collections import Counter, deque
from itertools import islice

from labtrack.entities import Param
from labtrack.errors import LabtrackError, StoreError
from labtrack.store.contract import MetricPoint, RunEnd, TrackingStore
from labtrack.utils.redact import redact
from labtrack.utils.validation import MAX_BATCH_PARAMS

FLUSH_INTERVAL = 0.5  # seconds; live views promise a point within 2 s
MAX_LAG = 0.5  # seconds of the writer's measured throughput that may wait in memory
MAX_WAIT = 0.05  # seconds: the longest a log_metric call waits for the writer
RATE_WINDOW = 1.0  # seconds of commits the throughput is measured over
MIN_BUSY = 0.01  # seconds: the least writing time a throughput is measured over
MIN_BOUND = 500  # queued points always allowed (a very slow store, a starved process)
# Points per transaction. The largest keeps a transaction short (~50 ms) so that other
# processes writing into the same store get the lock in turn.
MIN_BATCH, MAX_BATCH = 250, 20_000
MAX_QUEUED_FAILING = 1_000_000  # points kept while the store cannot be written
HEARTBEAT_INTERVAL = 30.0  # seconds between heartbeats of the watched runs
# A new run's first heartbeat comes this soon: one write for all the runs a sweep starts in
# that time, not one per run.
FIRST_BEAT_DELAY = 1.0

_writers: weakref.WeakSet[MetricWriter] = weakref.WeakSet()
_FULL_QUEUE = (
    f"the store could not be written and {MAX_QUEUED_FAILING:,} points already waited in memory"
)


def _plural(n: int) -> str:
    return f"{n:,} metric point" + ("" if n == 1 else "s")


class MetricWriter:
    """Queues metric points for one store and commits them from a daemon thread."""

    def __init__(self, store: TrackingStore) -> None:
        self.store = store
        self.queue: deque[MetricPoint] = deque()
        # The queue length at which append() calls _full(): 0 until the thread runs.
        self.bound = 0
        self.rate = 0.0
        # (when, points, seconds spent writing them) of the commits of the last second
        self._commits: deque[tuple[float, int, float]] = deque()
        self._in_window = 0  # the sum of their points
        self._busy = 0.0  # and of their seconds
        self.batch_size = MAX_BATCH
        # A store whose every batch costs a round trip (the REST store) names a larger
        # smallest batch: until the measured pace grows the batches, 250-point batches
        # would spend more on the requests than on the points.
        self.min_batch = int(min(MAX_BATCH, max(MIN_BATCH, getattr(store, "min_batch", 0))))
        self._wake = threading.Event()
        self._committed = threading.Condition()
        self._io_lock = threading.Lock()
        self._stop = False
        self._warned: set[str] = set()
        self.last_error: Exception | None = None
        # Points dropped (never stored), per run, with the reason; reported by flush().
        self.lost: Counter[str] = Counter()
        self.lost_reason: dict[str, str] = {}
        self._reported: Counter[str] = Counter()
        self.watched: set[str] = set()
        self._last_beat = 0.0
        self._unbeaten: set[str] = set()  # watched, but not beaten for yet
        self._thread: threading.Thread | None = None
        # -- params (the fluent log_params) ride with the points; see add_params ----------
        self.params: dict[str, dict[str, str]] = {}  # run -> key -> value, not yet written
        self.param_errors: dict[str, Exception] = {}  # run -> why its params were refused
        self._params_lock = threading.Lock()
        _writers.add(self)

    # -- the caller's side ---------------------------------------------------------------
    def append(self, point: MetricPoint) -> None:
        """Queue one point: a deque append, unless the queue is at its bound."""
        queue = self.queue
        queue.append(point)
        if len(queue) >= self.bound:
            self._full()

    def _full(self) -> None:
        """The queue reached its bound: start the thread, or wait for it (at most MAX_WAIT)."""
        if self._thread is None or not self._thread.is_alive():
            self._ensure_thread()
            return
        if self.last_error is not None:
            # The store cannot be written: waiting would stall the training for nothing.
            # Keep what fits, count the rest.
            self.bound = MAX_QUEUED_FAILING
            while len(self.queue) > MAX_QUEUED_FAILING:
                self._drop([self.queue.pop()], _FULL_QUEUE)
            return
        self._wake.set()
        with self._committed:
            if len(self.queue) >= self.bound:
                self._committed.wait(MAX_WAIT)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._set_bounds()
            self._thread = threading.Thread(
                target=self._run, name="labtrack-metric-writer", daemon=True
            )
            self._thread.start()

    def watch(self, run_id: str) -> None:
        """Give this run heartbeats from now on (the fluent API's runs); its first comes within
        about ``FIRST_BEAT_DELAY`` seconds."""
        self.watched.add(run_id)
        self._unbeaten.add(run_id)
        self._ensure_thread()

    def unwatch(self, run_id: str) -> None:
        self.watched.discard(run_id)
        self._unbeaten.discard(run_id)

    # -- params queued with the points ---------------------------------------------------
    def add_params(self, run_id: str, params: dict[str, str]) -> None:
        """Queue validated params of a run of this process: written by the next flush, or with
        the run's end in the same transaction as its last points (``flush(end=...)``) when
        the store takes them there (``params_at_end``). The caller checked them against what
        this process logged for the run; what only the store knows (another value set by
        another process, a deleted run) is kept in ``param_errors`` and raised by ``flush``
        and ``end_run``."""
        with self._params_lock:
            self.params.setdefault(run_id, {}).update(params)

    def _take_params(self) -> dict[str, dict[str, str]]:
        with self._params_lock:
            taken, self.params = self.params, {}
        return taken

    def _write_params(self, params: dict[str, dict[str, str]]) -> None:
        """Write queued params, one ``log_batch`` per run (and 100 params); a store that cannot
        be written keeps them queued (StoreError raised), a refusal is kept per run."""
        runs = list(params.items())
        for index, (run_id, values) in enumerate(runs):
            items = [Param(key, value) for key, value in values.items()]
            try:
                for start in range(0, len(items), MAX_BATCH_PARAMS):
                    self.store.log_batch(run_id, params=items[start : start + MAX_BATCH_PARAMS])
            except StoreError:
                for later_run, later in runs[index:]:
                    self.add_params(later_run, later)
                raise
            except Exception as exc:  # refused for good (a changed value, a deleted run)
                self.param_errors.setdefault(run_id, exc)

    @staticmethod
    def param_refusal(run_id: str, error: Exception, more: str = "") -> Exception:
        """The error that says a run's queued params were refused, of the store's error's kind
        (``InvalidParameterError`` for a changed value: MLflow's INVALID_PARAMETER_VALUE)."""
        text = f"The params of run {run_id} queued by log_params were not stored: {error}{more}"
        return type(error)(text) if isinstance(error, LabtrackError) else StoreError(text)

    def take_param_error(self, run_id: str) -> Exception | None:
        """Why this run's queued params were refused, if they were (told once)."""
        return self.param_errors.pop(run_id, None)

    # -- the writer thread ---------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(FLUSH_INTERVAL)
            self._wake.clear()
            self.flush(raise_errors=False)
            self._beat()

    def _set_bounds(self) -> None:
        budget = self.rate * MAX_LAG  # points the queue and the batch in flight may hold
        self.batch_size = int(min(MAX_BATCH, max(self.min_batch, budget / 8)))
        # At least two batches may wait, so the caller fills the next one while one is sent.
        floor = max(MIN_BOUND, 2 * self.min_batch) if self.min_batch > MIN_BATCH else MIN_BOUND
        self.bound = int(max(floor, budget - self.batch_size))

    def _learn(self, points: int, seconds: float) -> None:
        """Count one committed batch, written in ``seconds``, in the measured throughput, and
        move the bounds.

        The throughput is the points committed in the last ``RATE_WINDOW`` seconds over the
        time spent writing them, from taking each batch off the queue to its commit: waits
        for the database lock, the GIL, a core or the server included, the thread's idle time
        between batches not. That is the pace the queue drains at when it is full, so a queue
        at the bound is about ``MAX_LAG`` seconds of writing: what a crash loses. Counted over
        the whole window instead, a burst's first second was measured at a fraction of its
        pace (the writer had not been writing for a second yet) and its caller waited at a
        fraction of the bound (a store taking 120,000 points/s, 100,000 calls: 7.1-7.4 µs a
        call instead of 4.5-5.4).
        """
        now = time.monotonic()
        commits = self._commits
        commits.append((now, points, seconds))
        self._in_window += points
        self._busy += seconds
        while commits[0][0] < now - RATE_WINDOW:
            _, gone, spent = commits.popleft()
            self._in_window -= gone
            self._busy -= spent
        # Under MIN_BUSY of writing (a few tiny batches) the reading is too short to be a
        # pace: it is taken as MIN_BUSY, which errs low.
        self.rate = self._in_window / max(self._busy, MIN_BUSY)
        self._set_bounds()

    def _beat(self) -> None:
        now = time.monotonic()
        since = now - self._last_beat
        due = since >= HEARTBEAT_INTERVAL or (self._unbeaten and since >= FIRST_BEAT_DELAY)
        if not self.watched or not due:
            return
        self._last_beat = now
        self._unbeaten.clear()
        try:
            alive = set(self.store.heartbeat_runs(sorted(self.watched)))
        except Exception:  # the next beat retries; the points matter more
            return
        for run_id in list(self.watched):
            if run_id not in alive:  # ended (or deleted) elsewhere: nothing to keep alive
                self.watched.discard(run_id)

    def _drain(self, limit: int) -> list[MetricPoint]:
        # One consumer (under _io_lock) and producers that only append: what len() sees is
        # there to take. iter(popleft, None) pops in C (a point is never None).
        count = min(limit, len(self.queue))
        return list(islice(iter(self.queue.popleft, None), count))

    def _drop(self, points: list[MetricPoint], reason: str) -> None:
        for run_id, count in Counter(point[0] for point in points).items():
            self.lost[run_id] += count
            self.lost_reason[run_id] = reason

    def _commit(self, batch: list[MetricPoint], end: RunEnd | None = None) -> bool:
        """Write one batch (and ``end``, in the same transaction); True if ``end`` was written.

        A batch the store refuses is retried run by run, and what it still refuses is
        dropped; ``end`` is then left to the caller."""
        try:
            self.store.log_metric_points(batch, end)
            return end is not None
        except StoreError:
            raise  # the store cannot be written now: keep the points
        except Exception:  # some points the store refuses for good: find them
            if end is not None and end.params:  # params of the end: apart, refusal kept
                self._write_params({end.run_id: dict(end.params)})
        per_run: dict[str, list[MetricPoint]] = {}
        for point in batch:
            per_run.setdefault(point[0], []).append(point)
        for points in per_run.values():
            try:
                self.store.log_metric_points(points)
            except StoreError:
                raise
            except Exception as exc:
                self._drop(points, f"the store refused them ({type(exc).__name__}: {exc})")
        return False

    def flush(self, raise_errors: bool = True, end: RunEnd | None = None) -> bool:
        """Commit every point queued so far; with ``end``, end that run with the last batch
        (one transaction, when none of its points was lost). Returns whether ``end`` was
        written.

        With ``raise_errors``, a StoreError says which points are not stored: still queued
        because the store cannot be written, or dropped for good since the last report.
        """
        ended = False
        with self._io_lock:
            if end is not None and self.lost.get(end.run_id):
                end = None  # a run that lost points does not end as asked
            params = self._take_params() if self.params else {}
            if (
                end is not None
                and end.run_id in params
                and getattr(self.store, "params_at_end", False)
            ):
                end = end._replace(params=tuple(params.pop(end.run_id).items()))
            if params:
                try:
                    self._write_params(params)
                except StoreError as exc:
                    self.last_error = exc
                    if raise_errors:
                        raise StoreError(self.report(exc)) from exc
                    self._warn_once(exc)
                    return False
            while self.queue or (end is not None and not ended):
                started = time.monotonic()
                batch = self._drain(self.batch_size)
                last = end if not self.queue else None
                try:
                    ended = self._commit(batch, last) or ended
                except StoreError as exc:
                    # Keep the points, in order, for the next attempt.
                    self.queue.extendleft(reversed(batch))
                    self.last_error = exc
                    self.bound = MAX_QUEUED_FAILING
                    if raise_errors:
                        raise StoreError(self.report(exc)) from exc
                    self._warn_once(exc)
                    return False
                if last is not None and not ended:
                    end = None  # refused points: the caller decides how the run ends
                self.last_error = None
                if batch:
                    self._learn(len(batch), time.monotonic() - started)
                with self._committed:
                    self._committed.notify_all()
        if raise_errors:
            fresh = self.lost - self._reported
            if fresh:
                self._reported.update(fresh)
                raise StoreError(self.report(None, fresh))
            if self.param_errors:  # params queued by log_params that the store refused
                run_id = next(iter(self.param_errors))
                raise self.param_refusal(run_id, self.param_errors.pop(run_id))
        return ended

    def pending(self) -> Counter[str]:
        """Points still queued, per run."""
        return Counter(point[0] for point in list(self.queue))

    def describe_loss(self, run_id: str, at_exit: bool = False) -> str | None:
        """What of a run's points is not stored (None: all of it is); the run's count of
        dropped points is consumed (this is their report). ``at_exit``: the process ends, so
        the run's queued points are lost, and dropped from the queue once told."""
        queued = sum(1 for point in list(self.queue) if point[0] == run_id)
        dropped = self.lost.pop(run_id, 0)
        reason = self.lost_reason.pop(run_id, "")
        self._reported.pop(run_id, None)
        if not queued and not dropped:
            return None
        parts = []
        if queued:
            cause = f" ({self.last_error})" if self.last_error is not None else ""
            if at_exit:
                with self._io_lock:
                    kept = [point for point in self.queue if point[0] != run_id]
                    self.queue.clear()
                    self.queue.extend(kept)
                later = "they are lost."
            else:
                later = (
                    "they stay queued and are written if the store recovers before this "
                    "process exits (labtrack.flush() retries)."
                )
            parts.append(
                f"{_plural(queued)} of run {run_id} could not be written to the store{cause}; "
                + later
            )
        if dropped:
            parts.append(f"{_plural(dropped)} of run {run_id} were not stored: {reason}.")
        return " ".join(parts)

    def report(
        self, error: Exception | None, dropped: Counter[str] | None = None, at_exit: bool = False
    ) -> str:
        """What is not stored, per run, and why: the text of the errors and the exit report."""
        parts = []
        queued = self.pending()
        if queued:
            runs = ", ".join(f"{_plural(n)} of run {run}" for run, n in queued.most_common())
            cause = f": {error}" if error is not None else ""
            if at_exit:
                parts.append(f"{runs} could not be written to the store{cause}; they are lost.")
            else:
                parts.append(
                    f"{runs} could not be written to the store yet{cause}. They stay queued "
                    "in memory and are written if the store recovers before this process "
                    "exits (labtrack.flush() retries now)."
                )
        for run, n in (dropped if dropped is not None else self.lost).items():
            parts.append(
                f"{_plural(n)} of run {run} were not stored: {self.lost_reason.get(run, '')}."
            )
        return " ".join(parts)

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


def flush_params(store: TrackingStore) -> None:
    """Write the params queued for ``store`` (a read of that store sees them)."""
    for writer in list(_writers):
        if writer.store is store and writer.params:
            writer.flush(raise_errors=False)


def report_at_exit() -> None:
    """Flush every writer; print what could not be stored (the process is ending)."""
    for writer in list(_writers):
        with contextlib.suppress(Exception):  # never turn interpreter exit into a traceback
            writer.flush(raise_errors=False)
        unreported = writer.lost - writer._reported
        if writer.queue or unreported:
            text = writer.report(writer.last_error, unreported, at_exit=True)
            print(f"labtrack: {text}", file=sys.stderr, flush=True)


def _after_fork_in_child() -> None:
    # The parent's thread does not exist here; the child must not write the parent's points.
    for writer in list(_writers):
        writer.queue.clear()
        writer._thread = None
        writer.bound = 0
        writer._io_lock = threading.Lock()
        writer._committed = threading.Condition()
        writer.watched = set()
        writer._unbeaten = set()
        writer.params = {}
        writer._params_lock = threading.Lock()


# report_at_exit runs from the fluent API's exit handler, after it has ended this process's runs.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
