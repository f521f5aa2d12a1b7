"""Metrics in the SQL store: points and their history, downsampled reads, per-run summaries.

Every point is a row of ``metrics``; ``latest_metrics`` keeps, per run and key, the point with
the largest (step, timestamp) plus the minimum, maximum and count, folded in as points arrive,
so searches and tables never scan the history. Long series also get min/max summaries at
several resolutions (``metric_summaries``), so a chart over ten million points reads a few
thousand rows. Writes are :mod:`.metric_writes`; the hot reads run on the driver's cursor.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, select

from labtrack.entities import Metric, status_name
from labtrack.errors import ResourceNotFoundError
from labtrack.store.contract import MetricPoint, MetricSeries, MetricSummary, RunEnd
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database
from labtrack.store.sql.driver import Cursor
from labtrack.store.sql.metric_writes import (
    LEVELS,
    SUMMARY_FROM,
    touch_runs,
    write_metric_points,
)
from labtrack.store.sql.run_data import metric_value
from labtrack.store.sql.runs import end_run
from labtrack.utils import gc, validation

_RUNS_PER_QUERY = 500  # below every driver's limit of bound parameters

# Past this many points, a chart asking for finer buckets than the finest summary (many
# points on few steps: a metric logged without a step) reads the finest summary instead of
# grouping every point (the answer is then as fine as the summary's 64-step buckets).
RAW_READ_LIMIT = 200_000

# First and last step through the history index, one row each: min()/max() get that plan from
# SQLite always, from PostgreSQL only with fresh statistics (else it reads every point).
_RANGE = (
    "SELECT (SELECT step FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step LIMIT 1), "
    "(SELECT step FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step DESC LIMIT 1)"
)


def require_run(cursor: Cursor, run_id: str) -> None:
    """ResourceNotFoundError unless the run exists (InvalidParameterError for a bad id)."""
    found = cursor.execute(
        "SELECT 1 FROM runs WHERE run_uuid = ?", (validation.run_id(run_id),)
    ).fetchone()
    if found is None:
        raise ResourceNotFoundError(
            f"No run with id {run_id!r}. Find runs with search_runs() or `labtrack runs list`."
        )


def metrics_from_rows(key: str, run_id: str, rows: Iterable[Sequence[Any]]) -> list[Metric]:
    """Metric entities of ``(value, timestamp, step)`` rows (``value`` None for NaN, as
    ``HISTORY`` reads it).

    A million Metric objects were most of what reading a long history cost. A Metric is a
    tuple underneath, so each is made in C from its row (``Metric._of_rows``), with no Python
    code per point. The objects equal Metric(...)'s (see tests/store/test_metric_summaries.py).
    """
    out = Metric._of_rows(key, run_id, rows)
    if None in map(attrgetter("value"), out):  # NaN points (rare): a second pass over them
        for index, metric in enumerate(out):
            if metric.value is None:
                out[index] = Metric(key, math.nan, metric.timestamp, metric.step, run_id=run_id)
    return out


# A history in its order; NaN (stored as 0 with is_nan) comes back as NULL, so a row is three
# values instead of four (a tenth of reading a million points).
HISTORY = (
    "SELECT CASE WHEN is_nan THEN NULL ELSE value END, timestamp, step FROM metrics "
    "WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp"
)


def _bucket(cursor: Cursor, column: str) -> str:
    """SQL for the chart bucket of ``column``: floor((column - first) * scale), at most last."""
    if cursor.postgres:
        return f"LEAST(CAST(floor(({column} - ?) * ?) AS BIGINT), ?)"
    return f"min(CAST(({column} - ?) * ? AS INTEGER), ?)"  # truncates: never negative here


def _level_for(total: int, span: int, buckets: int) -> int | None:
    """The summary level to read (None: group the history itself)."""
    if total < SUMMARY_FROM:
        return None
    width = span / buckets
    fitting = [level for level in LEVELS if 2**level <= width]
    if fitting:
        return fitting[-1]
    return LEVELS[0] if total > RAW_READ_LIMIT else None


class MetricRepository:
    """Metric points, histories and summaries."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def log_metric_points(self, points: Sequence[MetricPoint], end: RunEnd | None = None) -> None:
        if not points and end is None:
            return
        status = status_name(end.status) if end is not None else ""

        def work(cursor: Cursor) -> None:
            touched = write_metric_points(cursor, points, touch=end is None)
            if end is None:
                return
            end_run(cursor, end, status)
            touch_runs(cursor, touched - {end.run_id})

        self.database.write_cursor(work)

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        def work(cursor: Cursor) -> list[Metric]:
            require_run(cursor, run_id)
            if cursor.postgres:
                # Binary rows: psycopg makes the floats and ints from their bytes instead of
                # parsing their text (about half its CPU for a million rows), all at once with
                # fetchall (iterating a psycopg cursor is a Python call per row).
                cursor.raw.execute(cursor.sql(HISTORY), (run_id, key), binary=True)
                rows = cursor.raw.fetchall()
            else:  # sqlite3's cursor, iterated: no list of rows beside the list of Metrics
                rows = cursor.execute(HISTORY, (run_id, key)).raw
            return metrics_from_rows(key, run_id, rows)

        # A long history is millions of new objects at once: the cyclic collector would scan
        # them again and again as they are made (half the time of a million points) and free
        # none of them.
        with gc.paused():
            return self.database.read_cursor(work)

    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> MetricSeries:
        """At most ``max_points`` points of a metric, keeping each bucket's min and max.

        The history is cut into ``max_points // 2`` equal step ranges; each gives its minimum
        at the range's first step and its maximum at its last, so a spike survives however
        long the history (its x position moves by less than one bucket). NaN points are left
        out of the buckets. Histories that fit are returned whole. Long histories are read from
        the finest summary level whose buckets are no wider than the chart's.
        """
        run_id = validation.run_id(run_id)
        series = (run_id, key)

        def work(cursor: Cursor) -> MetricSeries:
            found = cursor.execute(
                "SELECT count FROM latest_metrics WHERE run_uuid = ? AND key = ?", series
            ).fetchone()
            total = int(found[0]) if found else 0
            if total <= max_points:
                rows = cursor.execute(
                    "SELECT step, timestamp, value, is_nan FROM metrics "
                    "WHERE run_uuid = ? AND key = ? ORDER BY step, timestamp",
                    series,
                ).fetchall()
                whole = [(s, t, math.nan if nan else float(v)) for s, t, v, nan in rows]
                return {"total": total, "downsampled": False, "points": whole}
            first, last = cursor.execute(_RANGE, series + series).fetchone()
            buckets = max(1, max_points // 2)
            span = last - first + 1
            scale = (first, buckets / span, buckets - 1)
            level = _level_for(total, span, buckets)
            if level is None:
                bucket = _bucket(cursor, "step")
                query = (
                    "SELECT b, min(step), max(step), min(timestamp), max(timestamp), "
                    f"min(value), max(value) FROM (SELECT {bucket} AS b, step, timestamp, value "
                    "FROM metrics WHERE run_uuid = ? AND key = ? AND NOT is_nan) AS points "
                    "GROUP BY b ORDER BY b"
                )
                parameters: tuple[Any, ...] = (*scale, *series)
            else:
                bucket = _bucket(cursor, "min_step")
                query = (
                    f"SELECT {bucket} AS b, min(min_step), max(max_step), min(min_timestamp), "
                    "max(max_timestamp), min(min_value), max(max_value) FROM metric_summaries "
                    "WHERE run_uuid = ? AND key = ? AND level = ? GROUP BY b ORDER BY b"
                )
                parameters = (*scale, *series, level)
            points = []
            for b, step_0, step_1, time_0, time_1, lowest, highest in cursor.execute(
                query, parameters
            ).fetchall():
                if level is not None:
                    # A summary bucket goes to the chart bucket of its first step; its last
                    # step may lie past that chart bucket's end: the maximum stays inside.
                    step_1 = max(
                        step_0, min(step_1, first + math.ceil((b + 1) * span / buckets) - 1)
                    )
                points.append((step_0, time_0, lowest))
                if step_1 != step_0 or highest != lowest:
                    points.append((step_1, time_1, highest))
            return {"total": total, "downsampled": True, "points": points}

        return self.database.read_cursor(work)

    def metric_summaries(self, run_id: str) -> dict[str, MetricSummary]:
        """Last, min, max, count and last step of each metric of a run."""
        latest = tables.latest_metrics
        query = select(
            latest.c.key,
            latest.c.value,
            latest.c.is_nan,
            latest.c.step,
            latest.c.timestamp,
            latest.c.min_value,
            latest.c.max_value,
            latest.c.count,
        ).where(latest.c.run_uuid == run_id)

        def work(connection: Connection) -> dict[str, MetricSummary]:
            return {
                key: {
                    "last": metric_value(value, is_nan),
                    "step": step,
                    "timestamp": timestamp,
                    "min": lowest,
                    "max": highest,
                    "count": count,
                }
                for key, value, is_nan, step, timestamp, lowest, highest, count in (
                    connection.execute(query)
                )
            }

        return self.database.read(work)

    def latest_metric_steps(self, run_ids: Sequence[str]) -> dict[str, dict[str, tuple[int, int]]]:
        """(step, timestamp) of the runs' latest metric values, a query per 500 runs."""
        latest = tables.latest_metrics
        ids = list(dict.fromkeys(run_ids))

        def work(connection: Connection) -> dict[str, dict[str, tuple[int, int]]]:
            out: dict[str, dict[str, tuple[int, int]]] = {}
            for start in range(0, len(ids), _RUNS_PER_QUERY):
                query = select(
                    latest.c.run_uuid, latest.c.key, latest.c.step, latest.c.timestamp
                ).where(latest.c.run_uuid.in_(ids[start : start + _RUNS_PER_QUERY]))
                for run_id, key, step, timestamp in connection.execute(query):
                    out.setdefault(run_id, {})[key] = (step, timestamp)
            return out

        return self.database.read(work)
