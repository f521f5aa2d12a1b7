"""The OpenAPI description: valid, served, and describing exactly the routes the server mounts."""

from __future__ import annotations

import json
import re
from typing import Any

from openapi_spec_validator import validate
from tornado.web import RequestHandler

from labtrack.server.openapi import openapi_spec
from labtrack.server.routes import route_tables

VERBS = ("get", "post", "put", "patch", "delete")


def _path(prefix: str, pattern: str) -> str:
    """A route pattern as an OpenAPI path: ``(?P<name>...)`` -> ``{name}``, ``\\.`` -> ``.``."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("(?P<", i):
            end = pattern.index(">", i)
            out += "{" + pattern[i + 4 : end] + "}"
            depth, i = 0, end
            while True:  # skip to the group's closing parenthesis
                depth += {"(": 1, ")": -1}.get(pattern[i], 0)
                if pattern[i] == ")" and depth < 0:
                    break
                i += 1
            i += 1
            continue
        out += pattern[i + 1] if pattern[i] == "\\" else pattern[i]
        i += 2 if pattern[i] == "\\" else 1
    return f"/{prefix}/{out}"


def _verbs(handler: type[RequestHandler]) -> set[str]:
    return {v for v in VERBS if getattr(handler, v) is not getattr(RequestHandler, v)}


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def mounted() -> dict[str, set[str]]:
    """Every mounted path (OpenAPI form) -> the verbs its handler implements."""
    return {
        _path(prefix, pattern): _verbs(handler)
        for prefix, table in route_tables()
        for pattern, handler in table
    }


def test_the_description_is_valid_openapi() -> None:
    spec = openapi_spec()
    validate(spec)  # raises with the offending part of the document
    assert spec["openapi"].startswith("3.")


def test_pattern_conversion() -> None:
    assert _path("p", r"runs/(?P<run_id>[^/]+)/metrics/(?P<key>.+)") == (
        "/p/runs/{run_id}/metrics/{key}"
    )
    assert _path("p", r"runs\.csv") == "/p/runs.csv"


def test_every_route_is_described_and_nothing_else() -> None:
    spec = openapi_spec()
    described = {
        path: {verb for verb in item if verb in VERBS} for path, item in spec["paths"].items()
    }

    routes = mounted()

    missing = sorted(set(routes) - set(described))
    extra = sorted(set(described) - set(routes))
    assert not missing, f"routes without a description in openapi.yaml: {missing}"
    assert not extra, f"openapi.yaml describes routes that do not exist: {extra}"
    for path, verbs in routes.items():
        assert described[path] == verbs, f"{path}: handler has {verbs}, described {described[path]}"


def test_every_operation_documents_errors_and_auth() -> None:
    spec = openapi_spec()
    for path, item in spec["paths"].items():
        for verb in VERBS:
            if verb not in item:
                continue
            responses = item[verb]["responses"]
            assert {"401", "403"} <= set(responses), f"{verb} {path}: no 401/403"
            codes = set(responses) - {"401", "403"}
            assert any(code.startswith("2") for code in codes), f"{verb} {path}: no success"
            if path.endswith("openapi.json"):
                continue
            assert "400" in codes, f"{verb} {path}: no 400 (every route can refuse input)"
            params = [
                _resolve(spec, p)
                for p in item.get("parameters", []) + item[verb].get("parameters", [])
            ]
            in_path = {p["name"] for p in params if p["in"] == "path"}
            assert in_path == set(re.findall(r"{(\w+)}", path)), f"{verb} {path}: {in_path}"


async def test_the_description_is_served_with_the_base_url(jp_fetch: Any, jp_base_url: str) -> None:
    response = await jp_fetch("labtrack", "api", "openapi.json")

    assert response.code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    served = json.loads(response.body)
    assert served["servers"] == [{"url": jp_base_url}]
    assert served["paths"] == openapi_spec()["paths"]
