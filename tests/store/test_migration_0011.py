"""Migration 0011: the runs' index on ``last_update_time`` alone goes and the heartbeat index
holds only beating runs, on SQLite and PostgreSQL; rows, the stale-run check and the way back
stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, text

from labtrack.store.sql import schema
from labtrack.store.sql.store import SqlTrackingStore

PREVIOUS = "0010_pg_ingest"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


def _run_indexes(conn: Connection) -> dict[str, str]:
    """The runs table's indexes (primary key aside) and their definitions."""
    if conn.dialect.name == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs'"
    else:
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'runs'"
    return {
        name: sql
        for name, sql in conn.execute(text(query))
        if sql is not None and "pk_runs" not in name
    }


def _indexes(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = _run_indexes(conn)
    engine.dispose()
    return found


def _is_partial(definition: str) -> bool:
    return "WHERE" in definition.upper() and "heartbeat_time IS NOT NULL" in definition


def test_a_new_store_writes_no_index_entry_for_runs_nothing_beats_for(db_url: str) -> None:
    SqlTrackingStore(db_url, "/tmp/unused-artifacts").close()
    found = _indexes(db_url)
    assert "ix_runs_last_update" not in found
    assert _is_partial(found["ix_runs_heartbeat_time"])
    assert {"ix_runs_experiment_start", "ix_runs_experiment_update"} <= set(found)


def _old_store(url: str) -> None:
    """A store at 0010 with a running run that beat long ago, one never beaten, one ended."""
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(schema._alembic_config(conn), PREVIOUS)
        conn.execute(
            text("INSERT INTO experiments VALUES (0, 'Default', 'x', 'active', 1, 1, NULL)")
        )
        for i, (status, heartbeat) in enumerate(
            [("RUNNING", 5_000), ("RUNNING", None), ("FINISHED", None)]
        ):
            conn.execute(
                text(
                    "INSERT INTO runs (run_uuid, name, experiment_id, status, start_time, "
                    "lifecycle_stage, artifact_uri, last_update_time, heartbeat_time) "
                    "VALUES (:r, :n, 0, :s, 1, 'active', 'x', 1, :h)"
                ),
                {"r": f"{i:032x}", "n": f"run-{i}", "s": status, "h": heartbeat},
            )
    engine.dispose()


def _runs(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [
            tuple(row)
            for row in conn.execute(
                text("SELECT run_uuid, name, status, heartbeat_time FROM runs ORDER BY run_uuid")
            )
        ]
    engine.dispose()
    return rows


def test_upgrade_drops_the_unread_index_and_keeps_the_stale_run_check(
    db_url: str, tmp_path: Path
) -> None:
    _old_store(db_url)
    before_indexes = _indexes(db_url)
    assert "ix_runs_last_update" in before_indexes
    assert not _is_partial(before_indexes["ix_runs_heartbeat_time"])
    before = _runs(db_url)

    store = SqlTrackingStore(db_url, str(tmp_path / "a"))  # opening it upgrades it
    after_indexes = _indexes(db_url)
    assert "ix_runs_last_update" not in after_indexes
    assert _is_partial(after_indexes["ix_runs_heartbeat_time"])
    assert _runs(db_url) == before
    # The run that stopped beating is found through the partial index and killed; the one
    # nothing beats for (e.g. an MLflow client's) is left alone.
    assert store.kill_stale_runs(10_000) == [f"{0:032x}"]
    statuses = {row[0]: row[2] for row in _runs(db_url)}
    assert statuses == {f"{0:032x}": "KILLED", f"{1:032x}": "RUNNING", f"{2:032x}": "FINISHED"}
    store.close()


def test_the_stale_run_check_reads_the_partial_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    SqlTrackingStore(url, str(tmp_path / "a")).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT run_uuid FROM runs "
                "WHERE heartbeat_time < ? AND status = ?",
                (10_000, "RUNNING"),
            )
        )
    engine.dispose()
    assert "ix_runs_heartbeat_time" in plan


def test_downgrade_gives_back_both_indexes_whole(db_url: str, tmp_path: Path) -> None:
    _old_store(db_url)
    SqlTrackingStore(db_url, str(tmp_path / "a")).close()
    before = _runs(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(schema._alembic_config(conn), PREVIOUS)
    with engine.connect() as conn:
        found = _run_indexes(conn)
        assert schema.current_revision(conn) == PREVIOUS
    engine.dispose()
    assert "ix_runs_last_update" in found
    assert not _is_partial(found["ix_runs_heartbeat_time"])
    assert _runs(db_url) == before
