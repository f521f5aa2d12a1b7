"""The base of every labtrack API handler: authorization resource, JSON I/O, error mapping."""

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
from labtrack.server.permissions import Guard
from labtrack.server.permissions_store import GuardedStore, guarded_client
from labtrack.server.settings import Labtrack
from labtrack.tracking.client import TrackingClient
from labtrack.utils import validation
from labtrack.utils.json_body import parse_json
from labtrack.utils.redact import redact

__all__ = ["LabtrackHandler"]

T = TypeVar("T")
MAX_BODY_BYTES = 20 * 1024 * 1024
CHUNK = 256 * 1024


class LabtrackHandler(APIHandler):
    """An API handler under ``<base_url>labtrack/api/``.

    Subclasses decorate every verb with ``@web.authenticated`` and ``@authorized``; the
    authorizer sees the resource ``labtrack``. A :class:`~labtrack.errors.LabtrackError`
    raised by a verb becomes ``{"error_code", "message"}`` with the error's HTTP status, here
    and nowhere else.
    """

    auth_resource = "labtrack"

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

    def read_json(self) -> dict[str, Any]:
        """The request body as a JSON object; a 400 error if it is anything else (including
        JSON nested too deep or holding lone surrogates: see :func:`parse_json`)."""
        if len(self.request.body or b"") > MAX_BODY_BYTES:
            raise InvalidParameterError(
                f"The request body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB."
            )
        body = parse_json(self.request.body or b"{}")
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
