"""Faults: a killed process loses at most what it queued in its last second; a full or
read-only store warns once and the training code keeps running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import warnings

import pytest

import labtrack
from labtrack.store.sql.store import SqlTrackingStore

WRITER = textwrap.dedent(
    """
    import sys, time
    import labtrack as mlflow
    mlflow.set_tracking_uri(sys.argv[1])
    run = mlflow.start_run()
    for i in range(5000):
        mlflow.log_metric("m", i, step=i)
    # The writer commits at least every second; wait a little longer than that.
    time.sleep(1.5)
    print(run.info.run_id, flush=True)
    i = 5000
    while True:  # keep queueing until killed: these may be lost, the first 5,000 may not
        mlflow.log_metric("m", i, step=i)
        i += 1
        if i % 1000 == 0:
            time.sleep(0.01)
    """
)


def test_sigkill_loses_at_most_the_last_second_of_points(tmp_path):
    home = str(tmp_path / "home")
    proc = subprocess.Popen([sys.executable, "-c", WRITER, home], stdout=subprocess.PIPE, text=True)
    try:
        run_id = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert len(run_id) == 32
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    history = labtrack.TrackingClient(home).get_metric_history(run_id, "m")
    steps = sorted(m.step for m in history)
    # Everything queued more than a second before the kill is in the store, in order.
    assert steps[:5000] == list(range(5000))
    # Nothing half-written: the steps that made it are a prefix with no holes.
    assert steps == list(range(len(steps)))


def test_a_full_store_warns_once_and_training_goes_on(tmp_path, monkeypatch):
    from sqlalchemy import event

    home = tmp_path / "home"
    labtrack.set_tracking_uri(str(home))
    try:
        client = labtrack.TrackingClient()
        store = client.store
        assert isinstance(store, SqlTrackingStore)
        with labtrack.start_run() as run:
            labtrack.log_metric("warm", 1.0)
            labtrack.flush()

            # From now on the database may not grow: SQLite answers "database or disk is
            # full", as on a full disk (every new connection gets the cap).
            @event.listens_for(store.database.write_engine, "connect")
            def _cap(dbapi_connection, _record):  # type: ignore[no-untyped-def]
                cursor = dbapi_connection.cursor()
                pages = cursor.execute("PRAGMA page_count").fetchone()[0]
                cursor.execute(f"PRAGMA max_page_count = {pages}")
                cursor.close()

            store.database.write_engine.dispose()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for i in range(200_000):  # a training loop that never stops for the disk
                    labtrack.log_metric("loss", 1.0 / (i + 1), step=i)
                writer = labtrack.tracking._state.writer()
                writer.flush(raise_errors=False)
                writer.flush(raise_errors=False)
            full = [w for w in caught if "could not save metric points" in str(w.message)]
            assert len(full) == 1
            assert "full" in str(full[0].message)
            assert len(writer.queue) > 0  # kept in memory, not dropped
            # Space comes back: the queued points are written on the next flush.
            event.remove(store.database.write_engine, "connect", _cap)
            store.database.write_engine.dispose()
            labtrack.flush()
        history = client.get_metric_history(run.info.run_id, "loss")
        assert len(history) == 200_000
    finally:
        labtrack.set_tracking_uri(None)


def test_a_read_only_store_is_a_clear_error(tmp_path):
    from labtrack.errors import StoreError

    home = tmp_path / "ro"
    SqlTrackingStore(f"sqlite:///{home}/labtrack.db", str(home / "a")).close()
    store = SqlTrackingStore(f"sqlite:///file:{home}/labtrack.db?mode=ro&uri=true", str(home / "a"))
    with pytest.raises(StoreError, match="read-only"):
        store.create_experiment("x")
    store.close()
