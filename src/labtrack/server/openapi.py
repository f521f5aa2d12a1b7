"""The OpenAPI description of the REST API (``openapi.yaml`` beside this module) and its route.

MLflow's protocol is described in ``mlflow/openapi.yaml``, merged in here: its paths and
components join the rest, and each ``/labtrack/mlflow/api/<version>/mlflow/`` path gets its
``ajax-api`` twin (same operation, ``Ajax`` appended to its id), as the server mounts both.
``GET openapi.json`` serves the whole with ``servers`` set to the server's base URL, so a
client (or a generated one) finds the routes under any base URL.
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


_MLFLOW_API = "/labtrack/mlflow/api/"


def _read(package: str) -> dict[str, Any]:
    text = files(package).joinpath("openapi.yaml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


def _ajax_twin(item: dict[str, Any]) -> dict[str, Any]:
    twin = copy.deepcopy(item)
    for operation in twin.values():
        if isinstance(operation, dict) and "operationId" in operation:
            operation["operationId"] += "Ajax"
    return twin


def _merge(spec: dict[str, Any], part: dict[str, Any]) -> None:
    """Add ``part``'s paths (with their ajax-api twins) and components to ``spec``."""
    for path, item in part["paths"].items():
        spec["paths"][path] = item
        if path.startswith(_MLFLOW_API) and "/mlflow/" in path[len(_MLFLOW_API) :]:
            twin = "/labtrack/mlflow/ajax-api/" + path[len(_MLFLOW_API) :]
            spec["paths"][twin] = _ajax_twin(item)
    for kind, entries in part.get("components", {}).items():
        known = spec["components"].setdefault(kind, {})
        clash = set(known) & set(entries)
        if clash:
            raise ValueError(f"openapi.yaml files both define components.{kind}: {clash}")
        known.update(entries)


def _refuse_large_bodies(spec: dict[str, Any]) -> None:
    """Every operation that takes a body may answer 413 (the limit every labtrack handler
    checks before reading a body), without repeating it in each one in ``openapi.yaml``.
    MLflow's protocol has no 413: its routes say 400 ``INVALID_PARAMETER_VALUE`` instead."""
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation["responses"].setdefault(
                    "413", {"$ref": "#/components/responses/TooLarge"}
                )


@cache
def _load() -> dict[str, Any]:
    spec = _read("labtrack.server")
    _refuse_large_bodies(spec)
    _merge(spec, _read("labtrack.server.mlflow"))
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
