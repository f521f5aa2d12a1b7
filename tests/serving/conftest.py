"""Serving fixtures: a store with two versions of a small model, real serving processes on
127.0.0.1, and plain HTTP helpers. Every process is stopped by its PID; every wait is bounded."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import labtrack
from labtrack.store import close_all
from labtrack.tracking import _state
from tests.registry.conftest import diabetes, fit_forest, log_forest
from tests.server.conftest import jp_server_config, labtrack_config, labtrack_home
from tests.services import stop_process

__all__ = [
    "diabetes",
    "fit_forest",
    "jp_server_config",
    "labtrack_config",
    "labtrack_home",
]

WAIT_S = 90.0
COLUMNS = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.1)


def register_two_versions(home: Path, diabetes: Any, name: str = "diab") -> None:
    """Version 1 learns y (positive answers, in Production); version 2 learns -y (negative)."""
    labtrack.set_tracking_uri(str(home))
    try:
        for sign in (1, -1):
            labtrack.register_model(log_forest(diabetes, sign), name)
        labtrack.TrackingClient(str(home)).transition_model_version_stage(name, 1, "Production")
    finally:
        labtrack.set_tracking_uri(None)
        for writer in _state._writers.values():
            writer.close()
        _state._writers.clear()


@dataclass
class Server:
    """A running serving process: where it listens and its log."""

    popen: subprocess.Popen[bytes]
    port: int
    log: Path

    def request(
        self, method: str, path: str, body: bytes | str | None = None, **headers: str
    ) -> tuple[int, Any, Mapping[str, str]]:
        return http_request(self.port, method, path, body, headers)

    def score(self, payload: Any, path: str = "/invocations") -> tuple[int, Any]:
        code, body, _ = self.request(
            "POST", path, json.dumps(payload), **{"Content-Type": "application/json"}
        )
        return code, body

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def http_request(
    port: int, method: str, path: str, body: bytes | str | None, headers: dict[str, str]
) -> tuple[int, Any, Mapping[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        kind = response.getheader("Content-Type", "")
        parsed = json.loads(raw) if kind.startswith("application/json") else raw.decode()
        return response.status, parsed, response.headers  # names case-insensitive
    finally:
        conn.close()


@contextlib.contextmanager
def serving_process(args: list[str], folder: Path, cli: bool = False) -> Iterator[Server]:
    """``python -m labtrack.serving ARGS`` (or ``labtrack ARGS`` with ``cli``), ready to answer."""
    ready = folder / f"ready-{time.monotonic_ns()}.json"
    log = folder / f"serving-{time.monotonic_ns()}.log"
    if cli:
        cmd = [sys.executable, "-m", "labtrack", *args]
    else:
        cmd = [sys.executable, "-m", "labtrack.serving", "--port", "0", "--ready-file", str(ready)]
        cmd += args
    with open(log, "wb") as out:
        popen = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        if cli:
            port = int(args[args.index("--port") + 1])
        else:
            wait_for(lambda: ready.exists() or popen.poll() is not None, "the ready file")
            assert popen.poll() is None, log.read_text()
            port = json.loads(ready.read_text())["port"]
        server = Server(popen, port, log)
        wait_for(lambda: _answers(server), f"the server answering /ping\n{server.log_tail()}")
        yield server
    finally:
        stop_process(popen)


def _answers(server: Server) -> bool:
    if server.popen.poll() is not None:
        pytest.fail(f"the serving process exited:\n{server.log_tail()}")
    try:
        return server.request("GET", "/ping")[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory: pytest.TempPathFactory, diabetes: Any) -> Iterator[Path]:
    """A labtrack home holding ``diab`` v1 (Production, positive) and v2 (negative)."""
    home = tmp_path_factory.mktemp("serving-home")
    register_two_versions(home, diabetes)
    yield home
    close_all()


@pytest.fixture
def fresh_two_versions(tmp_path: Path, diabetes: Any) -> Iterator[Path]:
    """The same, for a test that changes the registry."""
    home = tmp_path / "home"
    register_two_versions(home, diabetes)
    yield home
    close_all()


def rows(diabetes: Any, n: int = 3) -> list[list[float]]:
    X, _ = diabetes
    return [[float(v) for v in row] for row in X[COLUMNS].to_numpy()[:n]]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
