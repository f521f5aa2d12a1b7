"""Hostile input to the REST API: every bad body or argument is a clear 400 and writes nothing;
writes with a browser's login cookie need Jupyter's XSRF token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api


def names(labtrack_home) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.name for e in TrackingClient(str(labtrack_home)).search_experiments()]


async def test_nul_bytes_in_query_arguments_are_refused(jp_fetch: Any, labtrack_home) -> None:
    code, body = await api(jp_fetch, "GET", "runs", experiment_id="0", filter="params.a = 'x\x00'")
    assert code == 400 and "NUL" in body["message"]


async def test_nul_and_overlong_names_write_nothing(jp_fetch: Any, labtrack_home) -> None:
    code, body = await api(jp_fetch, "POST", "experiments", {"name": "bad\x00name"})
    assert code == 400
    code, body = await api(jp_fetch, "POST", "experiments", {"name": "x" * 600})
    assert code == 400 and "500" in body["message"]
    assert names(labtrack_home) == ["Default"]


async def test_invalid_utf8_body_is_a_400(jp_fetch: Any, labtrack_home) -> None:
    code, body = await api(jp_fetch, "POST", "experiments", b'{"name": "\xff\xfe"}')
    assert code == 400
    assert names(labtrack_home) == ["Default"]


async def test_huge_json_body_is_refused_with_the_limit(jp_fetch: Any, labtrack_home) -> None:
    big = json.dumps({"name": "x", "tags": {"t": "y" * (21 * 1024 * 1024)}})
    code, body = await api(jp_fetch, "POST", "experiments", big)
    assert code == 413 and "larger than 20 MB" in body["message"]
    assert names(labtrack_home) == ["Default"]


@pytest.mark.parametrize("body", ["[]", "42", '"name"', "{", ""])
async def test_bodies_that_are_not_objects(jp_fetch: Any, labtrack_home, body: str) -> None:
    code, reply = await api(jp_fetch, "POST", "experiments", body or " ")
    assert code == 400, reply


async def test_script_in_a_name_is_stored_as_text(jp_fetch: Any, labtrack_home) -> None:
    evil = "<img src=x onerror=alert(1)>"
    code, body = await api(jp_fetch, "POST", "experiments", {"name": evil})
    assert code == 201 and body["name"] == evil
    response = await jp_fetch("labtrack", "api", "experiments")
    assert response.headers["Content-Type"].startswith("application/json")


async def test_writes_with_a_login_cookie_need_the_xsrf_token(
    jp_serverapp: Any, jp_base_url: str, http_server_client: Any, labtrack_home
) -> None:
    from urllib.parse import urlencode

    base = http_server_client.get_url(jp_base_url)
    http = AsyncHTTPClient()

    def cookie_header(*responses: Any) -> str:
        return "; ".join(
            c.split(";", 1)[0] for r in responses for c in r.headers.get_list("Set-Cookie")
        )

    # Log in as a browser does: the login form with the token, then only cookies.
    form = await http.fetch(f"{base}login", raise_error=False, request_timeout=20)
    first = cookie_header(form)
    xsrf = [c.split("=", 1)[1] for c in first.split("; ") if c.startswith("_xsrf=")][0]
    login = await http.fetch(
        HTTPRequest(
            f"{base}login",
            method="POST",
            follow_redirects=False,
            request_timeout=20,
            body=urlencode({"_xsrf": xsrf, "password": jp_serverapp.identity_provider.token}),
            headers={"Cookie": first},
        ),
        raise_error=False,
    )
    cookies = f"{first}; {cookie_header(login)}"
    assert "username-" in cookies
    url = f"{base}labtrack/api/experiments"
    body = json.dumps({"name": "via-cookie"})
    with pytest.raises(HTTPClientError) as refused:
        await http.fetch(
            HTTPRequest(
                url, method="POST", body=body, headers={"Cookie": cookies}, request_timeout=20
            )
        )
    assert refused.value.code == 403
    assert names(labtrack_home) == ["Default"]
    ok = await http.fetch(
        HTTPRequest(
            url,
            method="POST",
            body=body,
            request_timeout=20,
            headers={"Cookie": cookies, "X-XSRFToken": xsrf},
        )
    )
    assert ok.code == 201
    assert "via-cookie" in names(labtrack_home)
