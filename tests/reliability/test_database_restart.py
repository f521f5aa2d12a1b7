"""Direct writes and reads outlive a PostgreSQL restart (issue 19, item 5).

A restart of ~0.3 s used to crash a training script in ``log_param`` / ``set_tag``: only lock
timeouts and deadlocks were retried. The store now retries a database that went away with a
bounded backoff. The server here is a real PostgreSQL of ``tests/services.py``, of its own
(restarting the session's would disturb other tests), stopped and started again by its PID.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labtrack.errors import StoreError
from labtrack.store.sql import engine
from labtrack.tracking.client import TrackingClient
from tests.services import (
    _can_connect,
    _run_as_postgres_kwargs,
    _start_postgres,
    stop_process,
    wait_until,
)


class RestartablePostgres:
    """A PostgreSQL server that can be stopped and started again on the same port and data."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.proc, self.port = _start_postgres(tmp)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGINT)  # PostgreSQL's fast shutdown

    def start(self) -> None:
        with open(self.tmp / "postgres.log", "ab") as out:
            self.proc = subprocess.Popen(
                self.proc.args,
                cwd=self.tmp,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **_run_as_postgres_kwargs(),
            )
        wait_until(lambda: _can_connect(self.url), "PostgreSQL restart", self.proc)


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    tmp = Path(tempfile.mkdtemp(prefix="labtrack-pg-restart-"))
    server = RestartablePostgres(tmp)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def test_direct_writes_and_reads_outlive_a_restart(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    client = TrackingClient(postgres.url, artifact_root=str(tmp_path / "artifacts"))
    run_id = client.create_run("0").info.run_id
    client.log_param(run_id, "before", 1)
    postgres.stop()  # every pooled connection is now dead, and new ones are refused

    def back_after_a_moment() -> None:
        time.sleep(0.3)
        postgres.start()

    restart = threading.Thread(target=back_after_a_moment)
    restart.start()
    try:
        client.log_param(run_id, "during", 2)
        client.set_tag(run_id, "phase", "restart")
        client.log_metric(run_id, "loss", 0.5, step=1)
        run = client.get_run(run_id)
    finally:
        restart.join()
    assert run.data.params == {"before": "1", "during": "2"}
    assert run.data.tags["phase"] == "restart"
    assert run.data.metrics == {"loss": 0.5}


def test_a_database_that_stays_away_still_fails_with_advice(
    postgres: RestartablePostgres, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TrackingClient(postgres.url, artifact_root=str(tmp_path / "artifacts"))
    run_id = client.create_run("0").info.run_id
    monkeypatch.setattr(engine, "RECONNECT_FOR_S", 0.5)
    postgres.stop()
    with pytest.raises(StoreError) as refused:
        client.log_param(run_id, "lost", 1)
    assert "reachable" in refused.value.message
