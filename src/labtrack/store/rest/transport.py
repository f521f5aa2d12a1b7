"""HTTP to a labtrack server: keep-alive connections, the token, retries with backoff.

The standard library's ``http.client`` is enough here (one connection per thread, reused), so
the REST store adds no dependency and a kernel that logs to a server imports nothing heavy.

What is retried: a connection that cannot be made or is lost, a read that times out, and the
answers that mean "not now" (408, 429, 502, 503, 504), with exponential backoff (0.25 s
doubling, at most 8 s between attempts, ``Retry-After`` honoured) for up to
``LABTRACK_HTTP_RETRY_SECONDS`` (60 s by default). Every request carries an
``X-Labtrack-Request-Id`` that stays the same across its retries, so the server can answer a
retried write once (see ``server/store_rpc.py``). After the budget, a ``StoreError`` says which
server could not be reached and why. Any other answer is final.

The token comes from the caller, else ``LABTRACK_TRACKING_TOKEN``, ``MLFLOW_TRACKING_TOKEN``,
then ``JUPYTERHUB_API_TOKEN``; it is sent as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import ssl
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from labtrack.errors import StoreError
from labtrack.utils.version import __version__

__all__ = ["TOKEN_ENV_VARS", "Response", "Transport", "token_from_env", "transport_for"]

TOKEN_ENV_VARS = ("LABTRACK_TRACKING_TOKEN", "MLFLOW_TRACKING_TOKEN", "JUPYTERHUB_API_TOKEN")
RETRY_STATUSES = frozenset((408, 429, 502, 503, 504))
DEFAULT_RETRY_SECONDS = 60.0
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 300.0
_FIRST_DELAY, _MAX_DELAY = 0.25, 8.0


def token_from_env() -> str | None:
    """The first token set in the environment (see the module docstring)."""
    for name in TOKEN_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def _retry_budget() -> float:
    raw = os.environ.get("LABTRACK_HTTP_RETRY_SECONDS", "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_RETRY_SECONDS
    except ValueError:
        return DEFAULT_RETRY_SECONDS


@dataclass
class Response:
    """A final answer: its status, headers and body (``stream`` when asked for one)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    stream: http.client.HTTPResponse | None = None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


class _Retry(Exception):
    def __init__(self, why: str, delay: float | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.delay = delay


class Transport:
    """Requests to one server (``base_url`` is the Jupyter base URL, ending in ``/``)."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.path = parts.path if parts.path.endswith("/") else parts.path + "/"
        self.token = token or token_from_env()
        self._local = threading.local()

    # -- connections -----------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            if self.scheme == "https":
                conn = http.client.HTTPSConnection(
                    self.host,
                    self.port,
                    timeout=CONNECT_TIMEOUT,
                    context=ssl.create_default_context(),
                )
            else:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=CONNECT_TIMEOUT)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        out = {"User-Agent": f"labtrack/{__version__}", "Accept": "application/json"}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        out.update(extra or {})
        return out

    # -- requests --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        body: bytes | IO[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> Response:
        """Send ``method path`` (``path`` below the base URL, with its query) until a final
        answer, retrying what is worth retrying (see the module docstring)."""
        url = self.path + path.lstrip("/")
        sent = self.headers({"X-Labtrack-Request-Id": uuid.uuid4().hex, **(headers or {})})
        start = body.tell() if body is not None and not isinstance(body, bytes) else None
        deadline = time.monotonic() + _retry_budget()
        attempt = 0
        while True:
            try:
                if start is not None:
                    body.seek(start)  # type: ignore[union-attr]
                return self._once(method, url, body, sent, stream)
            except _Retry as retry:
                attempt += 1
                delay = retry.delay
                if delay is None:
                    delay = min(_MAX_DELAY, _FIRST_DELAY * 2 ** (attempt - 1))
                    delay *= 0.5 + random.random() / 2  # spread retries of many clients
                if time.monotonic() + delay > deadline:
                    raise StoreError(
                        f"Could not reach the labtrack server at {self.base_url} "
                        f"({attempt} attempts over {_retry_budget():.0f} s; last: {retry.why}). "
                        "Check that it is running and reachable; the token is read from "
                        "LABTRACK_TRACKING_TOKEN or MLFLOW_TRACKING_TOKEN. Set "
                        "LABTRACK_HTTP_RETRY_SECONDS to wait longer."
                    ) from None
                time.sleep(delay)

    def _once(
        self,
        method: str,
        url: str,
        body: bytes | IO[bytes] | None,
        headers: dict[str, str],
        stream: bool,
    ) -> Response:
        conn = self._connection()
        try:
            conn.timeout = CONNECT_TIMEOUT
            if conn.sock is None:
                conn.connect()
            assert conn.sock is not None
            conn.sock.settimeout(READ_TIMEOUT)
            conn.request(method, url, body=body, headers=headers)
            answer = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise _Retry(_describe(exc)) from None
        status = answer.status
        if status in RETRY_STATUSES:
            answer.read()
            raise _Retry(f"HTTP {status}", _retry_after(answer.getheader("Retry-After")))
        if stream and status == 200:
            # The connection now belongs to the caller until the stream is read.
            self._local.conn = None
            return Response(status, dict(answer.getheaders()), b"", answer)
        try:
            data = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self._drop()
            raise _Retry(_describe(exc)) from None
        if answer.will_close:
            self._drop()
        return Response(status, dict(answer.getheaders()), data)

    def close(self) -> None:
        self._drop()


_transports: weakref.WeakValueDictionary[str, Transport] = weakref.WeakValueDictionary()


def transport_for(base_url: str) -> Transport:
    """The transport in use for ``base_url`` (a REST store's: its token, its connections),
    else a new one with the token from the environment."""
    found = _transports.get(base_url)
    if found is None:
        found = Transport(base_url)
        _transports[base_url] = found
    return found


def register(transport: Transport) -> None:
    """Make ``transport`` the one :func:`transport_for` gives for its server."""
    _transports[transport.base_url] = transport


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return min(_MAX_DELAY * 4, max(0.0, float(value)))
    except ValueError:
        return None
