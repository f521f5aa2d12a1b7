"""``GET runs`` keeps the keys in use per change marker: they follow every change of the runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labtrack.entities import Param
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api


async def test_the_keys_follow_the_runs_between_pages(jp_fetch: Any, labtrack_home: Path) -> None:
    client = TrackingClient(str(labtrack_home))
    experiment = client.create_experiment("keys")
    first = client.create_run(experiment).info.run_id
    client.log_param(first, "depth", 3)

    async def keys() -> dict[str, list[str]]:
        status, body = await api(jp_fetch, "GET", "runs", experiment_id=experiment)
        assert status == 200
        return dict(body["keys"])

    assert (await keys())["params"] == ["depth"]
    assert (await keys())["params"] == ["depth"]  # the same marker: the same keys
    second = client.create_run(experiment).info.run_id
    client.log_batch(second, params=[Param("model", "tree")])
    assert (await keys())["params"] == ["depth", "model"]
    client.delete_run(second)
    assert (await keys())["params"] == ["depth"]
    client.log_metric(first, "loss", 0.5)
    assert (await keys())["metrics"] == ["loss"]
