"""Migration 0006 summarizes the long series a store already holds (SQLite and PostgreSQL)."""

from __future__ import annotations

import math

import pytest
import sqlalchemy as sa
from alembic import command

from labtrack.store.sql import schema
from labtrack.store.sql.metric_writes import LEVELS
from labtrack.store.sql.store import SqlTrackingStore
from tests.store.test_metric_summaries import _expected_level, _levels


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


def test_an_older_store_gets_the_summaries_of_its_long_series(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = sa.create_engine(db_url)
    points = [(float(i % 97) if i % 1000 else math.nan, 5 * i, i) for i in range(12_000)]
    with engine.begin() as conn:
        command.upgrade(schema._alembic_config(conn), "0003_registry")
        schema.insert_default_experiment(conn, str(tmp_path / "a"))
        conn.execute(
            sa.text(
                "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, "
                "lifecycle_stage, artifact_uri, last_update_time) VALUES ('a' || :x, 'old', 0, "
                "'u', 'FINISHED', 1, 'active', 'file:///a', 1)"
            ),
            {"x": "0" * 31},
        )
        run_id = "a" + "0" * 31
        conn.execute(
            sa.text(
                "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp, step) "
                "VALUES (:r, 'loss', :v, :n, :t, :s)"
            ),
            [
                {"r": run_id, "v": 0.0 if math.isnan(v) else v, "n": math.isnan(v), "t": t, "s": s}
                for v, t, s in points
            ],
        )
        conn.execute(
            sa.text(
                "INSERT INTO latest_metrics (run_uuid, key, value, is_nan, timestamp, step, "
                "min_value, max_value, count) VALUES (:r, 'loss', 1, false, 1, 11999, 0, 96, "
                "12000), (:r, 'short', 1, false, 1, 1, 1, 1, 1)"
            ),
            {"r": run_id},
        )
    engine.dispose()
    store = SqlTrackingStore(db_url, str(tmp_path / "a"))  # migrates to the head
    try:
        levels = _levels(store, run_id)
        for level in LEVELS:
            assert levels[level] == _expected_level(points, level), level
        chart = store.metric_downsampled(run_id, "loss", 100)
        assert chart["downsampled"] and len(chart["points"]) <= 100
    finally:
        store.close()
