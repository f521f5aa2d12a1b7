"""One model process per served registered model, supervised by the Jupyter server.

Which models are served is stored in the registry itself (the registered model tag
``labtrack.serving.enabled = "true"``), so it survives a server restart, follows a rename and
is the same for every server reading the store. :meth:`ServingSupervisor.reconcile` starts a
process for each such model and stops the others; it runs when serving is switched on or off
and every few seconds.

Each process is ``python -m labtrack.serving --model-name NAME`` on 127.0.0.1, a free port it
picks itself and reports through a ready file, and a secret token only the proxy sends. It is
watched without blocking the server: a 0.5 s tick notices an exit (restart with backoff) and
pings ``/ping`` every few seconds (a process that stops answering is killed and restarted).
It stops when serving is switched off, when Jupyter exits (``atexit``), and on its own when
Jupyter dies without cleaning up (its stdin closes).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.iostream import StreamClosedError
from tornado.netutil import Resolver

from labtrack.server.serving.proxy_pool import ProxyPool
from labtrack.server.settings import Labtrack
from labtrack.utils import mlflow_tags
from labtrack.utils.redact import redact_uri

__all__ = ["ENABLED_TAG", "ModelProcess", "ServingSupervisor"]

ENABLED_TAG = mlflow_tags.SERVING_ENABLED
UNSAFE_HINT = (
    "To serve pickle-format models from JupyterLab, start Jupyter with "
    "--Labtrack.allow_unsafe_models=True (or set c.Labtrack.allow_unsafe_models = True in "
    "jupyter_server_config.py)."
)
TICK_MS = 500
RECONCILE_EVERY_S = 5.0
PING_EVERY_S = 5.0
PING_TIMEOUT_S = 5.0
PINGS_BEFORE_KILL = 3
STOP_GRACE_S = 5.0
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0


@dataclass
class ModelProcess:
    """The process serving one registered model, and what the supervisor knows about it."""

    name: str
    ready_file: str
    log_file: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    popen: subprocess.Popen[bytes] | None = None
    port: int | None = None
    state: str = "starting"  # starting | ready | restarting | stopping
    started: float = 0.0
    restart_at: float = 0.0
    restarts: int = 0
    backoff: float = 0.5
    last_exit_code: int | None = None
    failed_pings: int = 0
    last_ping: float = 0.0
    pool: ProxyPool | None = None  # keep-alive connections, once the port is known

    def forget_port(self) -> None:
        if self.pool is not None:
            self.pool.close()
        self.pool, self.port = None, None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the process's output (of every start: a crash and the
        restart after it are both there)."""
        try:
            with open(self.log_file, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 800 * lines))
                return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ServingSupervisor:
    """Starts, watches, restarts and stops the model processes of one Jupyter server."""

    def __init__(self, settings: Labtrack, log: Any) -> None:
        self.settings = settings
        self.log = log
        self.procs: dict[str, ModelProcess] = {}
        self.folder = tempfile.mkdtemp(prefix="labtrack-serving-")
        self._tick: PeriodicCallback | None = None
        self._last_reconcile = 0.0
        self._http: AsyncHTTPClient | None = None
        self._lock: asyncio.Lock | None = None
        self._store_warned = False
        atexit.register(self.stop_all)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Begin watching (on the server's event loop); serve what the store says is enabled."""
        if self._tick is None:
            self._tick = PeriodicCallback(self.tick, TICK_MS)
            self._tick.start()
            IOLoop.current().add_callback(self.reconcile)

    @property
    def http(self) -> AsyncHTTPClient:
        if self._http is None:
            self._http = AsyncHTTPClient(
                force_instance=True, max_clients=64, resolver=_LoopbackResolver()
            )
        return self._http

    async def fetch(self, request: HTTPRequest) -> HTTPResponse | None:
        """The model process's answer; ``None`` if it did not answer at all (it died, reset
        the connection or timed out)."""
        try:
            response: HTTPResponse = await self.http.fetch(request, raise_error=False)
        except (OSError, StreamClosedError, HTTPClientError):
            return None
        return None if response.code == 599 else response

    async def _call(self, fn: Any, *args: Any) -> Any:
        return await IOLoop.current().run_in_executor(None, fn, *args)

    async def enabled_models(self) -> set[str]:
        client = self.settings.client()
        found: set[str] = set()
        token = None
        while True:
            page = await self._call(
                client.search_registered_models, f"tags.`{ENABLED_TAG}` = 'true'", 1000, None, token
            )
            found.update(m.name for m in page)
            token = page.token
            if not token:
                return found

    async def reconcile(self) -> None:
        """Start a process for every enabled model and stop the processes of the others."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one at a time, so two never start the same model twice
            await self._reconcile()

    async def _reconcile(self) -> None:
        self._last_reconcile = time.monotonic()
        try:
            wanted = await self.enabled_models()
        except Exception as err:  # a misconfigured or unreachable store: serve what runs
            if not self._store_warned:  # once per outage, not every few seconds
                self.log.warning("labtrack serving: cannot read the registry: %s", err)
                self._store_warned = True
            return
        self._store_warned = False
        for name in sorted(wanted - set(self.procs)):
            proc = ModelProcess(
                name,
                os.path.join(self.folder, f"{secrets.token_hex(6)}.json"),
                os.path.join(self.folder, f"{secrets.token_hex(6)}.log"),
            )
            self.procs[name] = proc
            await self._spawn(proc)
        for name in sorted(set(self.procs) - wanted):
            await self.stop(name)

    async def _spawn(self, proc: ModelProcess) -> None:
        location = self.settings.location()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(proc.ready_file)
        cmd = [
            sys.executable,
            "-m",
            "labtrack.serving",
            # One argument: a model named "--x" must not read as an option.
            f"--model-name={proc.name}",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--ready-file",
            proc.ready_file,
            "--exit-with-stdin",
        ]
        if self.settings.serving_max_batch > 1:
            cmd += ["--max-batch", str(self.settings.serving_max_batch)]
        if self.settings.allow_unsafe_models:
            cmd.append("--allow-unsafe")
        else:
            cmd += ["--unsafe-hint", UNSAFE_HINT]
        # The store's URI (it may hold a password) goes through the environment, which other
        # users cannot read, never the command line, which `ps` shows to everyone.
        env = {
            **os.environ,
            "LABTRACK_SERVING_TOKEN": proc.token,
            "LABTRACK_TRACKING_URI": location.tracking_uri,
            "LABTRACK_ARTIFACT_ROOT": location.artifact_root,
        }

        def popen() -> subprocess.Popen[bytes]:
            with open(proc.log_file, "ab") as log:
                return subprocess.Popen(
                    cmd,
                    stdin=subprocess.PIPE,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,  # a Ctrl-C meant for Jupyter is Jupyter's to handle
                )

        proc.popen = await self._call(popen)
        proc.forget_port()
        proc.state, proc.failed_pings = "starting", 0
        proc.started = proc.last_ping = time.monotonic()
        self.log.info(
            "labtrack serving: started %r (pid %s) on %s",
            proc.name,
            proc.pid,
            redact_uri(location.tracking_uri),
        )

    async def stop(self, name: str) -> None:
        """Stop a model's process (SIGTERM, then SIGKILL after a grace period)."""
        proc = self.procs.pop(name, None)
        if proc is None or proc.popen is None:
            return
        proc.state = "stopping"
        proc.forget_port()
        popen = proc.popen
        with contextlib.suppress(ProcessLookupError):
            popen.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        while popen.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                popen.kill()
            await self._call(popen.wait)
        _close_stdin(popen)
        self.log.info("labtrack serving: stopped %r", name)

    def stop_all(self) -> None:
        """Stop every process now (blocking; used at exit and by tests)."""
        if self._tick is not None:
            self._tick.stop()
            self._tick = None
        procs = [p.popen for p in self.procs.values() if p.popen is not None]
        self.procs.clear()
        for popen in procs:
            with contextlib.suppress(ProcessLookupError):
                popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for popen in procs:
            try:
                popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
            _close_stdin(popen)
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- watching ----------------------------------------------------------------------------
    async def tick(self) -> None:
        now = time.monotonic()
        for proc in list(self.procs.values()):
            try:
                await self._watch(proc, now)
            except Exception:  # never let one model's trouble stop the others being watched
                self.log.exception("labtrack serving: watching %r failed", proc.name)
        if now - self._last_reconcile > RECONCILE_EVERY_S:
            await self.reconcile()

    async def _watch(self, proc: ModelProcess, now: float) -> None:
        popen = proc.popen
        if proc.state == "restarting":
            if now >= proc.restart_at:
                proc.restarts += 1
                await self._spawn(proc)
            return
        if popen is None or proc.state == "stopping":
            return
        code = popen.poll()
        if code is not None:
            self._crashed(proc, code, now)
            return
        if proc.state == "starting":
            ready = _read_ready(proc.ready_file)
            if ready is not None:
                proc.port, proc.state = int(ready["port"]), "ready"
                proc.pool = ProxyPool(proc.port)
                self.log.info("labtrack serving: %r ready on port %s", proc.name, proc.port)
            return
        if now - proc.last_ping >= PING_EVERY_S:
            proc.last_ping = now
            await self._ping(proc)

    async def _ping(self, proc: ModelProcess) -> None:
        request = HTTPRequest(
            f"http://127.0.0.1:{proc.port}/ping",
            headers={"X-Labtrack-Serving-Token": proc.token},
            request_timeout=PING_TIMEOUT_S,
        )
        response = await self.fetch(request)
        if response is not None and response.code == 200:
            proc.failed_pings = 0
            return
        proc.failed_pings += 1
        if proc.failed_pings >= PINGS_BEFORE_KILL and proc.popen is not None:
            self.log.warning("labtrack serving: %r stopped answering; restarting it", proc.name)
            with contextlib.suppress(ProcessLookupError):
                proc.popen.kill()

    def _crashed(self, proc: ModelProcess, code: int, now: float) -> None:
        if proc.popen is not None:
            _close_stdin(proc.popen)
        if now - proc.started > STABLE_AFTER_S:
            proc.backoff = 0.5
        proc.forget_port()
        proc.last_exit_code, proc.state = code, "restarting"
        proc.restart_at = now + proc.backoff
        self.log.warning(
            "labtrack serving: %r exited with code %s; restarting in %.1f s",
            proc.name,
            code,
            proc.backoff,
        )
        proc.backoff = min(BACKOFF_MAX_S, proc.backoff * 2)

    # -- what handlers ask -------------------------------------------------------------------
    def target(self, name: str) -> ModelProcess | None:
        proc = self.procs.get(name)
        return proc if proc is not None and proc.state == "ready" else None

    async def process_status(self, proc: ModelProcess) -> dict[str, Any] | None:
        """The model process's own ``/status`` (served refs and loaded versions), if it answers."""
        return await self._ask(proc, "/status")

    async def process_metrics(self, proc: ModelProcess) -> dict[str, Any] | None:
        """What the model process counted since it started (``/metrics``: per endpoint the
        requests, errors, latency percentiles and last errors), if it answers."""
        return await self._ask(proc, "/metrics")

    async def _ask(self, proc: ModelProcess, path: str) -> dict[str, Any] | None:
        if proc.state != "ready":
            return None
        request = HTTPRequest(
            f"http://127.0.0.1:{proc.port}{path}",
            headers={"X-Labtrack-Serving-Token": proc.token},
            request_timeout=2.0,
        )
        response = await self.fetch(request)
        if response is None or response.code != 200:
            return None
        answer: dict[str, Any] = json.loads(response.body)
        return answer


class _LoopbackResolver(Resolver):
    """Model processes listen on 127.0.0.1: no lookup, so no trip through a thread pool."""

    async def resolve(
        self, host: str, port: int, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[tuple[int, Any]]:
        return [(socket.AF_INET, (host, port))]


def _read_ready(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
            return data
    except (OSError, ValueError):
        return None


def _close_stdin(popen: subprocess.Popen[bytes]) -> None:
    if popen.stdin is not None:
        with contextlib.suppress(OSError):
            popen.stdin.close()
