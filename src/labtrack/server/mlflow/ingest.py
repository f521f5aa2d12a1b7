"""Metric ingest: concurrent ``log-batch`` and ``log-metric`` requests share one transaction.

Many MLflow clients (or one client's async logging threads) each send batches of metric points.
Committing each request on its own costs a transaction per request; here every request that
arrives while a commit is running waits for the next one, and that commit writes all of them
at once (a group commit). One request alone is written at once, so a lone client waits no
longer than before; under load the cost of a commit is shared.

A request is answered only after its points are committed (MLflow's rule: a 200 means the
points are stored). Each request is checked on its own: a request for a deleted or unknown run
gets its own error and the others of the group are written. If the store refuses the group's
transaction, every request of the group gets that error; none of them was half-written.

Requests with params or tags go through the store's ``log_batch`` unchanged (param
immutability is checked inside that transaction).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from labtrack.entities import LifecycleStage
from labtrack.errors import InvalidParameterError, InvalidStateError, LabtrackError
from labtrack.server.mlflow.fields import Fields, missing
from labtrack.store.contract import MetricPoint, TrackingStore
from labtrack.utils import validation

__all__ = ["MetricIngest", "metric_points"]


def metric_points(run_id: str, metrics: Any, field: str = "metrics") -> list[MetricPoint]:
    """The points of a request's ``metrics`` list, checked (key, value, timestamp, step).

    Written for speed: a batch holds up to 1,000 points and this runs on the event loop.
    """
    if metrics is None:
        return []
    if not isinstance(metrics, list):
        raise InvalidParameterError(f"Invalid value for parameter '{field}': expected a list.")
    points: list[MetricPoint] = []
    to_double = Fields.to_double
    for i, item in enumerate(metrics):
        if not isinstance(item, dict):
            raise InvalidParameterError(
                f"Invalid value for parameter '{field}[{i}]': expected an object."
            )
        key = item.get("key")
        value = item.get("value")
        timestamp = item.get("timestamp")
        if key is None or key == "":
            raise missing(f"{field}[{i}].key")
        if value is None:
            raise missing(f"{field}[{i}].value")
        if timestamp is None:
            raise missing(f"{field}[{i}].timestamp")
        step = item.get("step", 0)
        if type(timestamp) is not int or type(step) is not int:  # noqa: E721 - exact ints fast
            fields = Fields(item)
            timestamp = fields.required_int64("timestamp")
            step = fields.int64("step", default=0)
        points.append(
            (
                run_id,
                validation.validate_key(key, "metric key"),
                value if type(value) is float else to_double("value", value),  # noqa: E721
                timestamp,
                step or 0,
            )
        )
    return points


class _Waiting:
    __slots__ = ("error", "future", "points", "run_id")

    def __init__(
        self, run_id: str | None, points: list[MetricPoint], future: asyncio.Future[None]
    ) -> None:
        self.run_id = run_id
        self.points = points
        self.future = future
        self.error: LabtrackError | None = None


class MetricIngest:
    """Group commits of metric points for one store (one per server and store)."""

    def __init__(self, store: TrackingStore) -> None:
        self.store = store
        # One commit at a time (the drain loop awaits each): that is what lets the next group
        # gather. Commits run on the event loop's worker threads, like every store call.
        self._waiting: list[_Waiting] = []
        self._draining = False
        self.commits = 0  # how many transactions were made (tests, benchmarks)
        self.requests = 0

    async def write(self, run_id: str, points: list[MetricPoint]) -> None:
        """Store ``points`` of ``run_id`` (which must not be deleted); returns once they are
        committed."""
        await self._enqueue(run_id, points)

    async def write_points(self, points: list[MetricPoint]) -> None:
        """Store points of any runs without looking at the runs (the store contract's
        ``log_metric_points``, what labtrack's own writers send)."""
        await self._enqueue(None, points)

    async def _enqueue(self, run_id: str | None, points: list[MetricPoint]) -> None:
        loop = asyncio.get_running_loop()
        waiting = _Waiting(run_id, points, loop.create_future())
        self._waiting.append(waiting)
        if not self._draining:
            self._draining = True
            loop.create_task(self._drain(loop))
        await waiting.future

    async def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                try:
                    await loop.run_in_executor(None, self._commit, group)
                except Exception as exc:  # the store failed: every request of the group hears it
                    for waiting in group:
                        if not waiting.future.done():
                            waiting.future.set_exception(exc)
                    continue
                for waiting in group:
                    if waiting.future.done():
                        continue
                    if waiting.error is not None:
                        waiting.future.set_exception(waiting.error)
                    else:
                        waiting.future.set_result(None)
        finally:
            self._draining = False

    def _commit(self, group: Sequence[_Waiting]) -> None:
        """Check each request's run, then write every accepted point in one transaction."""
        states: dict[str | None, LabtrackError | None] = {None: None}
        for run_id in {w.run_id for w in group if w.run_id is not None}:
            states[run_id] = self._check_run(run_id)
        known: dict[str, LabtrackError | None] = {}
        points: list[MetricPoint] = []
        for waiting in group:
            waiting.error = states[waiting.run_id]
            if waiting.error is None and waiting.run_id is None:
                # A writer's batch names its runs in its points: one unknown run would fail
                # the whole group's transaction (a foreign key), so it fails only its request.
                waiting.error = self._unknown_run(waiting.points, known)
            if waiting.error is None:
                points.extend(waiting.points)
        if points:
            self.store.log_metric_points(points)
        self.commits += 1
        self.requests += len(group)

    def _unknown_run(
        self, points: list[MetricPoint], known: dict[str, LabtrackError | None]
    ) -> LabtrackError | None:
        """The error of the first run of ``points`` that does not exist (deleted ones do)."""
        for run_id in {point[0] for point in points}:
            if run_id not in known:
                try:
                    self.store.get_run(run_id)
                    known[run_id] = None
                except LabtrackError as err:
                    known[run_id] = err
            if known[run_id] is not None:
                return known[run_id]
        return None

    def _check_run(self, run_id: str) -> LabtrackError | None:
        """MLflow's rule: metrics go into any run that is not deleted (finished ones too)."""
        try:
            info = self.store.get_run(run_id).info
        except LabtrackError as err:
            return err
        if info.lifecycle_stage != LifecycleStage.ACTIVE:
            return InvalidStateError(
                f"The run {run_id} must be in the 'active' state. Current state is "
                f"{info.lifecycle_stage}. Restore it (runs/restore) before logging into it."
            )
        return None


_ingests: dict[int, MetricIngest] = {}
_lock = threading.Lock()


def ingest_for(store: TrackingStore) -> MetricIngest:
    """The ingest of ``store`` (one per store object in the server process)."""
    with _lock:
        ingest = _ingests.get(id(store))
        if ingest is None or ingest.store is not store:
            ingest = _ingests[id(store)] = MetricIngest(store)
        return ingest
