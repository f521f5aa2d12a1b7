"""Regression (issue: runs of killed scripts stay RUNNING forever; only kernels were handled).

A script's run gets heartbeats from its process's metric writer; when the process dies the
heartbeats stop, and the server ends the run as KILLED once ``c.Labtrack.stale_run_timeout``
has passed. Here the script is really killed (SIGKILL); the passing of time is simulated by
moving its last heartbeat back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from traitlets import TraitError

from labtrack.server.settings import Labtrack
from labtrack.store.sql import tables
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api

SCRIPT = textwrap.dedent(
    """
    import sys, time
    import labtrack as mlflow
    run = mlflow.start_run()
    mlflow.log_metric("loss", 1.0)
    print(run.info.run_id, flush=True)
    time.sleep(600)
    """
)


def _killed_script_run(home: Path) -> str:
    env = {**os.environ, "LABTRACK_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        run_id = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert len(run_id) == 32
        engine = sa.create_engine(f"sqlite:///{home / 'labtrack.db'}")
        runs = tables.runs
        query = sa.select(runs.c.heartbeat_time).where(runs.c.run_uuid == run_id)
        for _ in range(200):  # its writer beats right after the run starts
            with engine.connect() as conn:
                if conn.execute(query).scalar() is not None:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("the script's run never got a heartbeat")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    # Twenty minutes pass without a heartbeat.
    with engine.begin() as conn:
        conn.execute(
            sa.update(runs)
            .where(runs.c.run_uuid == run_id)
            .values(heartbeat_time=runs.c.heartbeat_time - 20 * 60 * 1000)
        )
    engine.dispose()
    return run_id


async def test_the_run_of_a_killed_script_ends_killed(
    jp_fetch: Any, jp_serverapp: Any, labtrack_home: Path
) -> None:
    run_id = _killed_script_run(labtrack_home)
    alive = TrackingClient(str(labtrack_home)).create_run("0").info.run_id  # no heartbeat yet
    assert (await api(jp_fetch, "GET", f"runs/{run_id}"))[1]["info"]["status"] == "RUNNING"
    await jp_serverapp.web_app.settings["labtrack_stale_runs"].check()
    status, body = await api(jp_fetch, "GET", f"runs/{run_id}")
    assert status == 200 and body["info"]["status"] == "KILLED"
    assert body["info"]["end_time"] is not None
    assert (await api(jp_fetch, "GET", f"runs/{alive}"))[1]["info"]["status"] == "RUNNING"


@pytest.mark.parametrize("labtrack_config", [{"stale_run_timeout": 0}])
async def test_a_zero_timeout_turns_it_off(jp_serverapp: Any, labtrack_config: Any) -> None:
    stale = jp_serverapp.web_app.settings["labtrack_stale_runs"]
    assert stale._callback is None


def test_a_timeout_shorter_than_the_heartbeats_is_refused() -> None:
    with pytest.raises(TraitError, match="stale_run_timeout is 10 s: give 0"):
        Labtrack(stale_run_timeout=10)
    assert Labtrack(stale_run_timeout=0).stale_run_timeout == 0
    assert Labtrack().stale_run_timeout == 600
