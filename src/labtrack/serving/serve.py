"""Run the serving app: bind, optionally fork workers, load, serve until told to stop.

``workers > 1`` binds the port once and forks that many processes that accept on the shared
socket (the kernel spreads connections); the parent only restarts a worker that dies and
forwards SIGTERM/SIGINT. The parent forks before anything opens a database connection, loads
numpy or starts a thread, and each worker loads its own model and polls the registry itself.
A worker whose parent disappears stops too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from labtrack import pyfunc, store
from labtrack.errors import InvalidParameterError, UnsafeModelError
from labtrack.models.pickle_policy import PickleRefusedError
from labtrack.registry.uri import parse_models_uri
from labtrack.serving.app import ServingApp, ServingState
from labtrack.serving.routing import ModelTable
from labtrack.serving.runner import ModelRunner
from labtrack.tracking import _state
from labtrack.tracking.client import TrackingClient

__all__ = ["ServeOptions", "serve"]

log = logging.getLogger("labtrack.serving")
DEFAULT_MAX_BODY_MB = 20.0
# The Jupyter server passes a secret here; the process then answers only requests carrying it.
TOKEN_ENV = "LABTRACK_SERVING_TOKEN"


@dataclass
class ServeOptions:
    """How to serve. ``model_uri`` (``models:/...``, ``runs:/...`` or a folder) for one model;
    ``model_name`` instead serves every ref of a registered model (what Jupyter starts)."""

    model_uri: str | None = None
    model_name: str | None = None
    tracking_uri: str | None = None
    artifact_root: str | None = None
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    poll_interval: float = 1.0
    max_body_mb: float = DEFAULT_MAX_BODY_MB
    allow_unsafe: bool = False
    # Appended to the error of a refused pickle model: how to allow it where this runs.
    unsafe_hint: str | None = None
    ready_file: str | None = None
    exit_with_stdin: bool = False
    # Up to this many queued requests share one predict call (1: each request alone).
    max_batch: int = 1
    # `labtrack serve --token`: every request but /ping and /health must carry it (bearer).
    access_token: str | None = None


def _target(opts: ServeOptions) -> tuple[str | None, str | None, str | None]:
    """(registered model name, default ref, fixed model URI)."""

    if opts.model_name is not None:
        return opts.model_name, None, None
    uri = opts.model_uri or ""
    if uri.lower().startswith("models:"):
        name, ref = parse_models_uri(uri)
        return name, ref, None
    return None, "", uri


def check(opts: ServeOptions) -> None:
    """Fail before binding if the model's name is unknown (no fork-unsafe state is left)."""

    name, _, uri = _target(opts)
    if opts.workers < 1:
        raise InvalidParameterError(f"--workers must be at least 1; got {opts.workers}.")
    if opts.max_batch < 1:
        raise InvalidParameterError(f"--max-batch must be at least 1; got {opts.max_batch}.")
    try:
        if name is not None:
            TrackingClient(
                opts.tracking_uri, artifact_root=opts.artifact_root
            ).get_registered_model(name)
    finally:
        store.close_all()  # no pooled connection may cross a fork


def serve(opts: ServeOptions) -> None:
    """Serve until SIGTERM/SIGINT (or, with ``exit_with_stdin``, until stdin closes)."""
    check(opts)
    sock = _bind(opts.host, opts.port)
    port = sock.getsockname()[1]
    if opts.exit_with_stdin:
        _exit_with_stdin()
    if opts.workers == 1:
        _write_ready(opts.ready_file, port)
        _run_worker(opts, [sock], parent=None)
        return
    _prefork(opts, [sock], port)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket (before any fork, so workers share it)."""

    try:
        # The address's own protocol (TCP), so asyncio turns Nagle off on each connection
        # (a reply's head and body are two writes; with Nagle on, the second waits ~40 ms).
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as err:
        raise InvalidParameterError(
            f"Cannot listen on {host}:{port}: {err.strerror or err}. Pick another --port "
            "(0: any free port) or --host."
        ) from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _config(opts: ServeOptions, app: Any) -> Any:
    """uvicorn's settings: httptools if installed, asyncio, no lifespan, no access log."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=opts.host,
        port=opts.port,
        http="auto",
        ws="none",
        loop="asyncio",
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,  # nothing here reads the client's address
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def _write_ready(path: str | None, port: int) -> None:
    if path is None:
        return
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"port": port, "pid": os.getpid()}, f)
    os.replace(tmp, path)


def _exit_with_stdin() -> None:
    """Stop when the parent's end of stdin closes (the parent exited, even by SIGKILL)."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="labtrack-stdin-watch", daemon=True).start()


def _prefork(opts: ServeOptions, sockets: list[Any], port: int) -> None:
    children: dict[int, int] = {}
    stopping = False
    parent = os.getpid()

    def spawn(index: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, signal.SIG_DFL)
                _run_worker(opts, sockets, parent=parent)
            except BaseException:
                log.exception("labtrack serving: worker %s failed", index)
                code = 1
            finally:
                os._exit(code)
        children[pid] = index

    def on_signal(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    for index in range(opts.workers):
        spawn(index)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _write_ready(opts.ready_file, port)
    last_start: dict[int, float] = {}
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        index = children.pop(pid, -1)
        if index < 0 or stopping:
            continue
        log.warning(
            "labtrack serving: worker %s (pid %s) exited (%s); restarting", index, pid, status
        )
        if time.monotonic() - last_start.get(index, 0.0) < 5.0:
            time.sleep(1.0)  # a worker that dies at once: do not spin
        last_start[index] = time.monotonic()
        spawn(index)


def _run_worker(opts: ServeOptions, sockets: list[Any], parent: int | None) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    _state.reset_client(opts.tracking_uri, opts.artifact_root)
    name, default_ref, uri = _target(opts)
    client = TrackingClient(opts.tracking_uri, artifact_root=opts.artifact_root)

    def load(where: str) -> ModelRunner:

        try:
            model = pyfunc.load_model(where, allow_unsafe=opts.allow_unsafe)
        except PickleRefusedError as err:  # only this refusal has a switch to name
            if not opts.unsafe_hint:
                raise
            raise UnsafeModelError(f"{err.message} {opts.unsafe_hint}") from None
        return ModelRunner(model, opts.max_batch)

    table = ModelTable(client, name, load, opts.poll_interval, static_uri=uri)
    state = ServingState(
        table,
        default_ref,
        int(opts.max_body_mb * 1024 * 1024),
        token=os.environ.get(TOKEN_ENV) or opts.access_token or None,
        bound_host=opts.host,
        open_health=bool(opts.access_token) and not os.environ.get(TOKEN_ENV),
    )
    server = uvicorn.Server(_config(opts, ServingApp(state, all_refs=opts.model_name is not None)))
    # uvicorn stops on SIGTERM/SIGINT, then raises the signal again under the handlers that were
    # there before it: these make that a clean exit.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _signum, _frame: None)
    if parent is not None:
        _exit_when_orphaned(parent)
    if uri is not None:
        preload: list[str] = []
    else:
        preload = [default_ref] if default_ref else ["Production", "Staging", "latest"]
    threading.Thread(
        target=table.start, args=(preload, default_ref is None and uri is None), daemon=True
    ).start()
    where = f"{opts.host}:{sockets[0].getsockname()[1]}"
    log.info("labtrack serving %s on %s (pid %s)", name or uri, where, os.getpid())
    try:
        server.run(sockets=sockets)
    finally:
        table.stop()


def _exit_when_orphaned(parent: int) -> None:
    """A forked worker stops when its parent is gone (even killed by SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="labtrack-parent-watch", daemon=True).start()
