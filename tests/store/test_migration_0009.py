"""Migration 0009: params, tags and latest metrics become SQLite ``WITHOUT ROWID`` tables,
keeping every row, their keys, indexes and statistics; a new store is made that way too."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text

from labtrack.entities import Metric, Param, RunTag
from labtrack.store.sql import schema, tables
from labtrack.store.sql.store import SqlTrackingStore

PREVIOUS = "0008_transition_requests"
TABLES = ("params", "tags", "latest_metrics")


def _without_rowid(db: Path) -> dict[str, bool]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        found = {
            name: "WITHOUT ROWID" in sql.upper()
            for name, sql in conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            )
        }
    engine.dispose()
    return {table: found[table] for table in TABLES}


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        dump = {
            t: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {t}"))) for t in TABLES
        }
        dump["indexes"] = sorted(
            tuple(r)
            for r in conn.execute(
                text("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index'")
            )
            if r[0] in TABLES and r[2] is not None  # the primary keys' own indexes go
        )
    engine.dispose()
    return dump


def test_a_new_store_keeps_run_data_without_rowid(tmp_path: Path) -> None:
    SqlTrackingStore(f"sqlite:///{tmp_path / 'new.db'}", str(tmp_path / "a")).close()
    assert _without_rowid(tmp_path / "new.db") == dict.fromkeys(TABLES, True)


def test_upgrade_rebuilds_the_tables_with_their_rows_indexes_and_statistics(
    tmp_path: Path,
) -> None:
    db = tmp_path / "old.db"
    url = f"sqlite:///{db}"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(schema._alembic_config(conn), PREVIOUS)
        conn.execute(
            text(
                "INSERT INTO experiments (experiment_id, name, artifact_location, "
                "lifecycle_stage, creation_time, last_update_time) "
                "VALUES (0, 'Default', 'x', 'active', 1, 1)"
            )
        )
    engine.dispose()
    assert _without_rowid(db) == dict.fromkeys(TABLES, False)
    engine = create_engine(url)
    with engine.begin() as conn:
        for i in range(3):
            run = f"{i:032x}"
            conn.execute(
                text(
                    "INSERT INTO runs (run_uuid, name, experiment_id, status, start_time, "
                    "lifecycle_stage, artifact_uri, last_update_time) "
                    "VALUES (:r, 'r', 0, 'FINISHED', 1, 'active', 'x', 1)"
                ),
                {"r": run},
            )
            conn.execute(
                text("INSERT INTO params VALUES (:r, 'p', :v), (:r, 'q', 'x')"),
                {"r": run, "v": str(i)},
            )
            conn.execute(
                text("INSERT INTO tags VALUES (:r, 't', NULL), (:r, 'u', 'y')"), {"r": run}
            )
            conn.execute(
                text(
                    "INSERT INTO latest_metrics VALUES "
                    "(:r, 'm', :v, 0, 5, 2, 0.0, 9.0, 3), (:r, 'n', 0, 1, 5, 2, NULL, NULL, 1)"
                ),
                {"r": run, "v": i / 2},
            )
        conn.execute(text("ANALYZE"))
    engine.dispose()
    before = _dump(db)

    store = SqlTrackingStore(url, str(tmp_path / "a"))  # opening it upgrades it
    assert _without_rowid(db) == dict.fromkeys(TABLES, True)
    assert _dump(db) == before
    engine = create_engine(url)
    with engine.connect() as conn:
        analyzed = {r[0] for r in conn.execute(text("SELECT tbl FROM sqlite_stat1"))}
        assert schema.current_revision(conn) == tables.SCHEMA_VERSION
    engine.dispose()
    assert analyzed >= set(TABLES)

    # The rebuilt tables take writes as before: upserts on their keys, the run's data read back.
    run_id = f"{1:032x}"
    store.log_batch(run_id, [Metric("m", 7.0, 6, 3)], [Param("p", "1")], [RunTag("u", "z")])
    data = store.get_run(run_id).data
    assert data.metrics["m"] == 7.0 and data.params == {"p": "1", "q": "x"}
    assert data.tags["u"] == "z" and data.tags["t"] is None
    store.close()


def test_downgrade_gives_back_rowid_tables_with_the_same_rows(tmp_path: Path) -> None:
    db = tmp_path / "down.db"
    store = SqlTrackingStore(f"sqlite:///{db}", str(tmp_path / "a"))
    run = store.create_run("0", "u", 1, [RunTag("t", "v")], "r")
    store.log_batch(run.info.run_id, [Metric("m", 1.5, 1, 0)], [Param("p", "v")], [])
    store.close()
    before = _dump(db)
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        command.downgrade(schema._alembic_config(conn), PREVIOUS)
    engine.dispose()
    assert _without_rowid(db) == dict.fromkeys(TABLES, False)
    assert _dump(db) == before
