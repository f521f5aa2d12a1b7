"""The database behind the SQL store: its engines, its transactions, and paged searches.

Every repository of the store reaches the database through one :class:`Database`:
``read(work)`` runs ``work(connection)`` on the read engine, ``write(work)`` in a write
transaction (retried when a busy store reports a lock timeout); both turn a database that
cannot be reached or written into a :class:`~labtrack.errors.StoreError` that says what to do.
``read_cursor`` / ``write_cursor`` are the same on the driver's own cursor, for the hot paths
(:mod:`.driver`). :class:`Page` is the one place that reads ``max_results`` and page tokens.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import time
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, Row, Select, Table
from sqlalchemy.exc import DBAPIError, OperationalError

from labtrack.entities import PagedList
from labtrack.errors import InvalidParameterError, StoreError
from labtrack.store.contract import SEARCH_MAX_RESULTS_LIMIT
from labtrack.store.sql.driver import Cursor
from labtrack.store.sql.engine import (
    begin_immediate,
    make_engines,
    with_retries,
)
from labtrack.store.sql.schema import ensure_schema
from labtrack.utils.redact import redact, redact_uri, uri_secrets
from labtrack.utils.validation import MAX_INT64

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

T = TypeVar("T")
Entity = TypeVar("Entity")
# Turns a page of rows into entities, inside the transaction that read them.
ToEntities = Callable[[Connection, Sequence[Row[Any]]], list[Entity]]


def now_ms() -> int:
    """The time in milliseconds since the epoch (every timestamp the store writes)."""
    return int(time.time() * 1000)


def upsert_into(connection: Connection, table: Table) -> PostgresInsert | SqliteInsert:
    """The dialect's INSERT, which has ON CONFLICT (``on_conflict_do_update``)."""
    # Imported here, not at the top: a SQLite user never pays for importing SQLAlchemy's
    # PostgreSQL dialects (a tenth of a cold start).
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)


# SQLite plans a search over many runs well (from the filter's key index rather than from every
# run of the experiment) only with table statistics. They are gathered, sampled (a few ms even
# for a large store), when a store of this many runs has none or has doubled since.
STATISTICS_FROM_RUNS = 1_000


def refresh_statistics(engine: Engine) -> None:
    """``ANALYZE`` a SQLite store whose statistics are missing or stale; skipped when busy."""
    pooled = engine.raw_connection()
    try:
        cursor = pooled.cursor()
        cursor.execute("PRAGMA busy_timeout = 100")  # never hold up opening the store
        try:
            runs = cursor.execute("SELECT max(rowid) FROM runs").fetchone()[0] or 0
            if runs < STATISTICS_FROM_RUNS:
                return
            try:
                row = cursor.execute(
                    "SELECT stat FROM sqlite_stat1 WHERE idx = 'sqlite_autoindex_runs_1'"
                ).fetchone()
            except Exception:  # no sqlite_stat1 table: never analyzed
                row = None
            if row is not None and runs <= 2 * int(str(row[0]).split()[0]):
                return
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
            pooled.commit()
        except Exception:  # a busy or read-only store: plans without statistics still work
            with contextlib.suppress(Exception):
                pooled.rollback()
        finally:
            cursor.execute("PRAGMA busy_timeout = 0")  # the write engine's (see begin_immediate)
            cursor.close()
    finally:
        pooled.close()


def driver_cursor(connection: Connection) -> Cursor:
    """The driver's cursor under a SQLAlchemy connection, inside the same transaction."""
    driver_connection = connection.connection.dbapi_connection
    assert driver_connection is not None  # a Connection in use always holds one
    return Cursor(driver_connection.cursor(), connection.dialect.name)


def driver_rows(connection: Connection, query: Select[Any]) -> list[Any]:
    """Rows of a SQLAlchemy query as the driver's plain tuples (no result processing)."""
    result = connection.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_page_token(token: str | None) -> int:
    """The offset a page token stands for (0 without a token)."""
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        if not isinstance(offset, int) or not 0 <= offset <= MAX_INT64:
            raise ValueError
        return offset
    except Exception:
        raise InvalidParameterError(
            f"Invalid page_token {token!r}: pass the token a previous search returned."
        ) from None


def check_max_results(max_results: int) -> int:
    if not isinstance(max_results, int) or not 0 < max_results <= SEARCH_MAX_RESULTS_LIMIT:
        raise InvalidParameterError(
            f"max_results must be an integer from 1 to {SEARCH_MAX_RESULTS_LIMIT}; "
            f"got {max_results!r}. Page through larger results with page_token."
        )
    return max_results


class Page:
    """The slice of a search's results one request asks for.

    Made before the query, so a bad ``max_results`` or page token is reported before the
    filter is read; then :meth:`Database.read_page` runs the query for this slice.

    >>> page = Page(max_results=2, page_token=None)
    >>> (page.offset, page.max_results)
    (0, 2)
    """

    def __init__(self, max_results: int, page_token: str | None) -> None:
        self.max_results = check_max_results(max_results)
        self.offset = decode_page_token(page_token)

    def fetch(
        self,
        connection: Connection,
        query: Select[Any],
        to_entities: ToEntities[Entity],
    ) -> PagedList[Entity]:
        # One row more than asked tells whether a next page exists.
        rows = connection.execute(query.offset(self.offset).limit(self.max_results + 1)).all()
        more = len(rows) > self.max_results
        token = encode_page_token(self.offset + self.max_results) if more else None
        return PagedList(to_entities(connection, rows[: self.max_results]), token)


class Database:
    """A SQLite or PostgreSQL database holding the current schema, with typed transactions."""

    def __init__(self, tracking_uri: str, artifact_root: str) -> None:
        self.tracking_uri = tracking_uri
        self.write_engine, self.read_engine = make_engines(tracking_uri)
        try:
            ensure_schema(self.write_engine, artifact_root)
        except OperationalError as exc:
            raise StoreError(self.explain(exc)) from exc
        except StoreError as exc:
            # The schema step's messages quote the driver, which may quote the password.
            raise StoreError(redact(exc.message, uri_secrets(tracking_uri))) from exc.__cause__
        self.refresh_statistics()
        if self.write_engine.dialect.name == "sqlite":
            _OPEN.add(self)

    def refresh_statistics(self) -> None:
        """Gather SQLite's table statistics if they are missing or stale: at open, and before
        each search, since a long-lived process (the Jupyter server) sees the store grow. The
        check is two indexed lookups."""
        if self.write_engine.dialect.name == "sqlite":
            refresh_statistics(self.write_engine)

    def explain(self, exc: OperationalError, action: str = "written") -> str:
        """What went wrong, and what to do about it, for a user (``action``: read, written)."""
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        able = "readable" if action == "read" else "writable"
        # Drivers may echo the connection string; the message reaches logs and REST bodies.
        detail = redact(detail, uri_secrets(self.tracking_uri))
        hint = f"Check that the store is reachable and {able}."
        lowered = detail.lower()
        if "readonly" in lowered or "read-only" in lowered:
            hint = "The store is read-only: make the file and its folder writable."
        elif "disk" in lowered and "full" in lowered:
            hint = "The disk is full: free space, then retry."
        elif "unable to open" in lowered:
            hint = "The store folder does not exist or is not writable."
        return (
            f"The store at {redact_uri(self.tracking_uri)} could not be {action}: {detail}. {hint}"
        )

    def write(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` in one write transaction: all of it is committed or nothing."""

        def attempt() -> T:
            with self.write_engine.begin() as connection:
                return work(connection)

        try:
            return with_retries(attempt)
        except OperationalError as exc:
            raise StoreError(self.explain(exc)) from exc

    def _on_driver(self, engine: Engine, work: Callable[[Cursor], T], write: bool) -> T:
        """``work(cursor)`` on a pooled driver connection: committed as a whole, or rolled back.

        Driver errors are wrapped as SQLAlchemy wraps them (``OperationalError``,
        ``IntegrityError``, ...), so retries and explanations treat both paths alike.
        """
        dialect = engine.dialect
        dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        try:
            # The pool hands out the driver's own errors (a database that is gone, a refused
            # connection): wrapped below too, so the caller sees a StoreError it can retry.
            pooled = engine.raw_connection()
        except dbapi_error as exc:
            raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=dialect) from exc
        try:
            raw = pooled.cursor()
            try:
                if dialect.name == "sqlite":
                    # A writer takes the lock now, not mid-way; a reader reads one snapshot.
                    if write:
                        begin_immediate(raw)
                    else:
                        raw.execute("BEGIN")
                result = work(Cursor(raw, dialect.name))
                pooled.commit()
                return result
            except BaseException:
                with contextlib.suppress(Exception):
                    pooled.rollback()
                raise
            finally:
                with contextlib.suppress(Exception):
                    raw.close()
        except dbapi_error as exc:
            raise DBAPIError.instance(None, None, exc, dbapi_error, dialect=dialect) from exc
        finally:
            pooled.close()

    def write_cursor(self, work: Callable[[Cursor], T]) -> T:
        """:meth:`write` on the driver's cursor (plain SQL, tuples): the hot write paths."""
        try:
            return with_retries(lambda: self._on_driver(self.write_engine, work, write=True))
        except OperationalError as exc:
            raise StoreError(self.explain(exc)) from exc

    def read_cursor(self, work: Callable[[Cursor], T]) -> T:
        """:meth:`read` on the driver's cursor: the hot read paths."""
        try:
            return with_retries(lambda: self._on_driver(self.read_engine, work, write=False))
        except OperationalError as exc:
            raise StoreError(self.explain(exc, "read")) from exc

    def read(self, work: Callable[[Connection], T]) -> T:
        """``work(connection)`` on the read engine (it never takes SQLite's write lock); a
        database that went away is retried for a while, as :meth:`write` does."""

        def attempt() -> T:
            with self.read_engine.connect() as connection:
                return work(connection)

        try:
            return with_retries(attempt)
        except OperationalError as exc:
            raise StoreError(self.explain(exc, "read")) from exc

    def read_page(
        self,
        page: Page,
        query: Select[Any],
        to_entities: ToEntities[Entity],
    ) -> PagedList[Entity]:
        """The ``page`` of ``query``'s rows, turned into entities in the same transaction."""
        return self.read(lambda connection: page.fetch(connection, query, to_entities))

    def close(self) -> None:
        """Close every connection. On SQLite the WAL is checkpointed first, so the database
        file alone holds everything committed (a copy of it is a whole store)."""
        _OPEN.discard(self)
        if self.write_engine.dialect.name == "sqlite":
            checkpoint(self.write_engine)
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()


def checkpoint(engine: Engine) -> None:
    """Copy what SQLite's WAL holds into the database file, without waiting for anyone.

    SQLite does this by itself when the last connection to a database closes, but a process
    that exits with its pooled connections open never closes them: the data then lives only
    in ``labtrack.db-wal``, and a copy of ``labtrack.db`` alone is an empty store.
    """
    with contextlib.suppress(Exception):  # a busy or read-only store: the WAL stays valid
        pooled = engine.raw_connection()
        try:
            cursor = pooled.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                cursor.close()
        finally:
            pooled.close()


# The SQLite databases this process has open, checkpointed and closed at interpreter exit.
_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


def close_sqlite_stores() -> None:
    """Checkpoint and close every SQLite database still open (at interpreter exit; the fluent
    API's exit hook calls it again after it has ended its runs and flushed their metrics)."""
    for database in list(_OPEN):
        with contextlib.suppress(Exception):  # never turn interpreter exit into a traceback
            database.close()


atexit.register(close_sqlite_stores)
