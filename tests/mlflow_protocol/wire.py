"""Raw HTTP for the in-process protocol tests: exact paths, bodies and headers, errors as values.

pytest-jupyter's ``jp_fetch`` escapes each path part, which the traversal tests must not
have: :func:`fetch` sends the path exactly as given (below the server's base URL).
"""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPClientError, HTTPResponse

MLFLOW = "labtrack/mlflow/api/2.0/mlflow/"
ARTIFACTS = "labtrack/mlflow/api/2.0/mlflow-artifacts/"


class Fetch:
    """Requests to the test server: ``await fetch("POST", MLFLOW + "runs/create", {...})``."""

    def __init__(self, client: Any, base_url: str, auth: dict[str, str]) -> None:
        self.client, self.base_url, self.auth = client, base_url, auth

    async def raw(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        token: bool = True,
    ) -> HTTPResponse:
        sent = dict(headers or {})
        if token:
            sent.update(self.auth)
        try:
            return await self.client.fetch(
                f"{self.base_url}{path}",
                method=method,
                body=body,
                headers=sent,
                request_timeout=60,
                allow_nonstandard_methods=True,
            )
        except HTTPClientError as err:
            assert err.response is not None, err
            return err.response

    async def __call__(
        self, method: str, route: str, body: Any = None, token: bool = True, **query: Any
    ) -> tuple[int, Any]:
        """A JSON request (POST/PUT/PATCH/DELETE bodies are JSON); (status, decoded body)."""
        path = route
        if query:
            from urllib.parse import urlencode

            path += "?" + urlencode(query, doseq=True)
        data = None if body is None else json.dumps(body)
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if data is None and method in ("POST", "PUT", "PATCH"):
            data, headers = "{}", {"Content-Type": "application/json"}
        answer = await self.raw(method, path, data, headers, token)
        text = answer.body.decode() if answer.body else ""
        try:
            return answer.code, json.loads(text) if text else None
        except ValueError:
            return answer.code, text
