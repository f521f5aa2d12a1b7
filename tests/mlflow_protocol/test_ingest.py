"""Concurrent metric writes share transactions (group commit), each request is answered on its
own, and nothing is half-written."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from labtrack.errors import StoreError
from labtrack.server.mlflow.ingest import MetricIngest, ingest_for
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.wire import MLFLOW, Fetch


@pytest.fixture
def fetch(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Fetch:
    return Fetch(http_server_client, jp_base_url, jp_auth_header)


def batch(run_id: str, key: str, n: int) -> dict[str, Any]:
    points = [{"key": key, "value": float(i), "timestamp": 1000 + i, "step": i} for i in range(n)]
    return {"run_id": run_id, "metrics": points}


async def test_concurrent_batches_share_commits_and_all_points_land(
    fetch: Fetch, labtrack_home: Path
) -> None:
    client = TrackingClient(str(labtrack_home))
    runs = [client.create_run("0").info.run_id for _ in range(4)]
    ingest = ingest_for(client.store)
    before = (ingest.commits, ingest.requests)

    answers = await asyncio.gather(
        *(
            fetch("POST", MLFLOW + "runs/log-batch", batch(run_id, f"k{i}", 500))
            for run_id in runs
            for i in range(6)
        )
    )

    assert all(status == 200 for status, _ in answers), answers
    commits, requests = ingest.commits - before[0], ingest.requests - before[1]
    assert requests == 24
    assert commits < requests  # requests that arrived during a commit shared the next one
    for run_id in runs:
        for i in range(6):
            assert len(client.get_metric_history(run_id, f"k{i}")) == 500


async def test_a_deleted_run_in_a_group_gets_its_own_error(
    fetch: Fetch, labtrack_home: Path
) -> None:
    client = TrackingClient(str(labtrack_home))
    alive, deleted = (client.create_run("0").info.run_id for _ in range(2))
    client.delete_run(deleted)

    answers = await asyncio.gather(
        fetch("POST", MLFLOW + "runs/log-batch", batch(alive, "a", 100)),
        fetch("POST", MLFLOW + "runs/log-batch", batch(deleted, "d", 100)),
        fetch("POST", MLFLOW + "runs/log-batch", batch(alive, "b", 100)),
        fetch("POST", MLFLOW + "runs/log-batch", batch("0" * 32, "x", 100)),
    )

    assert [status for status, _ in answers] == [200, 400, 200, 404]
    assert answers[1][1]["error_code"] == "INVALID_PARAMETER_VALUE"
    assert len(client.get_metric_history(alive, "a")) == 100
    assert len(client.get_metric_history(alive, "b")) == 100
    assert client.get_metric_history(deleted, "d") == []


class FailingStore:
    """A store whose writes fail, to see what every waiting request hears."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def get_run(self, run_id: str) -> Any:
        return self.real.get_run(run_id)

    def log_metric_points(self, points: Any) -> None:
        raise StoreError("The store at x could not be written: disk full.")


async def test_a_failed_commit_fails_every_request_of_the_group(labtrack_home: Path) -> None:
    client = TrackingClient(str(labtrack_home))
    run_id = client.create_run("0").info.run_id
    ingest = MetricIngest(FailingStore(client.store))  # type: ignore[arg-type]
    point = [(run_id, "k", 1.0, 1, 0)]
    results = await asyncio.gather(
        *(ingest.write(run_id, point) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, StoreError) for r in results)
    assert client.get_metric_history(run_id, "k") == []


async def test_params_and_tags_in_a_batch_are_all_or_nothing(
    fetch: Fetch, labtrack_home: Path
) -> None:
    client = TrackingClient(str(labtrack_home))
    run_id = client.create_run("0").info.run_id
    client.log_param(run_id, "p", "1")
    body = {
        **batch(run_id, "m", 10),
        "params": [{"key": "q", "value": "new"}, {"key": "p", "value": "changed"}],
        "tags": [{"key": "t", "value": "v"}],
    }
    status, answer = await fetch("POST", MLFLOW + "runs/log-batch", body)
    assert (status, answer["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    run = client.get_run(run_id)
    assert (run.data.params, "t" in run.data.tags) == ({"p": "1"}, False)
    assert client.get_metric_history(run_id, "m") == []


async def test_a_group_checks_its_runs_in_one_read_not_a_get_run_each(
    labtrack_home: Path,
) -> None:
    client = TrackingClient(str(labtrack_home))
    runs = [client.create_run("0").info.run_id for _ in range(3)]
    store = client.store
    read: list[str] = []
    real_get_run = store.get_run

    def get_run(run_id: str) -> Any:
        read.append(run_id)
        return real_get_run(run_id)

    store.get_run = get_run  # type: ignore[method-assign]
    try:
        ingest = MetricIngest(store)
        await asyncio.gather(*(ingest.write(r, [(r, "k", 1.0, 1, 0)]) for r in runs))
        await ingest.write_points([(r, "w", 2.0, 2, 1) for r in runs])
    finally:
        del store.get_run
    assert read == []  # a run's params, tags, metrics and edges are not read to check it
    for run_id in runs:
        assert [m.value for m in client.get_metric_history(run_id, "k")] == [1.0]
        assert [m.value for m in client.get_metric_history(run_id, "w")] == [2.0]


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


async def test_log_batch_bodies_nested_too_deep_are_refused_shallow_ones_pass(
    fetch: Fetch, labtrack_home: Path
) -> None:
    run_id = TrackingClient(str(labtrack_home)).create_run("0").info.run_id
    headers = {"Content-Type": "application/json"}

    async def send(metrics: str, tags: str = "[]") -> Any:
        raw = f'{{"run_id": "{run_id}", "metrics": [{metrics}], "tags": {tags}}}'
        return await fetch.raw("POST", MLFLOW + "runs/log-batch", raw, headers)

    for levels, code in ((150, 400), (40, 200)):
        point = f'{{"key": "k", "value": 1.0, "timestamp": 1, "extra": {nested(levels)}}}'
        answer = await send(point)
        assert answer.code == code, (levels, answer.body[:200])
        if code == 400:
            assert b"levels deep" in answer.body
    answer = await send("", f'[{{"key": "t", "value": {nested(150)}}}]')
    assert answer.code == 400 and b"levels deep" in answer.body
    answer = await send('{"key": "\\ud800", "value": 1, "timestamp": 1}')
    assert answer.code == 400 and b"surrogate" in answer.body
