"""A SQLite store's data is in its database file (issue 19, item 7).

A script's data stayed in ``labtrack.db-wal`` after it exited (its pooled connections were
never closed, so SQLite never checkpointed): ``labtrack.db`` alone was 4 KB, and labtrack
silently made a new empty store of a copy of it. Now open stores are checkpointed and closed
at exit, a database file with content but no schema (and no WAL beside it) is refused, and
``labtrack db backup DEST`` copies a store that is in use.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from labtrack.cli import cli
from labtrack.errors import StoreError
from labtrack.tracking.client import TrackingClient

SCRIPT = textwrap.dedent(
    """
    import sys
    import labtrack

    labtrack.set_tracking_uri(sys.argv[1])
    with labtrack.start_run(run_name="copied"):
        labtrack.log_param("lr", 0.1)
        labtrack.log_metric("loss", 0.5)
    """
)


def runs_in(folder: Path) -> list[tuple[str, dict[str, str]]]:
    client = TrackingClient(str(folder))
    try:
        return [(r.info.run_name, r.data.params) for r in client.search_runs(["0"])]
    finally:
        client.store.close()


def test_a_script_leaves_its_data_in_the_database_file(tmp_path: Path) -> None:
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-c", SCRIPT, str(store)], check=True, timeout=120)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(store / "labtrack.db", copy / "labtrack.db")  # the database file alone
    assert runs_in(copy) == [("copied", {"lr": "0.1"})]


def test_a_database_file_copied_without_its_wal_is_refused(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    writer = sqlite3.connect(live)
    try:
        writer.execute("PRAGMA journal_mode = WAL")
        writer.execute("CREATE TABLE runs (run_uuid TEXT)")
        writer.commit()  # in the WAL only, while the connection is open
        copy = tmp_path / "copy"
        copy.mkdir()
        shutil.copy(live, copy / "labtrack.db")
    finally:
        writer.close()
    size = (copy / "labtrack.db").stat().st_size
    with pytest.raises(StoreError) as refused:
        TrackingClient(str(copy)).search_runs(["0"])
    assert "labtrack.db-wal" in refused.value.message
    assert "labtrack db backup" in refused.value.message
    assert (copy / "labtrack.db").stat().st_size == size  # nothing was written over it


def test_a_new_store_is_still_created(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "labtrack.db").touch()  # an empty file is a new database
    for folder in (tmp_path / "fresh", tmp_path / "empty"):
        client = TrackingClient(str(folder))
        client.create_run("0")
        client.store.close()
        assert len(runs_in(folder)) == 1


def test_db_backup_copies_a_store_in_use(tmp_path: Path) -> None:
    store = tmp_path / "store"
    client = TrackingClient(str(store))
    run_id = client.create_run("0", run_name="kept").info.run_id
    client.log_param(run_id, "lr", "0.1")  # in the WAL: the store is still open
    dest = tmp_path / "backups" / "labtrack.db"
    dest.parent.mkdir()
    runner = CliRunner()
    done = runner.invoke(cli, ["db", "backup", str(dest), str(store)])
    assert done.exit_code == 0, done.output
    assert "copy" in done.output and str(store) in done.output  # says artifacts are apart
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(dest, restored / "labtrack.db")
    assert runs_in(restored) == [("kept", {"lr": "0.1"})]
    again = runner.invoke(cli, ["db", "backup", str(dest), str(store)])
    assert again.exit_code != 0 and "already exists" in again.output
    client.store.close()


def test_db_backup_of_postgres_points_to_pg_dump() -> None:
    done = CliRunner().invoke(
        cli, ["db", "backup", "/tmp/x.db", "postgresql+psycopg://me:pw@127.0.0.1:1/lt"]
    )
    assert done.exit_code != 0
    assert "pg_dump" in done.output and "pw" not in done.output


def test_a_store_being_created_is_waited_for_not_refused(tmp_path: Path) -> None:
    """Between ``journal_mode = WAL`` and its first write, a new store's file has a header, no
    schema and no WAL beside it, like a lone copy: opening it then waits, it is not refused."""
    import threading

    folder = tmp_path / "store"
    folder.mkdir()
    creating = sqlite3.connect(folder / "labtrack.db", check_same_thread=False)
    creating.execute("PRAGMA journal_mode = WAL")
    assert not (folder / "labtrack.db-wal").exists()
    # The creator's first write comes a moment later (it makes the WAL file).
    timer = threading.Timer(0.5, lambda: creating.execute("CREATE TABLE scratch (a)"))
    timer.start()
    try:
        client = TrackingClient(str(folder))
        assert client.search_experiments()  # opened as a store: the Default experiment
        client.store.close()
    finally:
        timer.join()
        creating.close()
