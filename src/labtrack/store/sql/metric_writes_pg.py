"""Appending metric points on PostgreSQL: one statement per batch, one round trip.

The history rows, each series' latest value and the summaries of the series past
:data:`~labtrack.store.sql.metric_writes.SUMMARY_FROM` points are written by one statement with
data-modifying ``WITH`` parts over ``unnest`` arrays. Before, a batch was a ``COPY`` of the
history (its start, data and end are three exchanges with the server, and PostgreSQL counts the
whole ``COPY`` as running while the client formats rows), then the upsert of the latest values,
then a ``VALUES`` upsert of the summary rows made in Python (thousands of parameters that psycopg
parsed afresh for each batch), then the touch of the runs: on a 1,000-point batch the ``COPY``
alone took 14 ms of PostgreSQL's time and the whole write ~27 ms (bench/README.md, case 9).

The points travel as four arrays (the series each belongs to, value, timestamp, step), each one
text parameter in PostgreSQL's array syntax: joining ``repr`` of floats and ints is C-level work
in Python, and PostgreSQL parses the arrays in C. Run ids and keys (which would need quoting)
travel once per series, as lists psycopg adapts. Summaries are aggregated in SQL from the same
points (every level at once: the points cross-joined with the levels). A series that crosses
``SUMMARY_FROM`` in this batch is summarized from its whole history afterwards, in the same
transaction, as the SQLite path does: the statement's own history rows are not visible to its
other parts.

Statements are prepared by psycopg after a few runs (its ``prepare_threshold``): one text per
set of options, so PostgreSQL plans each once per connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from labtrack.store.contract import MetricPoint
from labtrack.store.sql.database import now_ms
from labtrack.store.sql.driver import Cursor
from labtrack.store.sql.metric_writes import (
    _STEP,
    _TIME,
    _VAL,
    BACKFILL_ONE,
    LATEST_UPSERT,
    LEVELS,
    SUMMARY_COLUMNS,
    SUMMARY_FROM,
    _latest_row,
    _summary_merge,
    _without_nan,
    group_points,
)

__all__ = ["POINTS_PER_STATEMENT", "write_points_postgres"]

# A statement's points are arrays held whole in memory on both sides: a million-point batch
# is cut into statements of this many points (a series may be split between two; the latest
# values and summaries merge across them like across batches).
POINTS_PER_STATEMENT = 100_000

_LATEST_CONFLICT = LATEST_UPSERT.split(" {rows} ", 1)[1]
_LEVELS = "{" + ",".join(map(str, LEVELS)) + "}"


def _statement(touch: bool) -> str:
    """The batch's statement; with ``touch``, it also moves the runs' ``last_update_time``."""
    touch_part = (
        ", t AS (UPDATE runs SET last_update_time = ? "
        "WHERE run_uuid IN (SELECT DISTINCT run_uuid FROM s))"
        if touch
        else ""
    )
    return (
        # One row per series: its names, its point count and its latest row (value, is_nan,
        # timestamp, step, min, max), in (run, key) order so concurrent writers lock the
        # latest_metrics rows in one order and cannot deadlock.
        "WITH s AS (SELECT * FROM unnest(?::text[], ?::text[], ?::int8[], ?::float8[], "
        "?::bool[], ?::int8[], ?::int8[], ?::float8[], ?::float8[]) WITH ORDINALITY "
        "AS s(run_uuid, key, n, value, is_nan, ts, step, min_value, max_value, i)), "
        # One row per point: its series' ordinal, value (NaN as is), timestamp, step.
        "p AS (SELECT * FROM unnest(?::int8[], ?::float8[], ?::int8[], ?::int8[]) "
        "AS p(i, v, ts, step)), "
        # PostgreSQL's NaN equals NaN (unlike IEEE): NaN is stored as value 0 with is_nan.
        "h AS (INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) "
        "SELECT s.run_uuid, s.key, CASE WHEN p.v = 'NaN' THEN 0 ELSE p.v END, p.v = 'NaN', "
        "p.ts, p.step FROM p JOIN s USING (i)), "
        "l AS (INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, "
        "min_value, max_value, count) SELECT run_uuid, key, value, is_nan, ts, step, "
        f"min_value, max_value, n FROM s ORDER BY i {_LATEST_CONFLICT}), "
        # Series that had SUMMARY_FROM points before this batch fold its points into their
        # summaries, every level at once.
        f"m AS (INSERT INTO metric_summaries ({SUMMARY_COLUMNS}) "
        "SELECT s.run_uuid, s.key, lv, p.step >> lv, count(*), min(p.step), max(p.step), "
        "min(p.ts), max(p.ts), min(p.v), max(p.v) "
        "FROM p JOIN s USING (i) JOIN l ON l.run_uuid = s.run_uuid AND l.key = s.key "
        f"CROSS JOIN unnest('{_LEVELS}'::int4[]) AS lv "
        f"WHERE p.v <> 'NaN' AND l.count - s.n >= {SUMMARY_FROM} "
        f"GROUP BY s.run_uuid, s.key, lv, p.step >> lv{_summary_merge(True)})"
        f"{touch_part} "
        # What the caller still has to do: the series that just reached SUMMARY_FROM.
        "SELECT l.run_uuid, l.key FROM l JOIN s ON l.run_uuid = s.run_uuid AND l.key = s.key "
        f"WHERE l.count >= {SUMMARY_FROM} AND l.count - s.n < {SUMMARY_FROM}"
    )


_STATEMENTS = {touch: _statement(touch) for touch in (False, True)}


def _array(parts: list[str]) -> str:
    """PostgreSQL's text form of an array of numbers from comma-separated parts:
    ``{1,2.5,nan}``."""
    return "{" + ",".join(parts) + "}"


def _parameters(
    chunk: Sequence[tuple[tuple[str, str], list[MetricPoint]]],
) -> list[Any]:
    """The statement's parameters for ``chunk``: (run, key) and its points, sorted by step."""
    runs, keys, counts = [], [], []
    values, nans, stamps, steps, lows, highs = [], [], [], [], [], []
    ordinals, point_values, point_stamps, point_steps = [], [], [], []
    for i, ((run_id, key), series) in enumerate(chunk, start=1):
        row = _latest_row(run_id, key, series, _without_nan(series))
        runs.append(run_id)
        keys.append(key)
        counts.append(len(series))
        values.append(float(row[2]))
        nans.append(bool(row[3]))
        stamps.append(int(row[4]))
        steps.append(int(row[5]))
        lows.append(None if row[6] is None else float(row[6]))
        highs.append(None if row[7] is None else float(row[7]))
        # Per series, not per point: map and join run in C. float() first: a numpy float's
        # repr is not a number in PostgreSQL's syntax; repr of a float is exact and spells
        # nan, inf and -inf as PostgreSQL reads them.
        ordinals.append(",".join([str(i)] * len(series)))
        point_values.append(",".join(map(repr, map(float, map(_VAL, series)))))
        point_stamps.append(",".join(map(str, map(int, map(_TIME, series)))))
        point_steps.append(",".join(map(str, map(int, map(_STEP, series)))))
    return [
        runs,
        keys,
        counts,
        values,
        nans,
        stamps,
        steps,
        lows,
        highs,
        *(_array(parts) for parts in (ordinals, point_values, point_stamps, point_steps)),
    ]


def _chunks(
    groups: dict[tuple[str, str], list[MetricPoint]],
) -> list[list[tuple[tuple[str, str], list[MetricPoint]]]]:
    """The sorted series cut into statements of at most :data:`POINTS_PER_STATEMENT` points."""
    chunks: list[list[tuple[tuple[str, str], list[MetricPoint]]]] = [[]]
    room = POINTS_PER_STATEMENT
    for name in sorted(groups):
        series = groups[name]
        while series:
            if room == 0:
                chunks.append([])
                room = POINTS_PER_STATEMENT
            part, series = series[:room], series[room:]
            chunks[-1].append((name, part))
            room -= len(part)
    return chunks


def write_points_postgres(cursor: Cursor, points: Sequence[MetricPoint], touch: bool) -> set[str]:
    """PostgreSQL's :func:`~labtrack.store.sql.metric_writes.write_metric_points`."""
    groups = group_points(points)
    for chunk in _chunks(groups):
        parameters = _parameters(chunk)
        if touch:
            parameters.append(now_ms())
        crossed = cursor.execute(_STATEMENTS[touch], parameters).fetchall()
        for run_id, key in crossed:
            for statement in BACKFILL_ONE:
                cursor.execute(statement, (run_id, key))
    return {run_id for run_id, _ in groups}
