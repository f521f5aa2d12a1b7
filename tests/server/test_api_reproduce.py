"""Reproduce a run through the REST API: real kernels, a real server, the server's own store.

The server reads a store of its own (``c.Labtrack.tracking_uri``), not the one this process's
``labtrack`` calls resolve to, so these tests also show that reproductions read and log into
the server's store.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import platform
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

import labtrack
from labtrack.entities import RunTag
from labtrack.notebook.capture import ENVIRONMENT_TAG
from labtrack.reproduce import REPRODUCED_FROM, run_notebook
from labtrack.server.reproduce.jobs import ReproductionJobs, TooManyReproductionsError
from labtrack.store import close_all
from labtrack.tracking import _state
from tests.server.helpers import api

TRAIN = [
    ("import labtrack as mlflow", []),
    ("n = 3\nalpha = 0.5\nname = 'rf'", ["parameters"]),
    ("if n < 0:\n    raise ValueError('n must be positive')", []),
    (
        "with mlflow.start_run(run_name='train'):\n"
        "    mlflow.log_params({'n': n, 'alpha': alpha, 'name': name})\n"
        "    mlflow.log_metric('score', alpha * n)",
        [],
    ),
]


@pytest.fixture
def server_store(tmp_path: Path) -> Path:
    return tmp_path / "server-store"


@pytest.fixture
def labtrack_config(server_store: Path) -> dict[str, object]:
    return {"tracking_uri": str(server_store)}


@pytest.fixture
def original(server_store: Path, tmp_path: Path, labtrack_home: Path) -> Iterator[Any]:
    """A run made by executing a notebook with a parameters cell, in the server's store."""
    nb = nbformat.v4.new_notebook()
    for source, tags in TRAIN:
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "work" / "train.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    labtrack.set_tracking_uri(str(server_store))
    try:
        result = run_notebook(path, progress=False)
    finally:
        # From here on, this process's own calls go to another (empty) store.
        labtrack.set_tracking_uri(None)
    assert result.run is not None
    yield result.run
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()


def server_client(server_store: Path) -> labtrack.TrackingClient:
    return labtrack.TrackingClient(str(server_store))


async def wait_for_job(jp_fetch: Any, run_id: str, job_id: str) -> dict[str, Any]:
    """Poll the job until it ends (at most 4 minutes: kernels start slowly on a busy machine)."""
    states = []
    for _ in range(480):
        code, job = await api(jp_fetch, "GET", f"runs/{run_id}/reproduce/{job_id}")
        assert code == 200, job
        states.append(job["state"])
        if job["state"] in ("finished", "failed"):
            assert set(states) <= {"queued", "running", job["state"]}
            return job  # type: ignore[no-any-return]
        await asyncio.sleep(0.5)
    raise AssertionError(f"the reproduction did not end; last state: {job}")


def record_environment(
    client: labtrack.TrackingClient, run_id: str, packages: dict[str, str]
) -> None:
    """Make the run's recorded environment hold ``packages`` (and this Python)."""
    env = {"python": platform.python_version(), "packages": packages}
    digest = client.store.put_blob("environment", json.dumps(env).encode())
    client.store.log_batch(run_id, tags=[RunTag(ENVIRONMENT_TAG, digest)], allow_terminated=True)


async def test_the_dialog_data_lists_the_parameters_and_the_environment(
    jp_fetch: Any, original: Any, server_store: Path
) -> None:
    route = f"runs/{original.info.run_id}/reproduce"
    code, body = await api(jp_fetch, "GET", route)
    assert code == 200, body
    assert body["notebook"].endswith("train.ipynb")
    assert body["parameters"] == [
        {"name": "n", "value": 3, "text": "3", "kind": "number", "default": "3"},
        {"name": "alpha", "value": 0.5, "text": "0.5", "kind": "number", "default": "0.5"},
        {"name": "name", "value": "rf", "text": "rf", "kind": "str", "default": "rf"},
    ]
    # Captured in this very environment: nothing differs.
    assert body["environment"] == []

    nbformat_version = importlib.metadata.version("nbformat")
    record_environment(
        server_client(server_store),
        original.info.run_id,
        {"nbformat": "0.0.1", "no-such-package-here": "1.0", "nbclient": "x"},
    )
    code, body = await api(jp_fetch, "GET", route)
    assert code == 200, body
    assert body["environment"] == [
        {"name": "nbclient", "recorded": "x", "current": importlib.metadata.version("nbclient")},
        {"name": "nbformat", "recorded": "0.0.1", "current": nbformat_version},
        {"name": "no-such-package-here", "recorded": "1.0", "current": None},
    ]


async def test_a_reproduction_with_a_changed_param_reports_progress_and_drift(
    jp_fetch: Any, original: Any, server_store: Path
) -> None:
    run_id = original.info.run_id
    code, started = await api(jp_fetch, "POST", f"runs/{run_id}/reproduce", {"params": {"n": "5"}})
    assert code == 202, started
    assert started["state"] in ("queued", "running") and started["params"] == {"n": 5}

    job = await wait_for_job(jp_fetch, run_id, started["job_id"])

    assert job["state"] == "finished", job["error"]
    assert job["error"] is None
    assert job["progress"] == {"done": 5, "total": 5}  # 4 cells and the injected one
    assert job["parameters"] == {"n": 5, "alpha": 0.5, "name": "rf"}
    assert job["drift"] == [{"metric": "score", "original": 1.5, "new": 2.5, "difference": 1.0}]
    assert isinstance(job["environment"], list)
    new = server_client(server_store).get_run(job["new_run_id"])
    assert new.data.params["n"] == "5"
    assert new.data.tags[REPRODUCED_FROM] == run_id
    assert new.info.experiment_id == original.info.experiment_id
    # The new run is in the server's store only, not in the one this process resolves.
    assert labtrack.TrackingClient().search_runs([original.info.experiment_id]) == []


async def test_a_failing_cell_fails_the_job_with_the_cells_error(
    jp_fetch: Any, original: Any, server_store: Path
) -> None:
    run_id = original.info.run_id
    code, started = await api(jp_fetch, "POST", f"runs/{run_id}/reproduce", {"params": {"n": -1}})
    assert code == 202, started

    job = await wait_for_job(jp_fetch, run_id, started["job_id"])

    assert job["state"] == "failed"
    error = job["error"]
    assert (error["cell_index"], error["ename"], error["evalue"]) == (
        3,  # after the injected cell
        "ValueError",
        "n must be positive",
    )
    assert "raise ValueError" in error["traceback"] and "\x1b[" not in error["traceback"]
    assert "cell 4 raised ValueError" in error["message"]
    assert job["progress"] == {"done": 4, "total": 5}
    # The notebook's run was never started: the failure is before start_run.
    assert job["new_run_id"] is None


async def test_bad_requests_say_what_to_send(
    jp_fetch: Any, original: Any, server_store: Path
) -> None:
    run_id = original.info.run_id
    route = f"runs/{run_id}/reproduce"

    code, body = await api(jp_fetch, "POST", route, {"params": {"n": 1, "depth": 2}})
    assert code == 400
    assert body["message"] == (
        "Unknown parameter(s) 'depth'. The notebook's parameters cell assigns: n, alpha, name."
    )
    code, body = await api(jp_fetch, "POST", route, {"params": {"n": "many"}})
    assert code == 400
    assert "'n' takes a number (the notebook's default is 3); got 'many'" in body["message"]
    code, body = await api(jp_fetch, "POST", route, {"params": {"name": 7}})
    assert code == 400 and "'name' takes a string" in body["message"]
    code, body = await api(jp_fetch, "POST", route, {"params": ["n", 5]})
    assert code == 400 and "params must be an object" in body["message"]
    code, body = await api(jp_fetch, "POST", route, {"parameters": {"n": 5}})
    assert code == 400 and "Unknown field(s) 'parameters'" in body["message"]

    code, body = await api(jp_fetch, "GET", f"{route}/no-such-job")
    assert code == 404 and "No reproduction job 'no-such-job'" in body["message"]
    code, body = await api(jp_fetch, "POST", "runs/no-such-run/reproduce", {})
    assert code == 404

    client = server_client(server_store)
    plain = client.create_run(original.info.experiment_id).info.run_id
    client.set_terminated(plain)
    for method in ("GET", "POST"):
        code, body = await api(
            jp_fetch, method, f"runs/{plain}/reproduce", {} if method == "POST" else None
        )
        assert code == 409, body
        assert "has no captured notebook version" in body["message"]


def test_jobs_beyond_the_limit_wait_for_a_free_slot(original: Any, server_store: Path) -> None:
    jobs = ReproductionJobs(max_running=1, max_waiting=1)
    client = server_client(server_store)
    first = jobs.start(client, original.info.run_id, {"n": 1})
    second = jobs.start(client, original.info.run_id, {"n": 2})
    # One running and one waiting is as many as this server takes.
    with pytest.raises(TooManyReproductionsError, match="2 reproductions are already running"):
        jobs.start(client, original.info.run_id, {"n": 3})
    for _ in range(480):  # at most 4 minutes
        if all(job.state in ("finished", "failed") for job in (first, second)):
            break
        time.sleep(0.5)
    assert (first.state, second.state) == ("finished", "finished"), (first.error, second.error)
    # One slot: whichever ran second started only after the other had finished.
    a, b = sorted((first, second), key=lambda job: job.started or 0)
    assert a.finished is not None and b.started is not None and b.started >= a.finished
    scores = {
        job.params["n"]: client.get_run(job.to_json()["new_run_id"]).data.metrics["score"]
        for job in (first, second)
    }
    assert scores == {1: 0.5, 2: 1.0}
