"""Processes the suite starts: driver workers, servers, timed commands. All stopped by PID.

Servers run in their own process group (``start_new_session``) so that stopping one also stops
what it spawned (``mlflow models serve`` execs uvicorn through a shell); SIGTERM first, SIGKILL
after a grace period. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).with_name("cases") / "driver.py"


class CaseError(RuntimeError):
    """A case failed inside the driver; the message is the driver's error."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_group(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """Stop ``proc`` and its process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class Worker:
    """A driver process (``--worker``) for one library: send a case, get its figures back."""

    def __init__(
        self,
        lib: str,
        python: Path,
        workdir: Path,
        log: Path,
        env: dict[str, str],
        cache: Path | None = None,
    ) -> None:
        self.lib = lib
        self.python = python
        self.log = log.open("ab")
        cmd = [str(python), str(DRIVER), "--lib", lib, "--workdir", str(workdir), "--worker"]
        if cache is not None:
            cmd += ["--cache", str(cache)]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            cwd=workdir,
            start_new_session=True,
        )
        self._buffer = b""

    def call(self, case: str, timeout: float = 600.0, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write((json.dumps({"case": case, "args": args}) + "\n").encode())
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                raise CaseError(f"{self.lib} {case}: no answer within {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    raise CaseError(f"{self.lib} worker exited during {case} (see {self.log.name})")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise CaseError(f"{self.lib} {case}: {reply.get('error')}")
        return dict(reply["result"])

    def close(self) -> None:
        if self.proc.stdin:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            stop_group(self.proc, 5)
        self.log.close()


def timed_run(cmd: list[str], env: dict[str, str], cwd: Path, timeout: float = 120.0) -> float:
    """Wall time of a command from start to exit, in seconds; raises if it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=timeout)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise CaseError(f"{' '.join(cmd[:3])} exited {done.returncode}: {' / '.join(tail)}")
    return elapsed


class Http:
    """One keep-alive HTTP connection to a loopback server."""

    def __init__(self, port: int, headers: dict[str, str] | None = None, timeout: float = 60.0):
        self.port = port
        self.headers = headers or {}
        self.timeout = timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(
        self, method: str, path: str, body: Any = None, expect: int = 200
    ) -> tuple[float, bytes]:
        """(seconds, body) of one request, the response read to the end."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            resp = self.conn.getresponse()
            payload = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            raise
        elapsed = time.perf_counter() - start
        if resp.status != expect:
            raise CaseError(f"{method} {path}: HTTP {resp.status}: {payload[:300]!r}")
        return elapsed, payload

    def close(self) -> None:
        self.conn.close()


def probe(port: int, path: str, headers: dict[str, str], method: str = "GET", body: Any = None):
    """True if one request to the server answers 200 (a fresh connection, short timeout)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = dict(headers)
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        resp.read()
        return resp.status == 200
    except (http.client.HTTPException, OSError):
        return False
    finally:
        conn.close()


class Server:
    """A server process on 127.0.0.1: start, time until healthy, stop by PID."""

    def __init__(
        self,
        name: str,
        cmd: list[str],
        env: dict[str, str],
        cwd: Path,
        log: Path,
        port: int,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.cmd = cmd
        self.env = env
        self.cwd = cwd
        self.log_path = log
        self.port = port
        self.headers = headers or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=self.cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def wait_until(
        self, path: str, timeout: float, method: str = "GET", body: Any = None, every: float = 0.02
    ) -> float:
        """Seconds from start until ``path`` answers 200 (polled every ``every`` s)."""
        assert self.proc is not None
        deadline = self.started + timeout
        while time.perf_counter() < deadline:
            if probe(self.port, path, self.headers, method, body):
                return time.perf_counter() - self.started
            if self.proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace").strip().splitlines()[-5:]
                raise CaseError(f"{self.name} exited {self.proc.returncode}: {' / '.join(tail)}")
            time.sleep(every)
        raise CaseError(f"{self.name}: {path} not healthy within {timeout:.0f} s")

    def http(self) -> Http:
        return Http(self.port, self.headers)

    def peak_rss_mb(self) -> float | None:
        """The server process's peak resident memory so far (MB), from /proc (Linux)."""
        if self.proc is None:
            return None
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None
