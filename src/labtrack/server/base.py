"""The base of every labtrack API handler: authorization resource, JSON I/O, error mapping,
and the request body limit, enforced while the body arrives rather than once it is in memory."""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable, Iterable
from functools import partial
from typing import IO, Any, TypeVar

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.ioloop import IOLoop

from labtrack.errors import InvalidParameterError, LabtrackError, ResourceNotFoundError
from labtrack.server.identity import Caller, caller_of
from labtrack.server.lingering import linger_on_close
from labtrack.server.permissions import Guard
from labtrack.server.permissions_store import GuardedStore, guarded_client
from labtrack.server.settings import Labtrack
from labtrack.tracking.client import TrackingClient
from labtrack.utils import validation
from labtrack.utils.json_body import parse_json
from labtrack.utils.redact import redact

__all__ = ["LabtrackHandler", "RequestTooLargeError", "encode_json"]

T = TypeVar("T")
MAX_BODY_BYTES = 20 * 1024 * 1024
CHUNK = 256 * 1024
# A body over the limit by at most this much is read and dropped, so a client that sends the
# whole body before reading the reply still gets the 413 (a server that closes a socket with
# unread data makes the kernel send a reset, which loses the reply); a larger one is refused as
# soon as its headers (or the chunks past this allowance) arrive, and the connection closed.
DRAIN_BYTES = 64 * 1024 * 1024
# Tornado's own cap would answer a bare "400 Bad Request" after our 413 on the same socket:
# the limit of each handler (max_body_bytes) is the only one that applies.
_NO_TORNADO_CAP = 1 << 62


def encode_json(payload: Any) -> bytes:
    """``payload`` as the bytes of a JSON reply, the same bytes as ``json.dumps``.

    Objects and long lists near the top are encoded an item at a time: the C encoder keeps
    the GIL for a whole call, so one call over a 100,000-cell notebook would stop every other
    thread (the event loop included) for seconds even on a worker thread; between small calls
    the event loop gets its turns.
    """
    parts: list[str] = []
    _encode(payload, parts, SPLIT_DEPTH)
    return "".join(parts).encode()


SPLIT_DEPTH = 4


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth and isinstance(value, dict) and all(isinstance(k, str) for k in value):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(f"{', ' if i else ''}{json.dumps(key)}: ")
            _encode(item, out, depth - 1)
        out.append("}")
    elif depth and isinstance(value, list) and len(value) > 64:
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(", ")
            _encode(item, out, depth - 1)
        out.append("]")
    else:
        out.append(json.dumps(value))


class RequestTooLargeError(LabtrackError):
    """A request body larger than the route takes (HTTP 413)."""

    error_code = "REQUEST_TOO_LARGE"
    http_status = 413


@web.stream_request_body
class LabtrackHandler(APIHandler):
    """An API handler under ``<base_url>labtrack/api/``.

    Subclasses decorate every verb with ``@web.authenticated`` and ``@authorized``; the
    authorizer sees the resource ``labtrack``. A :class:`~labtrack.errors.LabtrackError`
    raised by a verb becomes ``{"error_code", "message"}`` with the error's HTTP status, here
    and nowhere else.

    Bodies are streamed (``@web.stream_request_body``) so their size is checked before they
    are read: a declared ``Content-Length`` over ``max_body_bytes`` (plus ``DRAIN_BYTES``) is
    a 413 before any byte of the body is read; chunks past the limit are dropped, not kept.
    Read the body with :meth:`request_body` (or :meth:`read_json`), never ``request.body``.
    """

    auth_resource = "labtrack"
    #: The largest body a route takes; the artifact upload routes raise it (and stream to disk).
    max_body_bytes = MAX_BODY_BYTES
    _body_chunks: list[bytes]
    _body_size = 0
    _body_too_large = False

    async def prepare(self) -> None:  # type: ignore[override]
        self._body_chunks = []
        await super().prepare()
        set_max = getattr(self.request.connection, "set_max_body_size", None)
        if set_max is not None:
            set_max(_NO_TORNADO_CAP)
        declared = self.request.headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit():
            size = int(declared)
            if size > self.max_body_bytes + DRAIN_BYTES:
                linger_on_close(self.request.connection)
                raise self._too_large()
            self._body_too_large = size > self.max_body_bytes

    def data_received(self, chunk: bytes) -> None:
        if self.count_body(chunk):
            self._body_chunks.append(chunk)

    def count_body(self, chunk: bytes) -> bool:
        """Count a chunk of the body: True to keep it, False once the body is over the limit
        (then it is dropped, and past ``DRAIN_BYTES`` more the 413 is sent at once)."""
        if self._finished:
            return False
        self._body_size += len(chunk)
        if self._body_size <= self.max_body_bytes:
            return True
        self._body_too_large = True
        self._body_chunks.clear()
        if self._body_size > self.max_body_bytes + DRAIN_BYTES:
            err = self._too_large()
            linger_on_close(self.request.connection)  # the client is still sending
            self.send_error(err.http_status, exc_info=(type(err), err, None))
        return False

    def _too_large(self) -> RequestTooLargeError:
        limit = self.max_body_bytes / (1024 * 1024)
        return RequestTooLargeError(
            f"The request body is larger than {limit:g} MB, the limit of this route. Send less "
            "per request (split a batch; upload big files as artifacts)."
        )

    def request_body(self) -> bytes:
        """The whole request body; :class:`RequestTooLargeError` (a 413) if it was over the
        limit (its bytes were not kept)."""
        if self._body_too_large:
            raise self._too_large()
        if self._body_chunks:
            self.request.body = b"".join(self._body_chunks)
            self._body_chunks = []
        return self.request.body or b""

    def initialize(self, labtrack: Labtrack) -> None:
        self.labtrack = labtrack

    @property
    def client(self) -> TrackingClient:
        """The client over the store this server reads (one per server); in team mode, one
        per request whose store checks each call against the caller's permissions
        (:mod:`labtrack.server.permissions_store`)."""
        if not self.labtrack.permissions:
            return self.labtrack.client()
        guarded = getattr(self, "_guarded_client", None)
        if guarded is None:
            guarded = self._guarded_client = guarded_client(self.labtrack, self.caller)
        return guarded

    @property
    def caller(self) -> Caller:
        """Who is calling (:mod:`labtrack.server.identity`)."""
        return caller_of(self)

    @property
    def guard(self) -> Guard | None:
        """The caller's permission checks; None when permissions are off."""
        store = self.client.store
        return store.guard if isinstance(store, GuardedStore) else None

    async def require(self, kind: str, resource_id: str, needed: str) -> None:
        """Team mode: PermissionDeniedError (403) unless the caller has ``needed`` on the
        resource (for what no store method checks, such as serving); nothing otherwise."""
        guard = self.guard
        if guard is not None:
            await self.call(guard.require, kind, [resource_id], needed)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking store call on a worker thread, so the server never waits on SQL."""
        return await IOLoop.current().run_in_executor(None, partial(fn, *args, **kwargs))

    def _check_raw(self, name: str) -> None:
        # Tornado silently strips control characters from arguments; refuse them instead, so
        # what reaches the store is exactly what was sent.
        for raw in self.request.query_arguments.get(name, []):
            if b"\x00" in raw:
                raise InvalidParameterError(f"The query argument {name!r} contains a NUL byte.")
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidParameterError(
                    f"The query argument {name!r} is not valid UTF-8."
                ) from None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """A query argument; NUL bytes and invalid UTF-8 are refused (a 400), not stripped."""
        self._check_raw(name)
        return self.get_query_argument(name, default)

    def list_arg(self, name: str) -> list[str]:
        """A comma-separated (or repeated) query argument as a list."""
        self._check_raw(name)
        out: list[str] = []
        for raw in self.get_query_arguments(name):
            out += [part.strip() for part in raw.split(",") if part.strip()]
        return out

    def int_arg(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidParameterError(f"{name} must be an integer; got {raw!r}.") from None
        if not lo <= value <= hi:
            raise InvalidParameterError(f"{name} must be between {lo} and {hi}; got {value}.")
        return value

    def tags_arg(self, body: dict[str, Any], key: str = "tags") -> dict[str, Any]:
        """``body[key]`` as tags (an object of name -> value); absent or null is none.

        Every key and value is checked here, before the route writes anything, so a request
        with one bad tag changes nothing (not even the name or description it also sent).
        """
        tags = body.get(key) or {}
        if not isinstance(tags, dict):
            raise InvalidParameterError(f"{key} must be an object of name -> value.")
        for name, value in tags.items():
            validation.validate_key(name, "tag key")
            if value is not None and not isinstance(value, str):
                # Turning 1.0 into "1.0" (or true into "True") silently would store a value
                # the client did not send; MLflow's tags are strings.
                raise InvalidParameterError(
                    f"The value of tag {name!r} must be a string, got {type(value).__name__} "
                    f'{json.dumps(value)[:40]}; send it quoted ("{name}": "...").'
                )
            validation.tag_value(name, "" if value is None else value)
        return tags

    def delete_tags_arg(self, body: dict[str, Any], existing: Iterable[str]) -> list[str]:
        """``body["delete_tags"]``: tag names, each of which must be one of ``existing``."""
        keys = body.get("delete_tags") or []
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise InvalidParameterError("delete_tags must be a list of tag names.")
        missing = sorted(set(keys) - set(existing))
        if missing:
            raise ResourceNotFoundError(
                f"No tag(s) {missing} to delete; nothing was changed. Send only names of tags "
                "that are set."
            )
        return keys

    def write_json(self, payload: Any, status: int = 200) -> None:
        """Send ``payload`` as the JSON response body and finish the request."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    async def send_json(self, payload: Any, status: int = 200) -> None:
        """:meth:`write_json` for replies that can be big (a notebook diff, a page of 10,000
        runs, a metric's 100,000 points): encoded on a worker thread and sent a chunk at a
        time, so the event loop serves other requests meanwhile (encoding a 100,000-cell
        notebook diff takes seconds)."""
        body = await self.call(encode_json, payload)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        for start in range(0, len(body), CHUNK):
            self.write(body[start : start + CHUNK])
            await self.flush()
        await self.finish()

    def read_json(self) -> dict[str, Any]:
        """The request body as a JSON object; a 400 error if it is anything else (including
        JSON nested too deep or holding lone surrogates: see :func:`parse_json`), a 413 if it
        is over the limit."""
        body = parse_json(self.request_body() or b"{}")
        if not isinstance(body, dict):
            raise InvalidParameterError("The request body must be a JSON object.")
        return body

    async def send_file(self, handle: IO[bytes], content_type: str) -> None:
        """Stream an open file as the response body, a chunk at a time, and close it."""
        try:
            while True:
                chunk = await self.call(handle.read, CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        finally:
            handle.close()
        await self.finish(set_content_type=content_type)  # an empty file's headers go here

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        err = exc_info[1] if exc_info else None
        if isinstance(err, LabtrackError):
            self.set_status(err.http_status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({**err.to_dict(), "message": redact(err.message)}))
            return
        if exc_info and not isinstance(err, web.HTTPError):
            # Jupyter's own reply would send the traceback, which may quote a store URI. An
            # HTTPError (authentication, a refused verb) is Jupyter's: its message is the reply.
            self.set_header("Content-Type", "application/json")
            self.finish(
                json.dumps(
                    {
                        "message": "Unhandled error",
                        "reason": None,
                        "traceback": redact("".join(traceback.format_exception(*exc_info))),
                    }
                )
            )
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # A LabtrackError is a reply to the client, not a server fault: one line, no traceback.
        if isinstance(value, LabtrackError):
            self.log.warning(
                "labtrack: %s %s -> %s %s: %s",
                self.request.method,
                self.request.path,
                value.http_status,
                value.error_code,
                redact(value.message),
            )
            return
        if isinstance(value, web.HTTPError):
            super().log_exception(typ, value, tb)
            return
        # Tornado's own log line would carry the traceback, which may quote a store URI.
        self.log.error(
            "labtrack: uncaught exception in %s %s\n%s",
            self.request.method,
            self.request.path,
            redact("".join(traceback.format_exception(typ, value, tb))),
        )
