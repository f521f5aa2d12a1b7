"""Schema creation and migration: alembic's history and the tables agree, old stores upgrade."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from labtrack.store.sql import schema, tables
from labtrack.store.sql.store import SqlTrackingStore


def test_schema_version_is_alembic_head():
    assert schema.head_revision() == tables.SCHEMA_VERSION


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.db'}"
    return request.getfixturevalue("fresh_postgres_url")


def test_migrations_from_nothing_match_the_tables(db_url):
    engine = create_engine(db_url)
    with engine.begin() as conn:
        schema.upgrade(conn)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": tables.on_dialect(conn.dialect.name)}
        )
        assert compare_metadata(context, tables.metadata) == []
        assert schema.current_revision(conn) == tables.SCHEMA_VERSION
    engine.dispose()


def test_a_store_made_by_migrations_opens_and_works(db_url, tmp_path):
    engine = create_engine(db_url)
    with engine.begin() as conn:
        schema.upgrade(conn, str(tmp_path / "a"))
    engine.dispose()
    store = SqlTrackingStore(db_url, str(tmp_path / "a"))
    assert store.get_experiment("0").name == "Default"
    run = store.create_run("0", "u", 1, [], "r")
    assert store.get_run(run.info.run_id).info.run_name == "r"
    store.close()


def test_fresh_store_is_stamped_and_reopens_cheaply(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    SqlTrackingStore(url, str(tmp_path / "a")).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert schema.current_revision(conn) == tables.SCHEMA_VERSION
        assert set(inspect(conn).get_table_names()) >= {"runs", "metrics", "alembic_version"}
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
    SqlTrackingStore(url, str(tmp_path / "a")).close()


def test_unreachable_database_is_a_clear_store_error(tmp_path):
    from labtrack.errors import StoreError

    with pytest.raises(StoreError, match="reachable"):
        SqlTrackingStore("postgresql+psycopg://nobody@127.0.0.1:1/none", str(tmp_path))


def test_a_store_from_the_first_released_schema_is_upgraded_in_place(tmp_path):
    """tests/store/data/schema-0001.sqlite was written by schema 0001 and is kept as it was."""
    import shutil
    from pathlib import Path

    source = Path(__file__).with_name("data") / "schema-0001.sqlite"
    db = tmp_path / "old.sqlite"
    shutil.copy(source, db)
    store = SqlTrackingStore(f"sqlite:///{db}", str(tmp_path / "artifacts"))
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert schema.current_revision(conn) == tables.SCHEMA_VERSION
    engine.dispose()
    run = store.get_run("a" * 32)
    assert run.info.run_name == "old-run" and run.data.params == {"alpha": "0.5"}
    assert [m.value for m in store.get_metric_history("a" * 32, "rmse")] == [0.9, 0.5, 0.3]
    assert store.get_experiment_by_name("legacy").experiment_id == "1"
    # The upgraded store takes new data of every kind.
    new = store.create_run("1", "bob", 1_800_000_000_000, [], "new-run")
    store.put_blob("notebook", b"{}")
    assert [r.info.run_name for r in store.search_runs(["1"])] == ["new-run", "old-run"]
    assert new.info.experiment_id == "1"
    store.close()
