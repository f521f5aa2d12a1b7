"""Several processes and threads log into one store at once: every point arrives."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import labtrack

WORKER = textwrap.dedent(
    """
    import sys, threading
    import labtrack as mlflow

    mlflow.set_tracking_uri(sys.argv[1])
    n, threads = int(sys.argv[2]), int(sys.argv[3])
    with mlflow.start_run(run_name=sys.argv[4]) as run:
        mlflow.log_params({"worker": sys.argv[4], "n": n})
        mlflow.set_tag("kind", "load")

        def log(offset):
            for i in range(offset, n, threads):
                mlflow.log_metric("m", i, step=i, run_id=run.info.run_id)

        pool = [threading.Thread(target=log, args=(k,)) for k in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        mlflow.log_text("done", "done.txt")
    print(run.info.run_id)
    """
)


def _spawn(uri: str, n: int, threads: int, name: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, uri, str(n), str(threads), name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_four_processes_log_10000_points_each(request, tmp_path, backend):
    if backend == "sqlite":
        uri = str(tmp_path / "shared-home")
    else:
        uri = request.getfixturevalue("fresh_postgres_url")
    n = 10_000
    procs = [_spawn(uri, n, 2, f"w{k}") for k in range(4)]
    run_ids = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "database is locked" not in err
        run_ids.append(out.strip().splitlines()[-1])
    client = labtrack.TrackingClient(uri, artifact_root=str(tmp_path / "artifacts"))
    for rid in run_ids:
        run = client.get_run(rid)
        assert run.info.status == "FINISHED"
        history = client.get_metric_history(rid, "m")
        assert sorted(int(m.step) for m in history) == list(range(n))
        assert run.data.metrics["m"] == n - 1
        assert run.data.tags["kind"] == "load"
        assert [f.path for f in client.list_artifacts(rid)] == ["done.txt"]
