"""SQLite's WAL is copied into the database file every ``WAL_AUTOCHECKPOINT_PAGES`` pages:
fewer, larger checkpoints than SQLite's default of 1,000, and the WAL file still bounded."""

from __future__ import annotations

from pathlib import Path

from labtrack.entities import Param, RunTag
from labtrack.store.sql.engine import WAL_AUTOCHECKPOINT_PAGES
from labtrack.store.sql.store import SqlTrackingStore


def test_every_connection_checkpoints_at_the_store_s_page_count(tmp_path: Path) -> None:
    store = SqlTrackingStore(f"sqlite:///{tmp_path / 'w.db'}", str(tmp_path / "a"))
    for engine in (store.database.write_engine, store.database.read_engine):
        with engine.connect() as conn:
            pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == WAL_AUTOCHECKPOINT_PAGES > 1_000
    store.close()


def _write_runs(store: SqlTrackingStore, count: int) -> None:
    for _ in range(count):
        run = store.create_run("0", "u", 1, [RunTag("t", "v" * 500)], None).info.run_id
        store.log_batch(run, [], [Param(f"p{k}", "x" * 500) for k in range(5)], [])


def test_the_wal_grows_past_sqlite_s_default_and_stays_bounded(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    wal = Path(f"{db}-wal")
    store = SqlTrackingStore(f"sqlite:///{db}", str(tmp_path / "a"))
    frame = 4096 + 24  # a WAL frame: its header and one page
    rounds = 0
    while wal.stat().st_size < 1_500 * frame and rounds < 200:
        _write_runs(store, 20)
        rounds += 1
    # Not checkpointed at SQLite's default of 1,000 pages ...
    assert wal.stat().st_size >= 1_500 * frame
    # ... but at the store's bound: three times as many runs again write well past it, and the
    # file is reused from its start instead of growing.
    _write_runs(store, 20 * rounds * 3)
    assert wal.stat().st_size < (WAL_AUTOCHECKPOINT_PAGES + 200) * frame
    store.close()
