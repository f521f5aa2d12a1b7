"""Reading and writing a run's params, tags and metrics inside a store transaction."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from labtrack.entities import Metric, Param, RunData, RunTag
from labtrack.errors import InvalidParameterError
from labtrack.store.contract import MetricPoint
from labtrack.store.sql import tables

_CHUNK = 500  # rows per IN (...) list, below every database's bound-parameter limit


def _insert(conn: Connection, table):  # type: ignore[no-untyped-def]
    """The dialect's INSERT (for ON CONFLICT). Imported here: a SQLite user never pays for
    importing SQLAlchemy's PostgreSQL dialects (a tenth of a cold start)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


def write_params(conn: Connection, run_id: str, params: Sequence[Param]) -> None:
    """Insert params; the same value again is a no-op, a different one an error."""
    if not params:
        return
    wanted: dict[str, str] = {}
    for p in params:
        if p.key in wanted and wanted[p.key] != p.value:
            raise InvalidParameterError(
                f"The batch sets param {p.key!r} twice with different values "
                f"({wanted[p.key]!r} and {p.value!r}); a param has one value per run."
            )
        wanted[p.key] = p.value
    t = tables.params
    existing = dict(
        conn.execute(
            select(t.c.key, t.c.value).where(t.c.run_uuid == run_id, t.c.key.in_(list(wanted)))
        ).all()
    )
    for key, value in wanted.items():
        if key in existing and existing[key] != value:
            raise InvalidParameterError(
                f"Param {key!r} of run {run_id} is already {existing[key]!r}; params cannot "
                f"change (tried {value!r}). Log the new value under another key, or start a "
                "new run for a new configuration."
            )
    new = [
        {"run_uuid": run_id, "key": k, "value": v} for k, v in wanted.items() if k not in existing
    ]
    if new:
        conn.execute(t.insert(), new)


def write_tags(conn: Connection, run_id: str, tags: Sequence[RunTag]) -> None:
    if not tags:
        return
    latest = {t.key: t.value for t in tags}  # last one wins inside a batch
    stmt = _insert(conn, tables.tags)
    stmt = stmt.on_conflict_do_update(
        index_elements=["run_uuid", "key"], set_={"value": stmt.excluded.value}
    )
    conn.execute(stmt, [{"run_uuid": run_id, "key": k, "value": v} for k, v in latest.items()])


def _point_row(run_id: str, key: str, value: float, ts: int, step: int) -> dict[str, object]:
    nan = math.isnan(value)
    return {
        "run_uuid": run_id,
        "key": key,
        "value": 0.0 if nan else value,
        "is_nan": nan,
        "timestamp": ts,
        "step": step,
    }


def write_metric_points(conn: Connection, points: Iterable[MetricPoint]) -> set[str]:
    """Append history rows and fold them into latest_metrics. Returns the run ids touched."""
    rows = []
    # (run, key) -> [latest (step, ts, value), min, max, count]
    summary: dict[tuple[str, str], list[Any]] = {}
    for run_id, key, value, ts, step in points:
        rows.append(_point_row(run_id, key, value, ts, step))
        nan = math.isnan(value)
        s = summary.get((run_id, key))
        if s is None:
            summary[(run_id, key)] = [
                (step, ts, value),
                None if nan else value,
                None if nan else value,
                1,
            ]
            continue
        if (step, ts) >= s[0][:2]:
            s[0] = (step, ts, value)
        if not nan:
            s[1] = value if s[1] is None or value < s[1] else s[1]
            s[2] = value if s[2] is None or value > s[2] else s[2]
        s[3] += 1
    if not rows:
        return set()
    conn.execute(tables.metrics.insert(), rows)
    latest_rows = []
    for (run_id, key), (last, lo, hi, count) in summary.items():
        row = _point_row(run_id, key, last[2], last[1], last[0])
        row.update(min_value=lo, max_value=hi, count=count)
        latest_rows.append(row)
    stmt = _insert(conn, tables.latest_metrics)
    ex = stmt.excluded
    cur = tables.latest_metrics.c
    newer = or_(ex.step > cur.step, (ex.step == cur.step) & (ex.timestamp >= cur.timestamp))

    def pick(new: Any, old: Any) -> Any:
        return case((newer, new), else_=old)

    def bound(new: Any, old: Any, smaller: bool) -> Any:
        better = new < old if smaller else new > old
        return case((new.is_(None), old), (old.is_(None) | better, new), else_=old)

    stmt = stmt.on_conflict_do_update(
        index_elements=["run_uuid", "key"],
        set_={
            "value": pick(ex.value, cur.value),
            "is_nan": pick(ex.is_nan, cur.is_nan),
            "timestamp": pick(ex.timestamp, cur.timestamp),
            "step": pick(ex.step, cur.step),
            "min_value": bound(ex.min_value, cur.min_value, smaller=True),
            "max_value": bound(ex.max_value, cur.max_value, smaller=False),
            "count": cur.count + ex.count,
        },
    )
    conn.execute(stmt, latest_rows)
    return {run_id for run_id, _ in summary}


def metric_from_row(value: float, is_nan: bool) -> float:
    return math.nan if is_nan else float(value)


def _rows_of_runs(conn: Connection, table: str, columns: str, run_ids: Sequence[str]) -> list[Any]:
    """``SELECT columns FROM table`` for these runs, fetched through the driver's cursor.

    The hot path behind ``search_runs``: the database driver returns plain tuples, without
    SQLAlchemy's per-row result processing (a third of the time for a few thousand runs).
    ``table`` and ``columns`` are constants of this module, never user input.
    """
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE run_uuid = ANY(%s)", (list(run_ids),)
            )
            return list(cursor.fetchall())
        rows: list[Any] = []
        for i in range(0, len(run_ids), _CHUNK):
            chunk = list(run_ids[i : i + _CHUNK])
            marks = ",".join("?" * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE run_uuid IN ({marks})", chunk)
            rows += cursor.fetchall()
        return rows
    finally:
        cursor.close()


def read_run_data(conn: Connection, run_ids: Sequence[str]) -> dict[str, RunData]:
    """Params, tags and latest metrics of many runs, in one query per table (and chunk)."""
    out = {rid: RunData() for rid in run_ids}
    if not out:
        return out
    for rid, key, value in _rows_of_runs(conn, "params", "run_uuid, key, value", run_ids):
        out[rid].params[key] = value
    for rid, key, value in _rows_of_runs(conn, "tags", "run_uuid, key, value", run_ids):
        out[rid].tags[key] = value
    metric_rows = _rows_of_runs(conn, "latest_metrics", "run_uuid, key, value, is_nan", run_ids)
    for rid, key, value, is_nan in metric_rows:
        out[rid].metrics[key] = metric_from_row(value, is_nan)
    return out


def metric_history(conn: Connection, run_id: str, key: str) -> list[Metric]:
    m = tables.metrics
    result = conn.execute(
        select(m.c.value, m.c.is_nan, m.c.timestamp, m.c.step)
        .where(m.c.run_uuid == run_id, m.c.key == key)
        .order_by(m.c.step, m.c.timestamp)
    )
    return [Metric(key, metric_from_row(v, nan), ts, step, run_id) for v, nan, ts, step in result]


def metric_summaries(conn: Connection, run_id: str) -> dict[str, dict[str, object]]:
    """Last, min, max, count and last step of each metric of a run."""
    m = tables.latest_metrics
    rows = conn.execute(
        select(
            m.c.key,
            m.c.value,
            m.c.is_nan,
            m.c.step,
            m.c.timestamp,
            m.c.min_value,
            m.c.max_value,
            m.c.count,
        ).where(m.c.run_uuid == run_id)
    )
    return {
        key: {
            "last": metric_from_row(value, nan),
            "step": step,
            "timestamp": ts,
            "min": lo,
            "max": hi,
            "count": count,
        }
        for key, value, nan, step, ts, lo, hi, count in rows
    }


def count_rows(conn: Connection, table, run_id: str) -> int:  # type: ignore[no-untyped-def]
    return int(conn.execute(select(func.count()).where(table.c.run_uuid == run_id)).scalar() or 0)
