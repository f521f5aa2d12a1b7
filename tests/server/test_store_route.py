"""``GET labtrack/api/store`` and the authentication every labtrack route requires."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError
from tornado.routing import PathMatches, Rule
from tornado.web import RequestHandler

from labtrack.server.routes import API_PREFIX, SERVING_PREFIX

# Every prefix labtrack mounts routes under: the API and the model serving endpoints.
PREFIXES = (API_PREFIX, SERVING_PREFIX)


async def test_store_reports_the_default_home(jp_fetch: Any, labtrack_home: Path) -> None:
    response = await jp_fetch("labtrack", "api", "store")

    assert response.code == 200
    assert json.loads(response.body) == {
        "tracking_uri": f"sqlite:///{labtrack_home.resolve() / 'labtrack.db'}",
        "artifact_root": str(labtrack_home.resolve() / "artifacts"),
    }


async def test_store_follows_the_environment(
    jp_fetch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABTRACK_TRACKING_URI", f"sqlite:///{tmp_path}/other.db")
    monkeypatch.setenv("LABTRACK_ARTIFACT_ROOT", "s3://bucket/prefix")

    body = json.loads((await jp_fetch("labtrack", "api", "store")).body)

    assert body == {
        "tracking_uri": f"sqlite:///{tmp_path}/other.db",
        "artifact_root": "s3://bucket/prefix",
    }


@pytest.mark.parametrize(
    "labtrack_config",
    [
        {
            "tracking_uri": "postgresql+psycopg://lab:s3cr%40t@db.internal:5432/labtrack",
            "artifact_root": "s3://runs/artifacts",
        }
    ],
)
async def test_store_from_server_config_masks_the_password(jp_fetch: Any) -> None:
    body = json.loads((await jp_fetch("labtrack", "api", "store")).body)

    assert body == {
        "tracking_uri": "postgresql+psycopg://lab:***@db.internal:5432/labtrack",
        "artifact_root": "s3://runs/artifacts",
    }
    assert "s3cr" not in json.dumps(body)


@pytest.mark.parametrize("labtrack_config", [{"tracking_uri": "ftp://nowhere/store"}])
async def test_misconfigured_store_is_a_json_error(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("labtrack", "api", "store")

    assert caught.value.code == 400
    assert caught.value.response is not None
    body = json.loads(caught.value.response.body)
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "ftp://nowhere/store" in body["message"]


# -- every route refuses a request without a token -------------------------------------------

_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _rules(rules: list[Rule]) -> Iterator[Rule]:
    for rule in rules:
        nested = getattr(rule.target, "rules", None)
        if nested is not None:
            yield from _rules(nested)
        else:
            yield rule


def _example_path(matcher: PathMatches) -> str:
    """A concrete path for a route pattern, with a dummy value in every group."""
    pattern = matcher.regex.pattern.rstrip("$")
    groups = matcher.regex.groups
    try:
        return matcher.reverse(*(["x1"] * groups))
    except (ValueError, AssertionError, TypeError):
        # Unreversible pattern: replace each group, innermost first, by a dummy segment.
        while "(" in pattern:
            pattern = re.sub(r"\([^()]*\)", "x1", pattern)
        return pattern.replace("\\", "")


def _labtrack_routes(web_app: Any) -> list[tuple[str, type[RequestHandler]]]:
    routes = []
    for rule in _rules(web_app.default_router.rules + web_app.wildcard_router.rules):
        matcher = rule.matcher
        if not isinstance(matcher, PathMatches) or not any(
            f"/{prefix}/" in matcher.regex.pattern for prefix in PREFIXES
        ):
            continue
        routes.append((_example_path(matcher), rule.target))
    return routes


def _verbs(handler: type[RequestHandler]) -> list[str]:
    return [
        verb
        for verb in _VERBS
        if getattr(handler, verb.lower()) is not getattr(RequestHandler, verb.lower())
    ]


async def test_routes_live_under_the_base_url(jp_web_app: Any, jp_base_url: str) -> None:
    paths = [path for path, _ in _labtrack_routes(jp_web_app)]

    assert f"{jp_base_url}{API_PREFIX}/store" in paths
    assert f"{jp_base_url}{SERVING_PREFIX}/x1/x1/invocations" in paths
    assert all(
        any(path.startswith(f"{jp_base_url}{prefix}/") for prefix in PREFIXES) for path in paths
    )


async def test_every_labtrack_route_refuses_requests_without_a_token(
    jp_web_app: Any, http_server_client: Any
) -> None:
    routes = _labtrack_routes(jp_web_app)
    assert routes, "no labtrack route is registered"
    checked = []
    for path, handler in routes:
        verbs = _verbs(handler)
        assert verbs, f"{handler.__name__} implements no HTTP verb"
        for verb in verbs:
            body = b"{}" if verb in ("POST", "PUT", "PATCH") else None
            response = await http_server_client.fetch(
                path, method=verb, body=body, raise_error=False, follow_redirects=False
            )
            assert response.code in (401, 403), (
                f"{verb} {path} answered {response.code} without a token"
            )
            checked.append(f"{verb} {path}")
    assert checked
