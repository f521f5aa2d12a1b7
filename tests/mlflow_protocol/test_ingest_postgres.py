"""The group commit on PostgreSQL: a group's runs are checked and its points written in one
transaction; a bad request fails alone, and a store that fails fails the whole group."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from labtrack.errors import InvalidStateError, ResourceNotFoundError, StoreError
from labtrack.server.mlflow import ingest as ingest_module
from labtrack.server.mlflow.ingest import MetricIngest
from labtrack.store.sql.store import SqlTrackingStore


@pytest.fixture
def store(fresh_postgres_url: str, tmp_path: Path) -> Any:
    s = SqlTrackingStore(fresh_postgres_url, str(tmp_path / "artifacts"))
    yield s
    s.close()


async def test_a_group_on_postgres_writes_the_good_requests_and_fails_the_bad(
    store: SqlTrackingStore,
) -> None:
    alive = [store.create_run("0", "u", 1, [], f"r{i}").info.run_id for i in range(3)]
    deleted = store.create_run("0", "u", 1, [], "gone").info.run_id
    store.delete_run(deleted)
    unknown = "0" * 32
    ingest = MetricIngest(store)

    def points(run_id: str, key: str) -> list[tuple[str, str, float, int, int]]:
        return [(run_id, key, float(i), 1_000 + i, i) for i in range(200)]

    results = await asyncio.gather(
        *(ingest.write(r, points(r, "k")) for r in alive),
        ingest.write(deleted, points(deleted, "k")),
        ingest.write(unknown, points(unknown, "k")),
        ingest.write_points(points(alive[0], "w") + points(unknown, "w")),
        ingest.write_points(points(alive[1], "w")),
        return_exceptions=True,
    )

    assert results[:3] == [None, None, None]
    assert isinstance(results[3], InvalidStateError)
    assert isinstance(results[4], ResourceNotFoundError)
    assert isinstance(results[5], ResourceNotFoundError)  # a writer's batch naming an unknown run
    assert results[6] is None
    assert ingest.commits < ingest.requests == 7
    for run_id in alive:
        assert [m.step for m in store.get_metric_history(run_id, "k")] == list(range(200))
    assert store.get_metric_history(alive[0], "w") == []  # its request failed whole
    assert len(store.get_metric_history(alive[1], "w")) == 200
    assert store.get_metric_history(deleted, "k") == []


async def test_a_failed_transaction_on_postgres_fails_the_group_and_writes_nothing(
    store: SqlTrackingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = [store.create_run("0", "u", 1, [], f"r{i}").info.run_id for i in range(2)]
    real = ingest_module.write_metric_points

    def broken(cursor: Any, points: Any) -> None:
        real(cursor, points)
        raise StoreError("The store could not be written: disk full.")

    monkeypatch.setattr(ingest_module, "write_metric_points", broken)
    ingest = MetricIngest(store)
    results = await asyncio.gather(
        *(ingest.write(r, [(r, "k", 1.0, 1, 0)]) for r in runs), return_exceptions=True
    )
    assert all(isinstance(r, StoreError) for r in results)
    for run_id in runs:  # the points were written, then rolled back with the transaction
        assert store.get_metric_history(run_id, "k") == []
        assert "k" not in store.get_run(run_id).data.metrics
