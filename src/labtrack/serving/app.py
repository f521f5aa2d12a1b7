"""The serving app's HTTP layer (ASGI, run by uvicorn): ``/invocations``, ``/ping``, ``/health``,
``/version``.

A model process started by the Jupyter server also answers ``/<ref>/invocations`` for every
version, stage, ``latest`` and alias of its registered model, ``/status``, and ``/metrics``
(JSON: per endpoint the requests, errors, latency percentiles and last errors, counted by
:mod:`labtrack.serving.metrics` since the process started).

Every client mistake is a 4xx with ``{"error_code", "message"}``: a body that is not valid
input, input the signature refuses or the model rejects (400), a body over the size limit (413),
another content type or none (415), a ref that names nothing (404), another method (405), a
request for another host or from another site's page, or without the token (401/403). A ref whose
model could not be loaded is a 503. Parsing, checking and predicting run on each model's own
thread (:mod:`labtrack.serving.runner`), so ``/ping`` answers while a slow model predicts. A
``Server-Timing: predict;dur=<ms>`` header says how long the model's own ``predict`` took, so
a client can tell the model's time from the server's; ``X-Labtrack-Batch-Size`` says how many
requests that call answered, when it was more than one.

The app is a bare ASGI callable: a model server's own time per request is what its users wait
for, and a routing framework would add more than the five routes here need.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from labtrack.serving.metrics import ServingMetrics
from labtrack.serving.routing import ModelTable
from labtrack.serving.runner import ModelRunner
from labtrack.serving.scoring import ScoringError
from labtrack.utils.host_check import request_refusal
from labtrack.utils.version import __version__

__all__ = ["TOKEN_HEADER", "ServingApp", "ServingState"]

log = logging.getLogger("labtrack.serving")
TOKEN_HEADER = "X-Labtrack-Serving-Token"
_TOKEN_KEY = TOKEN_HEADER.lower().encode()
_REF_PATH = re.compile(r"/([A-Za-z0-9_\-@]+)/invocations")
_JSON = b"application/json"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class ServingState:
    """What every request of one process shares."""

    table: ModelTable
    default_ref: str | None
    max_body_bytes: int
    # Set by the Jupyter server for the processes it starts (only its proxy may call them), or
    # by `labtrack serve --token` (clients send it as a bearer token).
    token: str | None = None
    metrics: ServingMetrics = field(default_factory=ServingMetrics)
    # The address the process listens on: a loopback one answers only loopback Host headers
    # (DNS rebinding), and cross-site browser requests are refused (labtrack.utils.host_check).
    bound_host: str | None = None
    # /ping and /health answer without the token (load balancers' health checks send none).
    open_health: bool = False

    @property
    def hard_cap(self) -> int:
        # Bodies up to this size are read (and dropped) so the client gets the 413 cleanly;
        # a larger announced body is answered before it is read, and the connection closed.
        return 4 * self.max_body_bytes


async def _reply(
    send: Send,
    status: int,
    body: str | bytes,
    content_type: bytes = _JSON,
    headers: tuple[tuple[bytes, bytes], ...] = (),
    close: bool = False,
) -> None:
    data = body.encode() if isinstance(body, str) else body
    head = [(b"content-type", content_type), (b"content-length", str(len(data)).encode())]
    head += headers
    if close:
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": data})


async def _fail(send: Send, err: ScoringError, close: bool = False) -> None:
    await _reply(send, err.status, err.to_json(), close=close)


def _message(body: bytes) -> str | None:
    """The ``message`` of an error body (every error here is ``{"error_code", "message"}``)."""
    if not body:
        return None
    try:
        message = json.loads(body).get("message")
    except (ValueError, AttributeError):
        return body[:500].decode(errors="replace")
    return str(message) if message is not None else None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class ServingApp:
    """The ASGI application; ``all_refs`` adds ``/<ref>/invocations`` and ``/status``."""

    def __init__(self, state: ServingState, all_refs: bool) -> None:
        self.state = state
        self.all_refs = all_refs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        try:
            await self._dispatch(scope, receive, send)
        except Exception:  # a bug: the client still gets JSON, and the log says what
            log.exception("labtrack serving: %s %s failed", scope["method"], scope["path"])
            err = ScoringError("Internal error; see the serving log.", 500, "INTERNAL_ERROR")
            with contextlib.suppress(Exception):  # the response had started: nothing to add
                await _fail(send, err, close=True)

    def _refusal(self, scope: Scope) -> ScoringError | None:
        """A 401/403 for a request from the wrong place or without the token, else None."""
        state = self.state
        if state.bound_host is not None:
            host, origin = _header(scope, b"host"), _header(scope, b"origin")
            why = request_refusal(
                None if host is None else host.decode("latin-1"),
                None if origin is None else origin.decode("latin-1"),
                state.bound_host,
            )
            if why is not None:
                return ScoringError(why, status=403, error_code="PERMISSION_DENIED")
        token = state.token
        if token is None or (state.open_health and scope["path"] in ("/ping", "/health")):
            return None
        given = _header(scope, _TOKEN_KEY)
        if given is None:
            bearer = _header(scope, b"authorization") or b""
            given = bearer[7:].strip() if bearer[:7].lower() == b"bearer " else None
        if given is not None and hmac.compare_digest(given, token.encode()):
            return None
        if state.open_health:  # labtrack serve --token: the user holds the token
            return ScoringError(
                "This endpoint needs its token: send 'Authorization: Bearer <token>' (the token "
                "`labtrack serve` printed, or the one given with --token).",
                status=401 if given is None else 403,
                error_code="UNAUTHENTICATED" if given is None else "PERMISSION_DENIED",
            )
        return ScoringError(
            "This model process answers only the Jupyter server that started it; call "
            "<base_url>labtrack/serving/<name>/<ref>/invocations instead.",
            status=403,
            error_code="PERMISSION_DENIED",
        )

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = self._refusal(scope)
        if refused is not None:
            await _fail(send, refused)
            return
        path, method = scope["path"], scope["method"]
        if path == "/invocations":
            if await self._allow(send, method, "POST"):
                await self._counted(scope, receive, send, self.state.default_ref)
            return
        if path in ("/ping", "/health"):
            if await self._allow(send, method, "GET"):
                status, body = self._health()
                await _reply(send, status, json.dumps({**body, "pid": os.getpid()}))
            return
        if path == "/version":
            if await self._allow(send, method, "GET"):
                await _reply(send, 200, __version__, b"text/plain; charset=utf-8")
            return
        if self.all_refs:
            if path == "/status":
                if await self._allow(send, method, "GET"):
                    status_body = {**self.state.table.status(), "pid": os.getpid()}
                    await _reply(send, 200, json.dumps(status_body))
                return
            if path == "/metrics":
                if await self._allow(send, method, "GET"):
                    await _reply(send, 200, json.dumps(self.state.metrics.snapshot()))
                return
            match = _REF_PATH.fullmatch(path)
            if match:
                if await self._allow(send, method, "POST"):
                    await self._counted(scope, receive, send, match.group(1))
                return
        await _fail(
            send,
            ScoringError(
                f"No route {path!r}: POST /invocations (or /<version|stage|alias>/invocations), "
                "GET /ping, /health, /version.",
                status=404,
                error_code="RESOURCE_DOES_NOT_EXIST",
            ),
        )

    @staticmethod
    async def _allow(send: Send, method: str, allowed: str) -> bool:
        if method == allowed:
            return True
        await _reply(
            send,
            405,
            json.dumps(
                {"error_code": "METHOD_NOT_ALLOWED", "message": f"Use {allowed} on this route."}
            ),
            headers=((b"allow", allowed.encode()),),
        )
        return False

    def _health(self) -> tuple[int, dict[str, Any]]:
        """200 when the default model answers (or there is none to wait for), 503 while it
        loads or if it cannot load."""
        ref = self.state.default_ref
        if ref is None:
            return 200, {"status": "ok"}
        route = self.state.table.cached(ref)
        if route is None:
            return 503, {"status": "loading"}
        if route.status != 200:
            return 503, {"status": "unavailable", "message": route.error}
        return 200, {"status": "ok", "version": route.version}

    async def _read_body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The request body, or None once a 413 (or nothing, if the client left) was sent."""
        state = self.state
        announced = _header(scope, b"content-length") or b""
        if announced.isdigit() and int(announced) > state.hard_cap:
            await self._too_large(send, close=True)
            return None
        chunks: list[bytes] = []
        size, too_large = 0, False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > state.max_body_bytes:
                if size > state.hard_cap:  # stop reading a stream that does not end
                    await self._too_large(send, close=True)
                    return None
                too_large = True
                chunks.clear()
            elif chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        if too_large:
            await self._too_large(send)
            return None
        return b"".join(chunks)

    async def _too_large(self, send: Send, close: bool = False) -> None:
        limit = self.state.max_body_bytes / (1024 * 1024)
        err = ScoringError(
            f"The request body is larger than {limit:g} MB, the limit of this endpoint. "
            "Send fewer rows per request.",
            status=413,
            error_code="REQUEST_TOO_LARGE",
        )
        await _fail(send, err, close=close)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, ref: str | None) -> None:
        """Answer an invocation and count it: its status, its time, an error's message."""
        start = time.perf_counter()
        status = 0
        error: bytes = b""

        async def watched(message: Message) -> None:
            nonlocal status, error
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status >= 400:
                error += message.get("body", b"")
            await send(message)

        try:
            await self._invoke(scope, receive, watched, ref)
        except Exception:  # a bug: __call__ answers 500, which counts as an error
            if not status:
                status, error = 500, b'{"message": "Internal error; see the serving log."}'
            raise
        finally:
            if status:  # 0: the client left before an answer; nothing was served
                millis = (time.perf_counter() - start) * 1000
                self.state.metrics.record(ref or "default", status, millis, _message(error))

    async def _invoke(self, scope: Scope, receive: Receive, send: Send, ref: str | None) -> None:
        if ref is None:
            await _fail(
                send,
                ScoringError(
                    "This process serves a registered model's versions: POST to "
                    "/<version|stage|alias>/invocations.",
                    status=404,
                    error_code="RESOURCE_DOES_NOT_EXIST",
                ),
            )
            return
        body = await self._read_body(scope, receive, send)
        if body is None:
            return
        table = self.state.table
        route = table.cached(ref)
        if route is None:  # first request for this ref: resolve (and load) off the event loop
            route = await asyncio.get_running_loop().run_in_executor(None, table.route, ref)
        if route.status != 200:
            code = "RESOURCE_DOES_NOT_EXIST" if route.status == 404 else "TEMPORARILY_UNAVAILABLE"
            await _fail(send, ScoringError(route.error or "Not available.", route.status, code))
            return
        runner: ModelRunner = route.model
        raw_type = _header(scope, b"content-type")
        content_type = None if raw_type is None else raw_type.decode("latin-1")
        try:
            scored = runner.try_inline(body, content_type)
            if scored is None:
                scored = await asyncio.wrap_future(runner.submit(body, content_type))
        except ScoringError as err:
            await _fail(send, err)
            return
        headers = [(b"server-timing", f"predict;dur={scored.predict_ms:.3f}".encode())]
        if route.version is not None:
            headers.append((b"x-labtrack-model-version", str(route.version).encode()))
        if scored.batch > 1:
            headers.append((b"x-labtrack-batch-size", str(scored.batch).encode()))
        await _reply(send, 200, scored.body, headers=tuple(headers))
