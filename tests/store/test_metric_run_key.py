"""The metric history's link to its run: a foreign key on SQLite, statement-level triggers on
PostgreSQL (store/sql/pg_metric_runs.py). Both refuse points of a missing run, delete a deleted
run's history, and refuse changing a run's id under its history; on PostgreSQL a fresh store and
a migrated one hold the same triggers, and the migration's downgrade gives the key back."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import IntegrityError

from labtrack.store.sql import pg_metric_runs, schema
from labtrack.store.sql.store import SqlTrackingStore


def _run(store: SqlTrackingStore) -> str:
    return store.create_run("0", "u", 1, [], "r").info.run_id


def _history(store: SqlTrackingStore, run_id: str) -> int:
    with store.database.write_engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM metrics WHERE run_uuid = :r"), {"r": run_id}
            ).scalar_one()
        )


_INSERT = text(
    "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) "
    "SELECT r, 'loss', 1, false, 1, s FROM unnest(CAST(:runs AS text[])) AS r, "
    "generate_series(0, 99) AS s"
)
_CHILDREN = ("latest_metrics", "params", "tags", "metric_summaries")


def _insert_history(store: SqlTrackingStore, runs: list[str]) -> None:
    """History rows written straight into ``metrics`` (the ingest statement also writes
    ``latest_metrics``, whose own key would catch a missing run)."""
    with store.database.write_engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for run_id in runs:
                conn.execute(
                    text(
                        "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) "
                        "VALUES (:r, 'loss', 1, 0, 1, 0)"
                    ),
                    {"r": run_id},
                )
        else:
            conn.execute(_INSERT, {"runs": runs})


def _without_other_children(store: SqlTrackingStore, run_id: str) -> None:
    with store.database.write_engine.begin() as conn:
        for table in _CHILDREN:
            conn.execute(text(f"DELETE FROM {table} WHERE run_uuid = :r"), {"r": run_id})


def test_history_rows_of_a_missing_run_are_refused_and_nothing_is_written(store):
    run_id = _run(store)
    missing = "f" * 32
    with pytest.raises(IntegrityError) as caught:
        _insert_history(store, [run_id, missing])
    if store.database.write_engine.dialect.name == "postgresql":
        assert caught.value.orig.sqlstate == "23503"  # what a foreign key raises
        assert missing in str(caught.value)
    assert _history(store, run_id) == 0  # the whole statement was rolled back
    _insert_history(store, [run_id])
    assert _history(store, run_id) > 0


def test_points_of_a_missing_run_are_refused_by_the_store(store):
    run_id = _run(store)
    with pytest.raises(IntegrityError):
        store.log_metric_points([(run_id, "loss", 0.5, 1, 0), ("f" * 32, "loss", 0.5, 1, 0)])
    assert _history(store, run_id) == 0
    store.log_metric_points([(run_id, "loss", 0.5, 1, 0)])
    assert [m.value for m in store.get_metric_history(run_id, "loss")] == [0.5]


def test_deleting_a_run_row_deletes_its_history_only(store):
    kept, gone = _run(store), _run(store)
    store.log_metric_points([(r, "loss", 1.0, 1, s) for r in (kept, gone) for s in range(5)])
    _without_other_children(store, gone)
    with store.database.write_engine.begin() as conn:
        conn.execute(text("DELETE FROM runs WHERE run_uuid = :r"), {"r": gone})
    assert (_history(store, kept), _history(store, gone)) == (5, 0)


def test_a_run_id_does_not_change_under_its_history(store):
    run_id = _run(store)
    store.log_metric_points([(run_id, "loss", 1.0, 1, 0)])
    _without_other_children(store, run_id)
    with pytest.raises(IntegrityError), store.database.write_engine.begin() as conn:
        conn.execute(
            text("UPDATE runs SET run_uuid = :n WHERE run_uuid = :r"), {"n": "e" * 32, "r": run_id}
        )
    assert _history(store, run_id) == 1


@pytest.fixture
def pg(fresh_postgres_url: str, tmp_path) -> Iterator[SqlTrackingStore]:  # type: ignore[no-untyped-def]
    store = SqlTrackingStore(fresh_postgres_url, str(tmp_path / "artifacts"))
    yield store
    store.close()


def test_a_writer_holds_its_runs_until_it_commits(pg):
    """The lock a foreign key takes: a run's delete waits for a writer's open transaction,
    then deletes the rows it committed (no orphans)."""
    run_id = _run(pg)
    engine = pg.database.write_engine
    writer = engine.connect()
    writer.begin()
    writer.execute(
        text(
            "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) "
            "VALUES (:r, 'loss', 1, false, 1, 0)"
        ),
        {"r": run_id},
    )
    deleted = threading.Event()

    def delete() -> None:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM runs WHERE run_uuid = :r"), {"r": run_id})
        deleted.set()

    _without_other_children(pg, run_id)
    thread = threading.Thread(target=delete)
    thread.start()
    try:
        assert not deleted.wait(0.5), "the run was deleted under an open writer"
        writer.commit()
    finally:
        writer.close()
        thread.join(30)
    assert deleted.is_set() and _history(pg, run_id) == 0


def _triggers(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
            "ORDER BY tgname"
        )
    )
    return [(str(name), str(definition)) for name, definition in rows]


def _functions(conn: Connection) -> list[tuple[str, str]]:
    rows = conn.execute(
        text(
            "SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'labtrack\\_%' ORDER BY proname"
        )
    )
    return [(str(name), str(source)) for name, source in rows]


def _metric_keys(conn: Connection) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'metrics'::regclass "
            "AND contype = 'f'"
        )
    )
    return [str(name) for (name,) in rows]


def test_a_fresh_and_a_migrated_postgres_store_hold_the_same_triggers(pg, postgres_server):
    import uuid

    from tests.services import _connect, _with_database

    with pg.database.write_engine.connect() as conn:
        fresh = (_triggers(conn), _functions(conn), _metric_keys(conn))
    assert [name for name, _ in fresh[0]] == [
        "labtrack_metrics_insert_runs",
        "labtrack_metrics_update_runs",
        "labtrack_runs_delete_metrics",
        "labtrack_runs_keep_metric_ids",
    ]
    assert fresh[2] == []
    name = f"lt_{uuid.uuid4().hex[:16]}"
    with _connect(postgres_server.admin_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(_with_database(postgres_server.admin_url, name))
    try:
        with engine.begin() as conn:
            schema.upgrade(conn)
        with engine.connect() as conn:
            assert (_triggers(conn), _functions(conn), _metric_keys(conn)) == fresh
    finally:
        engine.dispose()
        with _connect(postgres_server.admin_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_postgres_migration_goes_down_to_the_key_and_up_again(fresh_postgres_url, tmp_path):
    engine = create_engine(fresh_postgres_url)
    try:
        with engine.begin() as conn:
            schema.upgrade(conn, str(tmp_path))
            run_id = "a" * 32
            conn.execute(
                text(
                    "INSERT INTO runs (run_uuid, experiment_id, status, start_time, "
                    "lifecycle_stage, artifact_uri, last_update_time) "
                    "VALUES (:r, 0, 'RUNNING', 1, 'active', 'x', 1)"
                ),
                {"r": run_id},
            )
            conn.execute(
                text(
                    "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) "
                    "VALUES (:r, 'loss', 1, false, 1, 0)"
                ),
                {"r": run_id},
            )
        with engine.begin() as conn:
            command.downgrade(schema._alembic_config(conn), "0009_search_read")
        with engine.connect() as conn:
            assert _metric_keys(conn) == [pg_metric_runs.KEY_NAME]
            assert _triggers(conn) == [] and _functions(conn) == []
            assert schema.current_revision(conn) == "0009_search_read"
        with engine.begin() as conn:
            schema.upgrade(conn)
        with engine.connect() as conn:
            assert _metric_keys(conn) == [] and len(_triggers(conn)) == 4
            assert conn.execute(text("SELECT count(*) FROM metrics")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_missing_run_among_many_rows_is_named(pg):
    """Rows of several runs in one statement, one run missing: the error names it."""
    runs = [_run(pg) for _ in range(3)]
    missing = "0" * 32
    with pytest.raises(IntegrityError, match=missing):
        _insert_history(pg, [*runs, missing])
    assert sum(_history(pg, r) for r in runs) == 0
