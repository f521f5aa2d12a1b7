"""Migration 0007 gives existing experiments and models the owner their data knows of."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from labtrack.store.sql import schema
from labtrack.store.sql.store import SqlTrackingStore


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


def test_owners_come_from_first_runs_and_first_versions(db_url: str, tmp_path: Path) -> None:
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(schema._alembic_config(conn), "0006_metric_summaries")
        schema.insert_default_experiment(conn, str(tmp_path / "a"))
        conn.execute(
            sa.text(
                "INSERT INTO experiments (experiment_id, name, artifact_location, "
                "lifecycle_stage) VALUES (1, 'with-runs', 'a', 'active'), "
                "(2, 'empty', 'b', 'active')"
            )
        )
        for n, (user, start) in enumerate([("", 0), ("alice", 1), ("carol", 2)]):
            conn.execute(
                sa.text(
                    "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, "
                    "start_time, lifecycle_stage, artifact_uri, last_update_time) VALUES "
                    "(:id, 'r', 1, :user, 'FINISHED', :start, 'active', 'file:///a', 1)"
                ),
                {"id": f"{n:032x}", "user": user, "start": start},
            )
        conn.execute(
            sa.text(
                "INSERT INTO registered_models (name, creation_time, last_updated_time) "
                "VALUES ('m', 1, 1), ('bare', 1, 1)"
            )
        )
        for version, user in [(2, "x"), (1, "bob")]:
            conn.execute(
                sa.text(
                    "INSERT INTO model_versions (name, version, creation_time, "
                    "last_updated_time, user_id, current_stage, source, status) VALUES "
                    "('m', :v, 1, 1, :user, 'None', 's', 'READY')"
                ),
                {"v": version, "user": user},
            )
    engine.dispose()
    store = SqlTrackingStore(db_url, str(tmp_path / "a"))  # migrates to the head
    try:
        owners = {
            key: store.get_permissions(kind, key)["owner"]
            for kind, key in [
                ("experiment", "0"),
                ("experiment", "1"),
                ("experiment", "2"),
                ("registered_model", "m"),
                ("registered_model", "bare"),
            ]
        }
    finally:
        store.close()
    assert owners == {"0": None, "1": "alice", "2": None, "m": "bob", "bare": None}
