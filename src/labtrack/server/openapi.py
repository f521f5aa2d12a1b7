"""The OpenAPI description of the REST API (``openapi.yaml`` beside this module) and its route.

``GET openapi.json`` serves it with ``servers`` set to the server's base URL, so a client
(or a generated one) finds the routes under any base URL.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.server.base import LabtrackHandler

__all__ = ["OpenApiHandler", "openapi_spec"]


@cache
def _load() -> dict[str, Any]:
    text = files("labtrack.server").joinpath("openapi.yaml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


def openapi_spec(base_url: str = "/") -> dict[str, Any]:
    """The description as a dict (a copy), with its server at ``base_url``."""
    spec = copy.deepcopy(_load())
    spec["servers"] = [{"url": base_url}]
    return spec


class OpenApiHandler(LabtrackHandler):
    """``GET openapi.json``: the OpenAPI 3.1 description of every labtrack route."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json(openapi_spec(self.base_url))
