"""Helpers for handler tests: JSON requests through jp_fetch, errors as values."""

from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPClientError


async def api(jp_fetch: Any, method: str, route: str, body: Any = None, **params: Any) -> Any:
    """Call ``labtrack/api/<route>`` with query ``params``; return (status, JSON or text)."""
    kwargs: dict[str, Any] = {"method": method, "params": params}
    if body is not None:
        kwargs["body"] = json.dumps(body) if not isinstance(body, (bytes, str)) else body
    elif method in ("POST", "PUT", "PATCH"):
        kwargs["body"] = "{}"
    try:
        response = await jp_fetch("labtrack", "api", *route.split("/"), **kwargs)
    except HTTPClientError as err:
        assert err.response is not None
        return err.code, json.loads(err.response.body or b"{}")
    text = response.body.decode()
    if response.headers.get("Content-Type", "").startswith("application/json") and text:
        return response.code, json.loads(text)
    return response.code, text
