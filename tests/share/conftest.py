"""Two fresh stores per test: runs are made in ``source`` and moved to ``target``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import labtrack
from labtrack.entities import Metric, Param, RunTag
from labtrack.store import close_all
from labtrack.tracking import _state
from labtrack.tracking.client import TrackingClient


@pytest.fixture(autouse=True)
def _clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in ("LABTRACK_TRACKING_URI", "LABTRACK_ARTIFACT_ROOT", "LABTRACK_EXPERIMENT_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LABTRACK_HOME", str(tmp_path / "default-home"))
    labtrack.set_tracking_uri(None)
    yield
    labtrack.set_tracking_uri(None)
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()


@pytest.fixture
def source(tmp_path: Path) -> TrackingClient:
    return TrackingClient(str(tmp_path / "source"))


@pytest.fixture
def target(tmp_path: Path) -> TrackingClient:
    return TrackingClient(str(tmp_path / "target"))


def make_run(
    client: TrackingClient,
    experiment: str = "/Team/churn",
    name: str = "baseline",
    parent: str | None = None,
    artifacts: bool = True,
) -> str:
    exp = client.get_experiment_by_name(experiment)
    exp_id = exp.experiment_id if exp else client.create_experiment(experiment, tags={"team": "x"})
    tags = {"mlflow.parentRunId": parent} if parent else {}
    run = client.create_run(exp_id, start_time=1_700_000_000_000, tags=tags, run_name=name)
    rid = run.info.run_id
    notebook = client.store.put_blob("notebook", json.dumps({"cells": [], "n": name}).encode())
    env = client.store.put_blob("environment", b'{"python": "3.11", "packages": {}}')
    client.log_batch(
        rid,
        metrics=[
            Metric("loss", 0.5, 1_700_000_000_100, 0),
            Metric("loss", 0.25, 1_700_000_000_200, 1),
            Metric("loss", float("nan"), 1_700_000_000_300, 2),
            Metric("best", float("inf"), 1_700_000_000_300, 0),
        ],
        params=[Param("alpha", "0.5"), Param("model", "rf")],
        tags=[
            RunTag("labtrack.notebook.revision", notebook),
            RunTag("labtrack.environment.revision", env),
            RunTag("note", "hello"),
        ],
    )
    if artifacts:
        client.log_text(rid, "accuracy 0.93", "notes/summary.txt")
        client.log_text(rid, f"artifact_path: model\nrun_id: {rid}\n", "model/MLmodel")
    client.set_terminated(rid, "FINISHED", end_time=1_700_000_001_000)
    return rid
