"""Appending metric points: the history rows, each series' latest value, its summaries.

``write_metric_points(cursor, points)`` is the one write path for metric points (the
background writer's batches, ``log_batch``, the REST routes). Per call, whatever the number of
points, it runs a handful of statements on the driver's cursor:

1. the history rows: multi-row ``INSERT`` statements on SQLite (a NaN binds as NULL there,
   which the statement turns into ``value 0, is_nan true``);
2. one upsert of ``latest_metrics`` per batch (latest point, min, max, count per run and key),
   which returns each series' new point count;
3. for series past :data:`SUMMARY_FROM` points, an upsert of their min/max summaries at every
   level (:data:`LEVELS`); a series that just crossed the line is summarized from its history
   once, in SQL.

On PostgreSQL all of it is one statement per batch (:func:`write_points_postgres`).

Points are grouped per (run, key) and sorted by step in Python with C-level helpers
(``itemgetter``, ``sorted``, ``min``/``max`` on slices), so the per-point Python cost stays
well under the database's own.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import chain
from math import isnan
from operator import itemgetter
from typing import Any

from labtrack.store.contract import MetricPoint
from labtrack.store.sql.database import now_ms
from labtrack.store.sql.driver import Cursor, chunk_rows, in_list

# A series gets summaries once it has this many points; shorter ones are read whole (a
# downsampled read of 10,000 points grouped in SQL takes a few milliseconds).
SUMMARY_FROM = 10_000
# Level L: buckets of 2**L steps. The finest is 64 steps, each next one 8 times coarser, up
# to 2**36 steps (steps that are timestamps in ms still fit a chart in a few thousand rows).
LEVELS = tuple(range(6, 37, 3))
LEVEL_FACTOR_BITS = 3
_IDS_PER_STATEMENT = 10_000

# MetricPoint's fields in order: the metrics columns the writer fills. A new column (a model
# id, a dataset) is one more name here, one more field in MetricPoint, one more "?" below.
POINT_COLUMNS = ("run_uuid", "key", "value", "timestamp", "step")
_VALUE_AT = POINT_COLUMNS.index("value")
_TIME = itemgetter(POINT_COLUMNS.index("timestamp"))
_STEP = itemgetter(POINT_COLUMNS.index("step"))
_VAL = itemgetter(_VALUE_AT)
_GROUP = itemgetter(0, 1)
_RUN, _KEY = itemgetter(0), itemgetter(1)
_NUMBERS = itemgetter(_VALUE_AT, *range(_VALUE_AT + 1, len(POINT_COLUMNS)))

# History rows as stored: the value column is followed by is_nan.
HISTORY_COLUMNS = (*POINT_COLUMNS[: _VALUE_AT + 1], "is_nan", *POINT_COLUMNS[_VALUE_AT + 1 :])


def _history_insert(columns: Sequence[str], leading: str, padding: str) -> str:
    """The history insert from a ``VALUES`` list of ``columns``; ``leading``: what comes
    before them in each row (bound once), ``padding``: the column that is NULL only in the
    padding rows of a chunk (``Cursor.insert_rows(pad=True)``)."""
    # SQLite binds a float NaN as NULL: a NULL value is a NaN point (value 0, is_nan true).
    picks = [leading] if leading else []
    for i, column in enumerate(columns, start=1):
        if column == "value":
            picks += [f"coalesce(column{i}, 0.0)", f"column{i} IS NULL"]
        else:
            picks.append(f"column{i}")
    where = f"column{columns.index(padding) + 1} IS NOT NULL"
    return (
        f"INSERT INTO metrics ({', '.join(HISTORY_COLUMNS)}) "
        f"SELECT {', '.join(picks)} FROM ({{rows}}) WHERE {where}"
    )


# Row by row: padding rows have a NULL run id.
SQLITE_HISTORY_INSERT = _history_insert(POINT_COLUMNS, "", "run_uuid")
# One series: the run id and key are ?1 and ?2, each row holds the numbers (the VALUES list's
# anonymous parameters are numbered from 3); padding rows have a NULL step.
SQLITE_SERIES_INSERT = _history_insert(POINT_COLUMNS[_VALUE_AT:], "?1, ?2", "step")
# A series this long gets statements of its own (shorter ones share the row-by-row insert,
# so a batch of many short series stays a few statements).
_OWN_STATEMENT = 4_096
# As many rows a statement as the row-by-row insert (not the 10,666 its parameters would
# allow): SQLite's compile time grows faster than the rows (10,666 rows of 3 values ~125 ms,
# 6,400 ~45 ms, once per connection and size), which a short run or a fresh server pays.
_SERIES_CHUNK_ROWS = chunk_rows(len(POINT_COLUMNS))

_NEWER = (
    "(excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step "
    "AND excluded.timestamp >= latest_metrics.timestamp))"
)


def _pick(column: str) -> str:
    return f"{column} = CASE WHEN {_NEWER} THEN excluded.{column} ELSE latest_metrics.{column} END"


def _bound(column: str, better: str) -> str:
    old, new = f"latest_metrics.{column}", f"excluded.{column}"
    return (
        f"{column} = CASE WHEN {new} IS NULL THEN {old} "
        f"WHEN {old} IS NULL OR {new} {better} {old} THEN {new} ELSE {old} END"
    )


LATEST_UPSERT = (
    "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, min_value, "
    "max_value, count) {rows} ON CONFLICT (run_uuid, key) DO UPDATE SET "
    + ", ".join(
        [_pick(c) for c in ("value", "is_nan", "timestamp", "step")]
        + [_bound("min_value", "<"), _bound("max_value", ">")]
        + ["count = latest_metrics.count + excluded.count"]
    )
    + " RETURNING run_uuid, key, count"
)

SUMMARY_COLUMNS = (
    "run_uuid, key, level, bucket, count, min_step, max_step, min_timestamp, max_timestamp, "
    "min_value, max_value"
)
_MERGED = {
    "min_step": "min",
    "max_step": "max",
    "min_timestamp": "min",
    "max_timestamp": "max",
    "min_value": "min",
    "max_value": "max",
}


def _summary_merge(postgres: bool) -> str:
    """ON CONFLICT clause that folds a batch's bucket into the stored one."""
    two = {"min": "LEAST", "max": "GREATEST"} if postgres else {"min": "min", "max": "max"}
    sets = ["count = metric_summaries.count + excluded.count"] + [
        f"{c} = {two[f]}(metric_summaries.{c}, excluded.{c})" for c, f in _MERGED.items()
    ]
    return " ON CONFLICT (run_uuid, key, level, bucket) DO UPDATE SET " + ", ".join(sets)


_REPLACE = " ON CONFLICT (run_uuid, key, level, bucket) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in ("count", *_MERGED)
)


def backfill_statements(where: str) -> list[str]:
    """SQL that (re)builds the summaries of the series ``where`` selects from their history.

    The finest level from ``metrics``, each coarser one from the level below it. ``where`` is a
    condition on the columns of ``metrics`` / ``metric_summaries`` (``run_uuid = ? AND key =
    ?``).
    """
    finest = LEVELS[0]
    out = [
        f"INSERT INTO metric_summaries ({SUMMARY_COLUMNS}) SELECT run_uuid, key, {finest}, "
        f"step >> {finest}, count(*), min(step), max(step), min(timestamp), max(timestamp), "
        f"min(value), max(value) FROM metrics WHERE {where} AND NOT is_nan "
        f"GROUP BY run_uuid, key, step >> {finest}" + _REPLACE
    ]
    for below, level in zip(LEVELS, LEVELS[1:], strict=False):
        out.append(
            f"INSERT INTO metric_summaries ({SUMMARY_COLUMNS}) SELECT run_uuid, key, {level}, "
            f"bucket >> {LEVEL_FACTOR_BITS}, sum(count), min(min_step), max(max_step), "
            f"min(min_timestamp), max(max_timestamp), min(min_value), max(max_value) "
            f"FROM metric_summaries WHERE {where} AND level = {below} "
            f"GROUP BY run_uuid, key, bucket >> {LEVEL_FACTOR_BITS}" + _REPLACE
        )
    return out


BACKFILL_ONE = backfill_statements("run_uuid = ? AND key = ?")


def group_points(points: Sequence[MetricPoint]) -> dict[tuple[str, str], list[MetricPoint]]:
    """Points per (run, key), each list sorted by step (stable: equal steps keep their order)."""
    if not points:
        return {}
    # The common batch, one metric of one run, without a Python loop or a (run, key) tuple
    # per point: two sets of the same interned strings.
    if len(set(map(_RUN, points))) == 1 and len(set(map(_KEY, points))) == 1:
        only = list(points)
        only.sort(key=_STEP)
        return {_GROUP(only[0]): only}
    names = list(map(_GROUP, points))
    groups: dict[tuple[str, str], list[MetricPoint]] = {}
    for name, point in zip(names, points, strict=True):
        found = groups.get(name)
        if found is None:
            groups[name] = [point]
        else:
            found.append(point)
    for series in groups.values():
        if len(series) > 1:
            series.sort(key=_STEP)
    return groups


def _without_nan(series: list[MetricPoint]) -> tuple[list[MetricPoint], list[float]]:
    """The series without its NaN points, and their values."""
    values = list(map(_VAL, series))
    if not any(map(isnan, values)):  # the common case: no Python loop
        return series, values
    kept = [point for point in series if not isnan(_VAL(point))]
    return kept, list(map(_VAL, kept))


def _latest_row(
    run_id: str, key: str, series: list[MetricPoint], clean: list[MetricPoint], values: list[float]
) -> tuple[Any, ...]:
    """(run, key, value, is_nan, timestamp, step, min, max, count) of one sorted series;
    ``clean`` and ``values``: the series without its NaN points and their values
    (:func:`_without_nan`)."""
    last_step = _STEP(series[-1])
    i = len(series) - 1
    while i > 0 and _STEP(series[i - 1]) == last_step:
        i -= 1
    best = series[i]
    for point in series[i + 1 :]:  # the largest timestamp at the last step; later wins ties
        if _TIME(point) >= _TIME(best):
            best = point
    value = _VAL(best)
    return (
        run_id,
        key,
        0.0 if value != value else value,
        value != value,
        _TIME(best),
        last_step,
        min(values) if values else None,
        max(values) if values else None,
        len(series),
    )


def summary_rows(
    clean: Sequence[MetricPoint], values: list[float] | None = None
) -> list[list[Any]]:
    """[level, bucket, count, min_step, max_step, min_ts, max_ts, min, max] of a sorted series
    without NaN points (``values``: their values, when the caller has them).

    The finest level is cut with ``bisect`` on the sorted steps and ``min``/``max`` of slices;
    each coarser level merges 8 buckets of the level below.
    """
    steps = list(map(_STEP, clean))
    stamps = list(map(_TIME, clean))
    if values is None:
        values = list(map(_VAL, clean))
    shift = LEVELS[0]
    level: list[list[Any]] = []
    i, n = 0, len(steps)
    while i < n:
        bucket = steps[i] >> shift
        j = bisect_left(steps, (bucket + 1) << shift, i)
        ts, vs = stamps[i:j], values[i:j]
        level.append(
            [shift, bucket, j - i, steps[i], steps[j - 1], min(ts), max(ts), min(vs), max(vs)]
        )
        i = j
    out = list(level)
    for shift in LEVELS[1:]:
        merged: list[list[Any]] = []
        for row in level:
            bucket = row[1] >> LEVEL_FACTOR_BITS
            if merged and merged[-1][1] == bucket:
                top = merged[-1]
                top[2] += row[2]
                top[4] = max(top[4], row[4])
                top[5] = min(top[5], row[5])
                top[6] = max(top[6], row[6])
                top[7] = min(top[7], row[7])
                top[8] = max(top[8], row[8])
            else:
                merged.append([shift, bucket, *row[2:]])
        out += merged
        level = merged
    return out


def _insert_history(cursor: Cursor, groups: dict[tuple[str, str], list[MetricPoint]]) -> None:
    """The history rows: a long series (the background writer's usual batch) with its run
    and key bound once per statement, the others row by row."""
    rest = []
    for (run_id, key), series in groups.items():
        if len(series) >= _OWN_STATEMENT:
            _insert_series(cursor, run_id, key, series)
        else:
            rest.append(series)
    if rest:
        flat = list(chain.from_iterable(chain.from_iterable(rest)))
        cursor.insert_rows(SQLITE_HISTORY_INSERT, len(POINT_COLUMNS), flat, pad=True)


def _insert_series(cursor: Cursor, run_id: str, key: str, series: list[MetricPoint]) -> None:
    """One series' history rows, three parameters a row instead of five: the run id and key
    are bound once a statement instead of copied into SQLite for every row (6,400 rows: ~1.4
    ms to run instead of ~2.7, ~45 ms to compile instead of ~55)."""
    flat = list(chain.from_iterable(map(_NUMBERS, series)))
    width = len(POINT_COLUMNS) - 2
    cursor.insert_rows(
        SQLITE_SERIES_INSERT, width, flat, pad=True, leading=(run_id, key), rows=_SERIES_CHUNK_ROWS
    )


def write_metric_points(
    cursor: Cursor, points: Sequence[MetricPoint], touch: bool = True
) -> set[str]:
    """Append history rows, fold them into latest_metrics and the summaries; touch the runs
    (unless ``touch`` is false: the caller does).

    Returns the run ids touched. Runs inside the caller's transaction.
    """
    if not points:
        return set()
    if cursor.postgres:  # one statement per batch (below)
        return write_points_postgres(cursor, points, touch)
    groups = group_points(points)
    _insert_history(cursor, groups)
    # Upserts in one order (run, key), so concurrent PostgreSQL writers cannot deadlock.
    ordered = sorted(groups)
    clean: dict[tuple[str, str], list[MetricPoint]] = {}
    clean_values: dict[tuple[str, str], list[float]] = {}
    latest = []
    for name in ordered:
        kept, values = clean[name], clean_values[name] = _without_nan(groups[name])
        latest.append(_latest_row(*name, groups[name], kept, values))
    counts = cursor.insert_rows(LATEST_UPSERT, 9, list(chain.from_iterable(latest)))
    summaries: list[Any] = []
    for run_id, key, count in counts:
        if count < SUMMARY_FROM:
            continue
        if count - len(groups[run_id, key]) < SUMMARY_FROM:  # just crossed: from its history
            for statement in BACKFILL_ONE:
                cursor.execute(statement, (run_id, key))
            continue
        for row in summary_rows(clean[run_id, key], clean_values[run_id, key]):
            summaries += (run_id, key, *row)
    if summaries:
        cursor.insert_rows(
            f"INSERT INTO metric_summaries ({SUMMARY_COLUMNS}) {{rows}}"
            + _summary_merge(cursor.postgres),
            11,
            summaries,
        )
    touched = {run_id for run_id, _ in groups}
    if touch:
        touch_runs(cursor, touched)
    return touched


def touch_runs(cursor: Cursor, run_ids: Iterable[str], name: str | None = None) -> None:
    """Move the runs' ``last_update_time`` (what the sidebar polls) to now (and rename)."""
    ids = sorted(run_ids)
    now = now_ms()
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = ids[start : start + _IDS_PER_STATEMENT]
        where = f"run_uuid IN ({in_list(len(chunk))})"
        if name is None:
            cursor.execute(f"UPDATE runs SET last_update_time = ? WHERE {where}", (now, *chunk))
        else:
            cursor.execute(
                f"UPDATE runs SET last_update_time = ?, name = ? WHERE {where}", (now, name, *chunk)
            )


# PostgreSQL: one statement per batch, one round trip.
#
# The history rows, each series' latest value and the summaries of the series past
# ``SUMMARY_FROM`` points are written by one statement with
# data-modifying ``WITH`` parts over ``unnest`` arrays. Before, a batch was a ``COPY`` of the
# history (its start, data and end are three exchanges with the server, and PostgreSQL counts the
# whole ``COPY`` as running while the client formats rows), then the upsert of the latest values,
# then a ``VALUES`` upsert of the summary rows made in Python (thousands of parameters that psycopg
# parsed afresh for each batch), then the touch of the runs: on a 1,000-point batch the ``COPY``
# alone took 14 ms of PostgreSQL's time and the whole write ~27 ms (bench/README.md, case 9).
#
# The points travel as four arrays (the series each belongs to, value, timestamp, step), each one
# text parameter in PostgreSQL's array syntax: joining ``repr`` of floats and ints is C-level work
# in Python, and PostgreSQL parses the arrays in C. Run ids and keys (which would need quoting)
# travel once per series, as lists psycopg adapts. Summaries are aggregated in SQL from the same
# points (every level at once: the points cross-joined with the levels). A series that crosses
# ``SUMMARY_FROM`` in this batch is summarized from its whole history afterwards, in the same
# transaction, as the SQLite path does: the statement's own history rows are not visible to its
# other parts.
#
# Statements are prepared by psycopg after a few runs (its ``prepare_threshold``): one text per
# set of options, so PostgreSQL plans each once per connection.

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
        row = _latest_row(run_id, key, series, *_without_nan(series))
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
