"""The base of every MLflow-protocol handler: MLflow's request rules, replies and errors.

- Fields come from the query string for GET (and a DELETE without a body), else from the JSON
  body; POST and PUT must say ``Content-Type: application/json``, as MLflow's server requires.
- Errors are ``{"error_code", "message"}`` with MLflow's HTTP status for the code. A
  deterministic failure is never a 5xx: MLflow's clients retry every 5xx (and 429) for
  minutes, so labtrack's ``INVALID_STATE`` is MLflow's ``INVALID_PARAMETER_VALUE`` (400) and a
  duplicate name is a 400, as MLflow answers. Only a store that cannot be reached right now is
  a 503 (``TEMPORARILY_UNAVAILABLE``), which the clients rightly retry.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.server.base import MAX_BODY_BYTES, LabtrackHandler
from labtrack.server.mlflow.fields import Fields
from labtrack.server.mlflow.messages import ArtifactUris
from labtrack.utils.json_body import check_json_value, parse_json

__all__ = ["DeleteRpc", "GetRpc", "MlflowHandler", "PatchRpc", "PostRpc", "Rpc", "mlflow_error"]

# MLflow's mlflow.exceptions.ERROR_CODE_TO_HTTP_STATUS, for the codes labtrack sends.
_STATUS = {
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "RESOURCE_CONFLICT": 409,
    "REQUEST_LIMIT_EXCEEDED": 429,
    "NOT_IMPLEMENTED": 501,
    "TEMPORARILY_UNAVAILABLE": 503,
    "INTERNAL_ERROR": 500,
}
# labtrack's own codes, as the MLflow code a client knows.
_RENAMED = {
    "INVALID_STATE": "INVALID_PARAMETER_VALUE",
    "STORE_ERROR": "TEMPORARILY_UNAVAILABLE",
    "REQUEST_TOO_LARGE": "INVALID_PARAMETER_VALUE",
}
# What a bare HTTP status (authentication, unknown verb) is called in MLflow's codes.
_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    405: "BAD_REQUEST",
    413: "INVALID_PARAMETER_VALUE",
    429: "REQUEST_LIMIT_EXCEEDED",
    503: "TEMPORARILY_UNAVAILABLE",
}
_JSON_TYPES = ("application/json",)
_CONTAINERS = frozenset((dict, list))


def _shallow(body: dict[str, Any]) -> bool:
    """Whether ``body`` holds only scalars, and lists of scalars or of objects of scalars: the
    shape of MLflow's requests (a ``log-batch`` is 1,000 such objects), three levels at most,
    so the generic depth walk over every value is not needed."""
    for value in body.values():
        kind = type(value)
        if kind is dict:
            return False
        if kind is list:
            for item in value:
                kind = type(item)
                if kind is dict:
                    if not _CONTAINERS.isdisjoint(map(type, item.values())):
                        return False
                elif kind is list:
                    return False
    return True


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def mlflow_error(err: LabtrackError) -> tuple[int, dict[str, str]]:
    """(HTTP status, body) of a labtrack error in MLflow's terms."""
    code = _RENAMED.get(err.error_code, err.error_code)
    status = _STATUS.get(code)
    if status is None:  # a code MLflow's clients do not know: say what kind of failure it is
        code = "INVALID_PARAMETER_VALUE" if 400 <= err.http_status < 500 else "INTERNAL_ERROR"
        status = _STATUS[code]
    return status, {"error_code": code, "message": err.message}


class MlflowHandler(LabtrackHandler):
    """A handler of MLflow's REST protocol under ``<base_url>labtrack/mlflow/``."""

    @property
    def uris(self) -> ArtifactUris:
        """Store locations <-> the ``mlflow-artifacts:/`` URIs clients see."""
        return ArtifactUris(self.labtrack.location().artifact_root)

    def _query(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name in self.request.query_arguments:
            self._check_raw(name)
            out[name] = self.get_query_arguments(name, strip=False)
        return out

    def fields(self) -> Fields:
        """The request's fields, read by MLflow's rules (see the module docstring)."""
        method = self.request.method
        body = self.request_body()
        if method == "GET" or (method == "DELETE" and not body):
            return Fields(query=self._query())
        if method in ("POST", "PUT"):
            content_type = self.request.headers.get("Content-Type")
            if content_type is None:
                raise InvalidParameterError(
                    "Bad Request. Content-Type header is missing: send "
                    "'Content-Type: application/json'."
                )
            if content_type.split(";", 1)[0].strip().lower() not in _JSON_TYPES:
                raise InvalidParameterError(
                    "Bad Request. Content-Type must be one of ['application/json']; "
                    f"got {content_type!r}."
                )
        data = self._body_json() if body.strip() else {}
        return Fields(data)

    def _body_json(self) -> dict[str, Any]:
        """The body as a JSON object, checked as :meth:`read_json` checks it; the depth walk
        only runs on bodies of another shape than MLflow's usual flat messages."""
        body = self.request.body
        if len(body) > MAX_BODY_BYTES:
            return self.read_json()  # which says what is wrong
        data = parse_json(body, walk=False)
        if not isinstance(data, dict):
            raise InvalidParameterError("The request body must be a JSON object.")
        if not _shallow(data):
            check_json_value(data, text=False)
        return data

    def reply(self, message: dict[str, Any] | None = None) -> None:
        """Send a response message (``{}`` for the RPCs whose response has no fields)."""
        self.write_json(message or {})

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        err = exc_info[1] if exc_info else None
        if isinstance(err, LabtrackError):
            status, body = mlflow_error(err)
        else:
            # Authentication, authorization, an unknown verb, or a bug: still MLflow's shape,
            # so a client shows the reason instead of "response body was not valid JSON".
            status = status_code
            reason = getattr(err, "log_message", None) or _phrase(status_code)
            code = _BY_STATUS.get(status_code, "INTERNAL_ERROR")
            body = {"error_code": code, "message": str(reason)}
        self.clear_header("Content-Type")
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class Rpc(MlflowHandler):
    """One MLflow RPC: a subclass writes :meth:`answer`, its verb class (:class:`GetRpc`,
    :class:`PostRpc` ...) mounts it on the HTTP verb, authenticated and authorized. Groups of
    the route's pattern are in ``self.path_kwargs``."""

    async def answer(self, fields: Fields) -> dict[str, Any] | None:
        """The response message (``None`` for ``{}``)."""
        raise NotImplementedError

    async def _rpc(self) -> None:
        self.reply(await self.answer(self.fields()))


class GetRpc(Rpc):
    @web.authenticated
    @authorized
    async def get(self, **path: str) -> None:
        await self._rpc()


class PostRpc(Rpc):
    @web.authenticated
    @authorized
    async def post(self, **path: str) -> None:
        await self._rpc()


class PatchRpc(Rpc):
    @web.authenticated
    @authorized
    async def patch(self, **path: str) -> None:
        await self._rpc()


class DeleteRpc(Rpc):
    @web.authenticated
    @authorized
    async def delete(self, **path: str) -> None:
        await self._rpc()
