"""Run rows and their params and tags, read and written inside the caller's transaction.

Nothing here opens a transaction: every function works on the connection it is given, so the
run, metric and registry repositories compose them into one transaction each.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, select, update

from labtrack.entities import Param, Run, RunData, RunInfo, RunTag
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import now_ms, upsert_into
from labtrack.utils import validation

_CHUNK = 500  # rows per IN (...) list, below every database's bound-parameter limit


def run_row(connection: Connection, run_id: str) -> Row[Any]:
    """The run's row; ResourceNotFoundError if there is none."""
    runs = tables.runs
    row = connection.execute(
        select(runs).where(runs.c.run_uuid == validation.run_id(run_id))
    ).first()
    if row is None:
        raise ResourceNotFoundError(
            f"No run with id {run_id!r}. Find runs with search_runs() or `labtrack runs list`."
        )
    return row


def run_info(row: Row[Any]) -> RunInfo:
    return RunInfo(
        run_id=row.run_uuid,
        experiment_id=str(row.experiment_id),
        run_name=row.name or "",
        user_id=row.user_id or "",
        status=row.status,
        start_time=row.start_time,
        end_time=row.end_time,
        lifecycle_stage=row.lifecycle_stage,
        artifact_uri=row.artifact_uri,
    )


def build_runs(connection: Connection, rows: Sequence[Row[Any]]) -> list[Run]:
    """Runs (info and data) of these rows of ``runs``, in their order."""
    data = read_run_data(connection, [row.run_uuid for row in rows])
    return [Run(run_info(row), data[row.run_uuid]) for row in rows]


def touch_runs(connection: Connection, run_ids: Iterable[str], **values: object) -> None:
    """Move the runs' ``last_update_time`` (what the sidebar polls) to now, with ``values``."""
    runs = tables.runs
    ids = list(run_ids)
    matching = runs.c.run_uuid == ids[0] if len(ids) == 1 else runs.c.run_uuid.in_(ids)
    connection.execute(update(runs).where(matching).values(last_update_time=now_ms(), **values))


def write_params(connection: Connection, run_id: str, params: Sequence[Param]) -> None:
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
    table = tables.params
    existing = dict(
        connection.execute(
            select(table.c.key, table.c.value).where(
                table.c.run_uuid == run_id, table.c.key.in_(list(wanted))
            )
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
        {"run_uuid": run_id, "key": key, "value": value}
        for key, value in wanted.items()
        if key not in existing
    ]
    if new:
        connection.execute(table.insert(), new)


def write_tags(connection: Connection, run_id: str, run_tags: Sequence[RunTag]) -> None:
    """Set (or overwrite) run tags; the last value of a key in the batch wins."""
    if not run_tags:
        return
    latest = {tag.key: tag.value for tag in run_tags}
    insert = upsert_into(connection, tables.tags)
    statement = insert.on_conflict_do_update(
        index_elements=["run_uuid", "key"], set_={"value": insert.excluded.value}
    )
    connection.execute(
        statement,
        [{"run_uuid": run_id, "key": key, "value": value} for key, value in latest.items()],
    )


def metric_value(value: float, is_nan: bool) -> float:
    """A stored metric value (NaN is stored as 0 with ``is_nan``) as the float it was."""
    return math.nan if is_nan else float(value)


def _rows_of_runs(
    connection: Connection, table: str, columns: str, run_ids: Sequence[str]
) -> list[Any]:
    """``SELECT columns FROM table`` for these runs, fetched through the driver's cursor.

    The hot path behind ``search_runs``: the database driver returns plain tuples, without
    SQLAlchemy's per-row result processing (a third of the time for a few thousand runs).
    ``table`` and ``columns`` are constants of this module, never user input.
    """
    driver_connection = connection.connection.dbapi_connection
    assert driver_connection is not None  # a Connection in use always holds one
    cursor = driver_connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE run_uuid = ANY(%s)", (list(run_ids),)
            )
            return list(cursor.fetchall())
        rows: list[Any] = []
        for start in range(0, len(run_ids), _CHUNK):
            chunk = list(run_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE run_uuid IN ({marks})", chunk)
            rows += cursor.fetchall()
        return rows
    finally:
        cursor.close()


def read_run_data(connection: Connection, run_ids: Sequence[str]) -> dict[str, RunData]:
    """Params, tags and latest metrics of many runs, in one query per table (and chunk)."""
    found = {run_id: RunData() for run_id in run_ids}
    if not found:
        return found
    for run_id, key, value in _rows_of_runs(connection, "params", "run_uuid, key, value", run_ids):
        found[run_id].params[key] = value
    for run_id, key, value in _rows_of_runs(connection, "tags", "run_uuid, key, value", run_ids):
        found[run_id].tags[key] = value
    latest = _rows_of_runs(connection, "latest_metrics", "run_uuid, key, value, is_nan", run_ids)
    for run_id, key, value, is_nan in latest:
        found[run_id].metrics[key] = metric_value(value, is_nan)
    return found
