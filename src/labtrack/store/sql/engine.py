"""Engines for SQLite and PostgreSQL, set up so several processes can write at once.

SQLite: WAL journal (readers never block the writer), a generous busy timeout, and
``BEGIN IMMEDIATE`` on the write engine so two writers queue on the lock instead of failing
with "database is locked" when a read transaction tries to upgrade. Reads use a second
engine with ordinary deferred transactions, so the Jupyter server's reads never take the
write lock.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.pool import QueuePool

from labtrack.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
# SQLite copies the WAL into the database file once it holds this many pages (its default is
# 1,000). A short run writes ~37 pages, and the pages every run rewrites (the right edge of the
# runs' and history's b-trees) are copied once per checkpoint: at 4,000, a run with 5 params
# and 5 metrics cost 7-15% less CPU and wall time, and over 2,000 runs the process made 9%
# fewer writes, 47% fewer reads and 59 fdatasyncs instead of 218; searches measured the same.
# It stays below 4,096, the frames one block of SQLite's WAL index maps, so a reader's page
# lookup still searches one block. The WAL file grows to ~16 MB. A crashed process loses
# nothing committed; after a power loss the commits since the last checkpoint (now up to this
# many pages) may roll back, as synchronous = NORMAL already allowed (docs/store.md).
WAL_AUTOCHECKPOINT_PAGES = 4_000
T = TypeVar("T")


def sqlite_file(url: str) -> Path | None:
    """The database file a ``sqlite:///`` URL names (``None`` for an in-memory one)."""
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path.startswith("file:"):  # SQLite URI filenames (?mode=ro&uri=true)
        path = path[len("file:") :]
    if not path or path.startswith(":memory:"):
        return None
    return Path(path.split("?", 1)[0])


_SQLITE_MAGIC = b"SQLite format 3\x00"


_CREATING_S = 2.0


def _without_its_wal(path: Path) -> bool:
    """Whether ``path`` is a SQLite file with no schema yet and no WAL file beside it."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return False  # missing or unreadable: SQLite's own error says it better
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return False
    schema_cookie = int.from_bytes(header[40:44], "big")
    return schema_cookie == 0 and not Path(f"{path}-wal").exists()


def _refuse_a_database_without_its_wal(path: Path) -> None:
    """Refuse a database file that has content but never held a schema, with no WAL beside it.

    That is what copying ``labtrack.db`` alone gives while the store's data is still in
    ``labtrack.db-wal``: opening it would silently create an empty store over it. A store
    being created right now by another process has its WAL file open beside it.

    A store being created has such a header for a moment too (``journal_mode = WAL`` writes it
    before the first write transaction makes the WAL file), so the file is looked at again for
    up to ``_CREATING_S`` before it is refused: a lone copy stays that way, a new store does not.
    """
    deadline = time.monotonic() + _CREATING_S
    while _without_its_wal(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not _without_its_wal(path):
        return
    raise StoreError(
        f"{path} is a database file that holds no tables, so it is not a labtrack store: it "
        f"looks like a copy of a store's database without its {path.name}-wal file, where "
        "SQLite keeps the latest writes. Copy both files while no process has the store "
        "open, or make a copy with `labtrack db backup DEST`. To start a new store here "
        "instead, delete the file."
    )


def _prepare_sqlite_file(url: str) -> None:
    path = sqlite_file(url)
    if path is None:
        return
    _refuse_a_database_without_its_wal(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Cannot create the store folder {path.parent}: {exc.strerror}. "
            "Point LABTRACK_TRACKING_URI (or set_tracking_uri) at a writable folder."
        ) from exc


def _sqlite_engine(url: str, immediate: bool, connections: int = 4) -> Engine:
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        # Keep connections open: opening one runs the pragmas, and closing the last one
        # checkpoints the WAL, ~10 ms each. An idle pooled connection holds no snapshot.
        poolclass=QueuePool,
        pool_size=connections,
        max_overflow=8 if connections > 1 else 0,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cur.execute("PRAGMA foreign_keys = ON")
        if immediate:  # writers wait for the lock in begin_immediate, polling
            cur.execute("PRAGMA busy_timeout = 0")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if immediate:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                begin_immediate(cursor)
            finally:
                cursor.close()
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def begin_immediate(cursor: Any) -> bool:
    """``BEGIN IMMEDIATE`` on a SQLite write connection; True if it had to wait for the lock.

    SQLite's own busy handler sleeps up to 100 ms between tries, so a process that commits
    back to back (a metric writer with a backlog) keeps the lock from the others, which then
    starve for seconds: their queued points are what a crash loses. Polling every few
    milliseconds instead catches the gap between two of its transactions.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.0005
    waited = False
    while True:
        try:
            cursor.execute("BEGIN IMMEDIATE")
            return waited
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() > deadline:
                raise
        waited = True
        time.sleep(delay * (0.5 + random.random()))
        delay = min(delay * 2, 0.004)


def make_engines(url: str) -> tuple[Engine, Engine]:
    """Return (write_engine, read_engine) for a database URL."""
    if url == "sqlite:///:memory:":
        # Every connection to :memory: is a database of its own: one connection, kept open,
        # serves reads and writes in turn (the pool hands it to one caller at a time).
        engine = _sqlite_engine(url, immediate=True, connections=1)
        return engine, engine
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        return _sqlite_engine(url, immediate=True), _sqlite_engine(url, immediate=False)
    try:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"The database driver for {url.split(':', 1)[0]} is not installed ({exc.name}). "
            "Install it with: pip install 'labtrack[postgres]'."
        ) from exc
    return engine, engine


def _is_transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return (
        "database is locked" in text
        or "database is busy" in text
        or "deadlock detected" in text
        or "could not serialize" in text
    )


# What a PostgreSQL server that restarts, fails over or drops its connections says (psycopg's
# messages; libpq's for a refused connection). Retrying such an error reconnects.
_RECONNECTABLE = (
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "the connection is closed",
    "connection is lost",
    "consuming input failed",
    "could not receive data from server",
    "could not send data to server",
    "ssl connection has been closed",
)
# How long a dropped database is waited for before the error reaches the caller: long enough
# for a restart or a fail-over, short enough that a script fails while someone is watching.
RECONNECT_FOR_S = 20.0


def is_reconnectable(exc: DBAPIError) -> bool:
    """Whether the database went away (a restart, a dropped connection), so that the same
    work on a new connection may well succeed."""
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return any(marker in text for marker in _RECONNECTABLE)


def with_retries(fn: Callable[[], T], attempts: int = 8, reconnect_for: float | None = None) -> T:
    """Run a transaction, retrying the rare lock timeouts a busy store can still give and,
    for up to ``reconnect_for`` seconds (:data:`RECONNECT_FOR_S`), a database that went away.

    The busy timeout absorbs ordinary contention; this covers the cases SQLite reports
    without waiting (and PostgreSQL deadlocks), so no "database is locked" reaches a user.
    A dropped connection is retried with a bounded, jittered backoff: a training script
    outlives a PostgreSQL restart of a second instead of dying in ``log_param``. A write cut
    off mid-commit may have been stored; its retry then meets the row it wrote (the store's
    writes of params and tags accept the same value again).
    """
    reconnect_for = RECONNECT_FOR_S if reconnect_for is None else reconnect_for
    deadline = time.monotonic() + reconnect_for
    attempt = lock_attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except DBAPIError as exc:
            if is_reconnectable(exc):
                if time.monotonic() >= deadline:
                    raise
                delay = min(1.0, 0.05 * 2 ** min(attempt, 10))
            elif isinstance(exc, OperationalError) and _is_transient(exc):
                lock_attempt += 1
                if lock_attempt >= attempts:
                    raise
                delay = min(2.0, 0.05 * 2 ** (lock_attempt - 1))
            else:
                raise
            time.sleep(delay * (0.5 + random.random()))
