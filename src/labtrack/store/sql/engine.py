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
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from labtrack.errors import StoreError

BUSY_TIMEOUT_MS = 30_000
T = TypeVar("T")


def _sqlite_file(url: str) -> Path | None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path.startswith("file:"):  # SQLite URI filenames (?mode=ro&uri=true)
        path = path[len("file:") :]
    if not path or path.startswith(":memory:"):
        return None
    return Path(path.split("?", 1)[0])


def _prepare_sqlite_file(url: str) -> None:
    path = _sqlite_file(url)
    if path is None:
        return
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


def with_retries(fn: Callable[[], T], attempts: int = 8) -> T:
    """Run a write transaction, retrying the rare lock timeouts a busy store can still give.

    The busy timeout absorbs ordinary contention; this covers the cases SQLite reports
    without waiting (and PostgreSQL deadlocks), so no "database is locked" reaches a user.
    """
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if not _is_transient(exc) or attempt == attempts - 1:
                raise
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")
