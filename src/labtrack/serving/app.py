"""The serving app's HTTP layer (tornado): ``/invocations``, ``/ping``, ``/health``, ``/version``.

A model process started by the Jupyter server also answers ``/<ref>/invocations`` for every
version, stage, ``latest`` and alias of its registered model, and ``/status``.

Every client mistake is a 4xx with ``{"error_code", "message"}``: a body that is not valid
input, input the signature refuses or the model rejects (400), a body over the size limit (413),
another content type (415), a ref that names nothing (404). A ref whose model could not be
loaded is a 503. Parsing, checking and predicting run on a small thread pool, so ``/ping``
answers while a slow model predicts. A ``Server-Timing: predict;dur=<ms>`` header says how long
the model's own ``predict`` took, so a client can tell the model's time from the server's.
"""

from __future__ import annotations

import hmac
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from tornado import web
from tornado.http1connection import HTTP1Connection
from tornado.ioloop import IOLoop

from labtrack.errors import LabtrackError
from labtrack.serving.routing import ModelTable, Route
from labtrack.serving.scoring import ScoringError, parse_request, predictions_json

__all__ = ["TOKEN_HEADER", "ServingState", "make_app"]

REF_PATTERN = r"([A-Za-z0-9_\-@]+)"
TOKEN_HEADER = "X-Labtrack-Serving-Token"
_ERROR_CODES = {404: "RESOURCE_DOES_NOT_EXIST", 405: "METHOD_NOT_ALLOWED"}


@dataclass
class ServingState:
    """What every handler of one process shares."""

    table: ModelTable
    default_ref: str | None
    max_body_bytes: int
    executor: ThreadPoolExecutor
    # Set by the Jupyter server for the processes it starts: only its proxy may call them.
    token: str | None = None

    @property
    def hard_cap(self) -> int:
        # Bodies up to this size are read (and dropped) so the client gets the 413 cleanly;
        # a larger announced body is answered before it is read, and the connection closed.
        return 4 * self.max_body_bytes


def score(route: Route, body: bytes, content_type: str | None) -> tuple[str, float]:
    """Parse, check against the signature, predict, serialize: the worker thread's part.

    Returns the response body and the milliseconds the model's ``predict`` took (its own
    signature check included), which the reply reports in a ``Server-Timing`` header.
    """
    data, params = parse_request(body, content_type)
    try:
        start = time.perf_counter()
        result = route.model.predict(data, params)
        predict_ms = (time.perf_counter() - start) * 1000
    except LabtrackError as err:  # the signature check names the column and the fix
        raise ScoringError(err.message) from None
    except Exception as err:  # whatever the model itself refuses
        raise ScoringError(
            f"The model could not predict on this input: {type(err).__name__}: {err}"
        ) from None
    try:
        return predictions_json(result), predict_ms
    except (TypeError, ValueError) as err:
        raise ScoringError(
            f"The model's predictions cannot be sent as JSON: {err}",
            status=500,
            error_code="INTERNAL_ERROR",
        ) from None


class _Base(web.RequestHandler):
    def initialize(self, state: ServingState, ref: str | None = None) -> None:
        self.state = state
        self.fixed_ref = ref

    def prepare(self) -> None:
        token = self.state.token
        if token is not None and not hmac.compare_digest(
            self.request.headers.get(TOKEN_HEADER, ""), token
        ):
            self.fail(
                ScoringError(
                    "This model process answers only the Jupyter server that started it; call "
                    "<base_url>labtrack/serving/<name>/<ref>/invocations instead.",
                    status=403,
                    error_code="PERMISSION_DENIED",
                )
            )

    def reply(self, status: int, body: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)

    def fail(self, err: ScoringError) -> None:
        self.reply(err.status, err.to_json())

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Whatever goes wrong (a wrong method, a bug), the client gets JSON, not HTML.
        code = _ERROR_CODES.get(
            status_code, "INTERNAL_ERROR" if status_code >= 500 else "BAD_REQUEST"
        )
        self.reply(status_code, json.dumps({"error_code": code, "message": self._reason}))


class NotFoundHandler(_Base):
    """Every other path: a JSON 404 listing the routes."""

    def prepare(self) -> None:
        super().prepare()
        if not self._finished:
            self.fail(
                ScoringError(
                    f"No route {self.request.path!r}: POST /invocations (or "
                    "/<version|stage|alias>/invocations), GET /ping, /health, /version.",
                    status=404,
                    error_code="RESOURCE_DOES_NOT_EXIST",
                )
            )


@web.stream_request_body
class InvocationsHandler(_Base):
    """``POST /invocations`` (the process's default ref) or ``POST /<ref>/invocations``."""

    def prepare(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._too_large = False
        super().prepare()
        if self._finished:
            return
        length = self.request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.state.max_body_bytes:
            self._too_large = True
            if int(length) > self.state.hard_cap:
                self._refuse_size()
                return
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):
            connection.set_max_body_size(self.state.hard_cap)

    def data_received(self, chunk: bytes) -> None:
        if self._too_large:
            return
        self._size += len(chunk)
        if self._size > self.state.max_body_bytes:
            self._too_large = True
            self._chunks.clear()
        else:
            self._chunks.append(chunk)

    def _refuse_size(self) -> None:
        limit = self.state.max_body_bytes / (1024 * 1024)
        self.fail(
            ScoringError(
                f"The request body is larger than {limit:g} MB, the limit of this endpoint. "
                "Send fewer rows per request.",
                status=413,
                error_code="REQUEST_TOO_LARGE",
            )
        )

    async def post(self, ref: str | None = None) -> None:
        if self._too_large:
            self._refuse_size()
            return
        ref = self.fixed_ref if self.fixed_ref is not None else ref
        if ref is None:
            self.fail(
                ScoringError(
                    "This process serves a registered model's versions: POST to "
                    "/<version|stage|alias>/invocations.",
                    status=404,
                    error_code="RESOURCE_DOES_NOT_EXIST",
                )
            )
            return
        state, loop = self.state, IOLoop.current()
        route = state.table.cached(ref)
        if route is None:
            route = await loop.run_in_executor(state.executor, state.table.route, ref)
        if route.status != 200:
            code = "RESOURCE_DOES_NOT_EXIST" if route.status == 404 else "TEMPORARILY_UNAVAILABLE"
            self.fail(ScoringError(route.error or "Not available.", route.status, code))
            return
        body = b"".join(self._chunks)
        self._chunks = []
        try:
            text, predict_ms = await loop.run_in_executor(
                state.executor, score, route, body, self.request.headers.get("Content-Type")
            )
        except ScoringError as err:
            self.fail(err)
            return
        if route.version is not None:
            self.set_header("X-Labtrack-Model-Version", str(route.version))
        self.set_header("Server-Timing", f"predict;dur={predict_ms:.3f}")
        self.reply(200, text)


class PingHandler(_Base):
    """``GET /ping`` and ``GET /health``: 200 when the default model answers (or there is none
    to wait for), 503 while it loads or if it cannot load."""

    def _health(self) -> tuple[int, dict[str, Any]]:
        ref = self.state.default_ref
        if ref is None:
            return 200, {"status": "ok"}
        route = self.state.table.cached(ref)
        if route is None:
            return 503, {"status": "loading"}
        if route.status != 200:
            return 503, {"status": "unavailable", "message": route.error}
        return 200, {"status": "ok", "version": route.version}

    async def get(self) -> None:
        status, body = self._health()
        self.reply(status, json.dumps({**body, "pid": os.getpid()}))


class VersionHandler(_Base):
    async def get(self) -> None:
        from labtrack import __version__

        self.set_header("Content-Type", "text/plain")
        self.finish(__version__)


class StatusHandler(_Base):
    """``GET /status``: the versions served, their stages, aliases and whether they loaded."""

    async def get(self) -> None:
        self.reply(200, json.dumps({**self.state.table.status(), "pid": os.getpid()}))


def make_app(state: ServingState, all_refs: bool) -> web.Application:
    """The tornado application; ``all_refs`` adds ``/<ref>/invocations`` and ``/status``."""
    kwargs = {"state": state}
    handlers: list[Any] = [
        (r"/ping", PingHandler, kwargs),
        (r"/health", PingHandler, kwargs),
        (r"/version", VersionHandler, kwargs),
        (r"/invocations", InvocationsHandler, {"state": state, "ref": state.default_ref}),
    ]
    if all_refs:
        handlers += [
            (r"/status", StatusHandler, kwargs),
            (rf"/{REF_PATTERN}/invocations", InvocationsHandler, kwargs),
        ]
    return web.Application(
        handlers,
        default_handler_class=NotFoundHandler,
        default_handler_args=kwargs,
    )
