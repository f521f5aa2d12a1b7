"""Run rows and their params and tags, read and written inside the caller's transaction.

Nothing here opens a transaction: every function works on the cursor (or connection) it is
given, so the run, metric and registry repositories compose them into one transaction each.
The hot paths (a run and its data, params and tags of a batch) speak plain SQL on the
driver's cursor (:mod:`.driver`); rows come back as tuples.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from sqlalchemy import Connection, Row, Select, func, literal_column, select, update

from labtrack.entities import Param, Run, RunData, RunInfo, RunTag
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import driver_cursor, now_ms
from labtrack.store.sql.driver import Cursor, in_list
from labtrack.utils import validation

_CHUNK = 500  # rows per IN (...) list, below every database's bound-parameter limit
_BIG_CHUNK = 5_000  # the same for reads of many runs (SQLite makes a set of the list)

# The columns of ``runs`` a RunInfo is made of, in RunInfo's order.
RUN_COLUMNS = (
    "run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage, "
    "artifact_uri"
)


# Runs in scope from which searches work on sets: a filter tests each key as a set
# (run_uuid IN (SELECT ...)) instead of probing every run (EXISTS), and the key lists walk the
# key indexes instead of the runs' rows. Over a small experiment in a large store the probes
# are cheaper.
MANY_RUNS = 5_000


def many_runs(connection: Connection, experiment_keys: Sequence[int]) -> bool:
    """Whether these experiments hold at least MANY_RUNS runs (counts at most that many)."""
    runs = tables.runs
    # A constant, not a column: the experiment index alone answers (selecting run_uuid read
    # each run's row: 6-9 ms for 5,000 runs, against 0.2 ms).
    some: Select[Any] = select(literal_column("1")).select_from(runs)
    some = some.where(runs.c.experiment_id.in_(experiment_keys))
    count = connection.execute(
        select(func.count()).select_from(some.limit(MANY_RUNS).subquery())
    ).scalar()
    return bool(count and count >= MANY_RUNS)


def run_not_found(run_id: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"No run with id {run_id!r}. Find runs with search_runs() or `labtrack runs list`."
    )


def run_row(connection: Connection, run_id: str) -> Row[Any]:
    """The run's row (SQLAlchemy Core); ResourceNotFoundError if there is none."""
    runs = tables.runs
    row = connection.execute(
        select(runs).where(runs.c.run_uuid == validation.run_id(run_id))
    ).first()
    if row is None:
        raise run_not_found(run_id)
    return row


def run_info(row: Sequence[Any]) -> RunInfo:
    """A RunInfo of a ``RUN_COLUMNS`` row (a tuple or a SQLAlchemy row of ``runs``)."""
    if isinstance(row, Row):
        row = (
            row.run_uuid,
            row.name,
            row.experiment_id,
            row.user_id,
            row.status,
            row.start_time,
            row.end_time,
            row.lifecycle_stage,
            row.artifact_uri,
        )
    run_id, name, experiment_id, user_id, status, start, end, stage, artifact_uri = row
    return RunInfo(
        run_id=run_id,
        experiment_id=str(experiment_id),
        run_name=name or "",
        user_id=user_id or "",
        status=status,
        start_time=start,
        end_time=end,
        lifecycle_stage=stage,
        artifact_uri=artifact_uri,
    )


def run_tuple(cursor: Cursor, run_id: str) -> tuple[Any, ...]:
    """The run's ``RUN_COLUMNS``; ResourceNotFoundError if there is none."""
    row = cursor.execute(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE run_uuid = ?", (validation.run_id(run_id),)
    ).fetchone()
    if row is None:
        raise run_not_found(run_id)
    return tuple(row)


def read_run(cursor: Cursor, run_id: str) -> Run:
    """A run with its params, tags and latest metrics."""
    info = run_info(run_tuple(cursor, run_id))
    return Run(info, read_run_data(cursor, [info.run_id])[info.run_id])


def build_runs(connection: Connection, rows: Sequence[Row[Any]]) -> list[Run]:
    """Runs (info and data) of these rows of ``runs``, in their order."""
    data = read_run_data(driver_cursor(connection), [row.run_uuid for row in rows])
    return [Run(run_info(row), data[row.run_uuid]) for row in rows]


def touch_runs(connection: Connection, run_ids: Iterable[str], **values: object) -> None:
    """Move the runs' ``last_update_time`` (what the sidebar polls) to now, with ``values``."""
    runs = tables.runs
    ids = list(run_ids)
    matching = runs.c.run_uuid == ids[0] if len(ids) == 1 else runs.c.run_uuid.in_(ids)
    connection.execute(update(runs).where(matching).values(last_update_time=now_ms(), **values))


def write_params(cursor: Cursor, run_id: str, params: Sequence[Param]) -> None:
    """Insert params; the same value again is a no-op, a different one an error."""
    if not params:
        return
    wanted: dict[str, str] = {}
    for param in params:
        if param.key in wanted and wanted[param.key] != param.value:
            raise InvalidParameterError(
                f"The batch sets param {param.key!r} twice with different values "
                f"({wanted[param.key]!r} and {param.value!r}); a param has one value per run."
            )
        wanted[param.key] = param.value
    flat: list[str] = []
    for key, value in wanted.items():
        flat += (run_id, key, value)
    cursor.insert_rows(
        "INSERT INTO params (run_uuid, key, value) {rows} ON CONFLICT (run_uuid, key) DO NOTHING",
        3,
        flat,
    )
    if cursor.rowcount == len(wanted) and len(wanted) <= _CHUNK:
        return  # every one was new (rowcount covers the last statement: one, at this size)
    keys = list(wanted)
    existing: dict[str, str] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        where = f"run_uuid = ? AND key IN ({in_list(len(chunk))})"
        found = cursor.execute(f"SELECT key, value FROM params WHERE {where}", (run_id, *chunk))
        existing.update(found.fetchall())
    for key, value in wanted.items():
        if existing.get(key, value) != value:
            raise InvalidParameterError(
                f"Param {key!r} of run {run_id} is already {existing[key]!r}; params cannot "
                f"change (tried {value!r}). Log the new value under another key, or start a "
                "new run for a new configuration."
            )


def write_tags(cursor: Cursor, run_id: str, run_tags: Sequence[RunTag]) -> None:
    """Set (or overwrite) run tags; the last value of a key in the batch wins."""
    if not run_tags:
        return
    latest = {tag.key: tag.value for tag in run_tags}
    flat: list[str] = []
    for key, value in latest.items():
        flat += (run_id, key, value)
    cursor.insert_rows(
        "INSERT INTO tags (run_uuid, key, value) {rows} "
        "ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value",
        3,
        flat,
    )


def metric_value(value: float, is_nan: bool) -> float:
    """A stored metric value (NaN is stored as 0 with ``is_nan``) as the float it was."""
    return math.nan if is_nan else float(value)


def _rows_of_runs(
    cursor: Cursor, table: str, columns: str, run_ids: Sequence[str], chunk: int = _CHUNK
) -> list[Any]:
    """``SELECT columns FROM table`` for these runs, fetched through the driver's cursor.

    The hot path behind ``search_runs``: the database driver returns plain tuples, without
    SQLAlchemy's per-row result processing (a third of the time for a few thousand runs).
    ``table`` and ``columns`` are constants of this module, never user input.
    """
    if cursor.postgres:
        cursor.raw.execute(
            f"SELECT {columns} FROM {table} WHERE run_uuid = ANY(%s)", (list(run_ids),)
        )
        return cursor.fetchall()
    rows: list[Any] = []
    for start in range(0, len(run_ids), chunk):
        ids = list(run_ids[start : start + chunk])
        where = f"run_uuid IN ({in_list(len(ids))})"
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where}", ids)
        rows += cursor.raw.fetchall()
    return rows


def read_run_data(cursor: Cursor, run_ids: Sequence[str]) -> dict[str, RunData]:
    """Params, tags and latest metrics of many runs, in one query per table (and chunk)."""
    found = {run_id: RunData() for run_id in run_ids}
    if not found:
        return found
    for run_id, key, value in _rows_of_runs(cursor, "params", "run_uuid, key, value", run_ids):
        found[run_id].params[key] = value
    for run_id, key, value in _rows_of_runs(cursor, "tags", "run_uuid, key, value", run_ids):
        found[run_id].tags[key] = value
    latest = _rows_of_runs(cursor, "latest_metrics", "run_uuid, key, value, is_nan", run_ids)
    for run_id, key, value, is_nan in latest:
        found[run_id].metrics[key] = metric_value(value, is_nan)
    return found


class RunColumns(TypedDict):
    params: list[Any]
    tags: list[Any]
    metrics: list[Any]


def read_run_columns(cursor: Cursor, runs: Sequence[Sequence[Any]]) -> RunColumns:
    """Params, tags and latest metrics of these ``RUN_COLUMNS`` rows, as plain rows."""
    ids = [row[0] for row in runs]
    if not ids:
        return {"params": [], "tags": [], "metrics": []}
    return {
        "params": _rows_of_runs(cursor, "params", "run_uuid, key, value", ids, _BIG_CHUNK),
        "tags": _rows_of_runs(cursor, "tags", "run_uuid, key, value", ids, _BIG_CHUNK),
        "metrics": _rows_of_runs(
            cursor, "latest_metrics", "run_uuid, key, value, is_nan", ids, _BIG_CHUNK
        ),
    }
