"""Eight processes (two threads each) log 10,000 points apiece, with params, tags and
artifacts, into one store while the Jupyter server reads it: every point arrives and no
"database is locked" reaches anyone."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from typing import Any

import pytest

from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api

WORKER = textwrap.dedent(
    """
    import sys, threading, tempfile, os
    import labtrack as mlflow

    mlflow.set_tracking_uri(sys.argv[1])
    n, name = int(sys.argv[2]), sys.argv[3]
    with mlflow.start_run(run_name=name) as run:
        mlflow.log_params({"worker": name, "n": n})

        def log(offset):
            for i in range(offset, n, 2):
                mlflow.log_metric("m", i, step=i, run_id=run.info.run_id)
                if i % 2500 == offset:
                    mlflow.MlflowClient().set_tag(run.info.run_id, f"t{offset}-{i}", i)

        pool = [threading.Thread(target=log, args=(k,)) for k in range(2)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "out.txt")
            open(path, "w").write(name)
            mlflow.log_artifact(path)
    print(run.info.run_id)
    """
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_uri(request, labtrack_home, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return str(labtrack_home)
    url = request.getfixturevalue("fresh_postgres_url")
    monkeypatch.setenv("LABTRACK_TRACKING_URI", url)
    monkeypatch.setenv("LABTRACK_ARTIFACT_ROOT", str(tmp_path / "artifacts"))
    return url


async def test_eight_writers_and_a_reading_server(jp_fetch: Any, store_uri: str) -> None:
    n, procs = 10_000, []
    for k in range(8):
        procs.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                WORKER,
                store_uri,
                str(n),
                f"w{k}",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        )
    reads = 0
    waiting = [asyncio.ensure_future(p.communicate()) for p in procs]
    while not all(w.done() for w in waiting) and reads < 2000:
        code, body = await api(jp_fetch, "GET", "runs", experiment_id="0", max_results="50")
        assert code == 200, body
        code, body = await api(jp_fetch, "GET", "changes", experiment_id="0")
        assert code == 200, body
        reads += 1
        await asyncio.sleep(0.05)
    results = await asyncio.gather(*waiting)
    run_ids = []
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err.decode()
        assert b"database is locked" not in err
        run_ids.append(out.decode().split()[-1])
    assert reads > 0
    client = TrackingClient(store_uri)
    for rid in run_ids:
        run = client.get_run(rid)
        assert run.info.status == "FINISHED"
        steps = sorted(m.step for m in client.get_metric_history(rid, "m"))
        assert steps == list(range(n))
        assert run.data.metrics["m"] == n - 1
        assert len([k for k in run.data.tags if k.startswith("t")]) == 8
        assert [f.path for f in client.list_artifacts(rid)] == ["out.txt"]
