"""The base of every labtrack API handler: authorization resource, JSON I/O, error mapping."""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.base.handlers import APIHandler

from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.server.settings import Labtrack

__all__ = ["LabtrackHandler"]


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

    def write_json(self, payload: Any, status: int = 200) -> None:
        """Send ``payload`` as the JSON response body and finish the request."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    def read_json(self) -> dict[str, Any]:
        """The request body as a JSON object; a 400 error if it is anything else."""
        try:
            body = json.loads(self.request.body or b"{}")
        except ValueError as err:
            raise InvalidParameterError(f"The request body is not valid JSON: {err}") from None
        if not isinstance(body, dict):
            raise InvalidParameterError("The request body must be a JSON object.")
        return body

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        err = exc_info[1] if exc_info else None
        if isinstance(err, LabtrackError):
            self.set_status(err.http_status)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(err.to_dict()))
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
                value.message,
            )
            return
        super().log_exception(typ, value, tb)
