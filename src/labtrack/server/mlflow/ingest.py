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

The runs of a group are checked with one query (:func:`run_stages`), not a ``get_run`` per
run: ``get_run`` reads the run's params, tags, latest metrics, inputs and outputs (five round
trips on PostgreSQL), which cost as much as writing the group's points.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from labtrack.entities import LifecycleStage
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    LabtrackError,
    ResourceNotFoundError,
)
from labtrack.server.mlflow.fields import Fields, missing
from labtrack.store.contract import MetricPoint, TrackingStore
from labtrack.store.sql.driver import Cursor
from labtrack.store.sql.metric_writes import write_metric_points
from labtrack.store.sql.run_data import run_not_found
from labtrack.utils import validation

__all__ = ["MetricIngest", "metric_points", "run_stages", "stages_on"]


def run_stages(store: TrackingStore, run_ids: Sequence[str]) -> dict[str, str]:
    """The lifecycle stage of each of ``run_ids`` that exists (unknown ones are left out).

    On the SQL store, one read of the ``runs`` rows; on any other store, ``get_run`` per run.
    """
    if not run_ids:
        return {}
    database = getattr(store, "database", None)
    read_cursor = getattr(database, "read_cursor", None)
    if read_cursor is None:
        stages = {}
        for run_id in run_ids:
            with contextlib.suppress(ResourceNotFoundError):
                stages[run_id] = store.get_run(run_id).info.lifecycle_stage
        return stages
    return read_cursor(lambda cursor: stages_on(cursor, run_ids))  # type: ignore[no-any-return]


def stages_on(cursor: Cursor, run_ids: Sequence[str]) -> dict[str, str]:
    """:func:`run_stages` on a SQL store's cursor, inside the caller's transaction."""
    if not run_ids:
        return {}
    marks = ",".join("?" * len(run_ids))
    rows = cursor.execute(
        f"SELECT run_uuid, lifecycle_stage FROM runs WHERE run_uuid IN ({marks})",
        tuple(run_ids),
    ).fetchall()
    return {str(run_id): str(stage) for run_id, stage in rows}


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
        """Check each request's runs, then write every accepted point in one transaction.

        On the SQL store the check and the write share that transaction, on one pooled
        connection: on PostgreSQL each transaction costs a pool check-out (its pre-ping),
        ``BEGIN`` and ``COMMIT``, three round trips, which a separate read transaction paid
        again.
        """
        database = getattr(self.store, "database", None)
        write_cursor = getattr(database, "write_cursor", None)
        if write_cursor is None:
            points = self._accepted(group, lambda asked: run_stages(self.store, asked))
            if points:
                self.store.log_metric_points(points)
        else:
            write_cursor(lambda cursor: self._check_and_write(cursor, group))
        self.commits += 1
        self.requests += len(group)

    def _check_and_write(self, cursor: Cursor, group: Sequence[_Waiting]) -> None:
        """The SQL store's transaction: the group's runs checked, its points written."""
        points = self._accepted(group, lambda asked: stages_on(cursor, asked))
        if points:
            write_metric_points(cursor, points)

    @staticmethod
    def _accepted(
        group: Sequence[_Waiting], stages_of: Callable[[list[str]], dict[str, str]]
    ) -> list[MetricPoint]:
        """The points of the requests whose runs may take them; each other request gets its
        error (``waiting.error``)."""
        named = {w.run_id for w in group if w.run_id is not None}
        # A writer's batch names its runs in its points: one unknown run would fail the whole
        # group's transaction (a foreign key), so it fails only its request.
        written = {w: {p[0] for p in w.points} for w in group if w.run_id is None}
        asked = named.union(*written.values())
        stages = stages_of(sorted(asked)) if asked else {}
        points: list[MetricPoint] = []
        for waiting in group:
            if waiting.run_id is not None:
                waiting.error = _active(waiting.run_id, stages.get(waiting.run_id))
            else:
                unknown = sorted(r for r in written[waiting] if r not in stages)
                waiting.error = run_not_found(unknown[0]) if unknown else None
            if waiting.error is None:
                points.extend(waiting.points)
        return points


def _active(run_id: str, stage: str | None) -> LabtrackError | None:
    """MLflow's rule: metrics go into any run that is not deleted (finished ones too)."""
    if stage is None:
        return run_not_found(run_id)
    if stage != LifecycleStage.ACTIVE:
        return InvalidStateError(
            f"The run {run_id} must be in the 'active' state. Current state is "
            f"{stage}. Restore it (runs/restore) before logging into it."
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
