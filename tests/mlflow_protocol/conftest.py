"""A real Jupyter server with labtrack, real MLflow clients, a fresh store per test.

``server`` (session) is a ``jupyter server`` subprocess on 127.0.0.1 with the labtrack
extension and a random token. Its labtrack home is a symbolic link that ``home`` (per test)
points at a new folder: the server resolves its store on every request, so each test gets an
empty store without a server start (a few seconds each). ``mlflow2`` / ``mlflow3`` are the
interpreters of MLflow's venvs (``envs.py``), made once; :func:`run_mlflow` runs a script
there against the server and returns the JSON it prints last.

In-process tests use pytest-jupyter's ``jp_fetch`` instead (``tests/server/conftest.py``'s
fixtures, imported below).
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.mlflow_protocol import envs
from tests.server.conftest import jp_server_config, labtrack_config, labtrack_home  # noqa: F401
from tests.services import free_port, wait_until

SCRIPT_TIMEOUT = 300


@dataclass
class Server:
    """A running Jupyter server with labtrack."""

    base: str  # http://127.0.0.1:PORT/
    token: str
    link: Path  # the labtrack home the server uses (a symlink re-pointed per test)
    root: Path
    pid: int
    log: Path

    @property
    def mlflow_uri(self) -> str:
        return f"{self.base}labtrack/mlflow"

    def request(
        self, method: str, path: str, body: Any = None, token: bool = True
    ) -> tuple[int, Any]:
        """``method path`` on the server (JSON in and out); (status, decoded body)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path.lstrip("/"), data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"token {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as answer:
                raw, status = answer.read(), answer.status
        except urllib.error.HTTPError as err:
            raw, status = err.read(), err.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw


def start_jupyter(root: Path, link: Path, extra_args: list[str] = ()) -> Server:  # type: ignore[assignment]
    """A ``jupyter server`` subprocess with labtrack on ``link`` as its home."""
    port, token = free_port(), secrets.token_hex(16)
    notebooks = root / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    log = root / "jupyter.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LABTRACK_", "MLFLOW_"))},
        "LABTRACK_HOME": str(link),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTER_DATA_DIR": str(root / "data"),
    }
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--no-browser",
                "--allow-root",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--port-retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={notebooks}",
                "--ServerApp.jpserver_extensions={'labtrack': True}",
                *extra_args,
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}/", token, link, root, proc.pid, log)

    def ready() -> bool:
        try:
            return server.request("GET", "labtrack/api/store")[0] == 200
        except OSError:
            return False

    wait_until(ready, "jupyter server", proc, log, timeout=90)
    return server


def stop(pid: int) -> None:
    """Stop a process group we started: SIGTERM, then SIGKILL after 10 s."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(100):
        try:
            os.waitpid(pid, os.WNOHANG)
            os.killpg(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            return
        import time

        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)


_homes = itertools.count()


def point_home(link: Path, target: Path) -> None:
    """Re-point the server's home link at ``target`` (atomically)."""
    target.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(link.name + ".new")
    if tmp.is_symlink():
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, link)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("mlflow-protocol")
    link = root / "current-home"
    point_home(link, root / "homes" / "initial")
    started = start_jupyter(root, link)
    yield started
    stop(started.pid)


@pytest.fixture
def home(server: Server) -> Path:
    """An empty labtrack home that the server reads from now on (its real path)."""
    target = server.root / "homes" / f"test-{next(_homes)}"
    point_home(server.link, target)
    return target.resolve()


@pytest.fixture(scope="session")
def mlflow2() -> Path:
    return envs.mlflow_python("2")


@pytest.fixture(scope="session")
def mlflow3() -> Path:
    return envs.mlflow_python("3")


@pytest.fixture(params=["2", "3"])
def mlflow_line(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """Each MLflow line in turn: (line, its interpreter)."""
    return request.param, request.getfixturevalue(f"mlflow{request.param}")


def run_mlflow(python: Path, script: str, server: Server, cwd: Path, **env: str) -> Any:
    """Run ``script`` (dedented) with MLflow's interpreter against ``server``; the JSON object it
    prints on its last line. A failing script fails the test with its output."""
    path = cwd / "script.py"
    path.write_text(textwrap.dedent(script))
    done = subprocess.run(
        [str(python), str(path)],
        cwd=cwd,
        env=envs.clean_env(
            MLFLOW_TRACKING_URI=server.mlflow_uri, MLFLOW_TRACKING_TOKEN=server.token, **env
        ),
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )
    if done.returncode != 0:
        pytest.fail(
            f"MLflow script failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-6000:]}"
        )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1])
