"""Plain SQL through the database driver's cursor: the store's hot paths.

SQLAlchemy Core builds, caches and compiles each statement and processes every result row:
~100 µs of Python per statement, against ~10 µs of work in SQLite. That is most of what
creating a run or committing a batch of metric points costs. The few statements a training
loop repeats thousands of times (create a run, log a batch, append metric points, end a run,
read a run or a history) therefore run as fixed SQL text on the DBAPI cursor, through
:class:`Cursor`; everything else keeps SQLAlchemy.

SQL is written once with ``?`` placeholders and translated for PostgreSQL (psycopg's ``%s``);
so it must not contain a literal ``?`` or ``%``. Rows come back as plain tuples.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

# Bound parameters per statement: SQLite (>= 3.32) allows 32,766, PostgreSQL 65,535.
MAX_PARAMETERS = 32_000
# The smallest padded chunk (see Cursor.insert_rows): smaller batches cost little to compile.
PAD_FROM = 16


@functools.lru_cache(maxsize=512)
def _for_postgres(sql: str) -> str:
    return sql.replace("?", "%s")


@functools.lru_cache(maxsize=256)
def value_rows(rows: int, columns: int) -> str:
    """``(?, ?), (?, ?)``: the VALUES list of a multi-row statement (made once per shape)."""
    one = "(" + ",".join("?" * columns) + ")"
    return ",".join([one] * rows)


def chunk_rows(columns: int) -> int:
    """How many rows of ``columns`` values fit in one statement's bound parameters."""
    return MAX_PARAMETERS // columns


class Cursor:
    """A DBAPI cursor that speaks ``?`` SQL on SQLite and PostgreSQL alike.

    >>> import sqlite3
    >>> cur = Cursor(sqlite3.connect(":memory:").cursor(), "sqlite")
    >>> cur.execute("SELECT ? + 1", (41,)).fetchone()
    (42,)
    """

    def __init__(self, cursor: Any, dialect: str) -> None:
        self.raw = cursor
        self.dialect = dialect
        self.postgres = dialect == "postgresql"

    def sql(self, text: str) -> str:
        return _for_postgres(text) if self.postgres else text

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        self.raw.execute(self.sql(sql), parameters)
        return self

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Cursor:
        self.raw.executemany(self.sql(sql), rows)
        return self

    def fetchone(self) -> Any:
        return self.raw.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self.raw.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self.raw.rowcount)

    def insert_rows(
        self,
        template: str,
        columns: int,
        flat: Sequence[Any],
        pad: bool = False,
        *,
        leading: Sequence[Any] = (),
        rows: int | None = None,
    ) -> list[Any]:
        """Run ``template`` for the rows in ``flat`` (row after row of ``columns`` values).

        ``template`` holds ``{rows}`` where ``VALUES (...), (...)`` goes. One statement per
        chunk that fits the driver's parameter limit: far fewer round trips (and, on SQLite,
        far fewer GIL hand-overs) than ``executemany``'s one per row. Returns what a
        ``RETURNING`` clause gives (nothing without one).

        ``pad``: the last chunk is filled up with rows of NULLs to one of a few sizes (powers
        of two), which ``template`` must skip (``WHERE column1 IS NOT NULL``). SQLite compiles
        a ``VALUES`` list into code for every row, ~6 µs a row, 5-10 times what inserting the
        row costs; the driver keeps compiled statements by their text, so batches of ever
        different sizes (the background writer's) were compiled afresh each time. Padded,
        they reuse a handful of compiled statements.

        ``leading``: parameters bound before each chunk's rows (``?1``, ``?2`` ... of a
        ``template`` that names them; SQLite numbers the rows' ``?`` after them). ``rows``: rows
        a statement, when fewer than the parameter limit allows.
        """
        per = (rows or chunk_rows(columns)) * columns
        returning = "RETURNING" in template
        out: list[Any] = []
        for start in range(0, len(flat), per):
            part = flat[start : start + per]
            count = len(part) // columns
            if pad and count < per // columns:
                shape = min(max(PAD_FROM, 1 << (count - 1).bit_length()), per // columns)
                part = [*part, *([None] * ((shape - count) * columns))]
                count = shape
            sql = template.replace("{rows}", "VALUES " + value_rows(count, columns))
            self.execute(sql, [*leading, *part] if leading else part)
            if returning:
                out += self.raw.fetchall()
        return out


def in_list(count: int) -> str:
    """``?, ?, ?``: the placeholders of an ``IN (...)`` list."""
    return ",".join("?" * count)
