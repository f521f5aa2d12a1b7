"""A standalone model endpoint against hostile requests (issue 19, item 10).

Before: a web page could post to ``labtrack serve`` on the user's machine (form-encoded and
untyped bodies were parsed as JSON, so no CORS preflight was needed; the Host header was never
checked, so DNS rebinding let the page read the answers), each request naming a million new
columns kept ~170 MB in a cache bounded only by its count, and ``labtrack serve`` had no
authentication even on a public address. A real ``labtrack serve`` process answers here.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from labtrack.cli import cli
from labtrack.serving import scoring
from tests.services import free_port
from tests.serving.conftest import Server, rows, serving_process

TOKEN = "t0ken-for-tests"


@pytest.fixture(scope="module")
def server(two_versions: Path) -> Iterator[Server]:
    """A model process on 127.0.0.1 without a token."""
    args = ["--model-uri", "models:/diab/Production", "--tracking-uri", str(two_versions)]
    with serving_process(args, two_versions) as running:
        yield running


@pytest.fixture(scope="module")
def guarded(two_versions: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``labtrack serve --token``."""
    args = ["--tracking-uri", str(two_versions), "serve", "models:/diab/Production"]
    args += ["--host", "127.0.0.1", "--port", str(free_port()), "--token", TOKEN]
    with serving_process(args, tmp_path_factory.mktemp("hostile"), cli=True) as running:
        yield running


def post(server: Server, body: str, **headers: str) -> tuple[int, Any]:
    code, reply, _ = server.request("POST", "/invocations", body, **headers)
    return code, reply


def body(diabetes: Any) -> str:
    return json.dumps({"inputs": rows(diabetes, 1)})


AUTH: dict[str, str] = {}  # the token-free process
JSON = {"Content-Type": "application/json"}


def test_only_json_and_csv_bodies_are_read(server: Server, diabetes: Any) -> None:
    for content_type in ("application/x-www-form-urlencoded", "text/plain", None):
        headers = {**AUTH, **({"Content-Type": content_type} if content_type else {})}
        code, reply = post(server, body(diabetes), **headers)
        assert code == 415, (content_type, reply)
        assert "application/json" in reply["message"]
    assert post(server, body(diabetes), **AUTH, **JSON)[0] == 200


def test_a_request_for_another_host_is_refused(server: Server, diabetes: Any) -> None:
    # DNS rebinding: the page's own name now points at 127.0.0.1; its requests say so in Host.
    code, reply = post(server, body(diabetes), Host=f"evil.example:{server.port}", **AUTH, **JSON)
    assert code == 403 and "not this server" in reply["message"], reply
    code, _ = post(server, body(diabetes), Host=f"localhost:{server.port}", **AUTH, **JSON)
    assert code == 200


def test_a_page_of_another_site_is_refused(server: Server, diabetes: Any) -> None:
    code, reply = post(server, body(diabetes), Origin="http://evil.example", **AUTH, **JSON)
    assert code == 403 and "another site" in reply["message"], reply
    same = f"http://127.0.0.1:{server.port}"
    assert post(server, body(diabetes), Origin=same, **AUTH, **JSON)[0] == 200


def test_the_token_is_required_but_not_for_health_checks(guarded: Server, diabetes: Any) -> None:
    code, reply = post(guarded, body(diabetes), **JSON)
    assert code == 401 and "Bearer" in reply["message"], reply
    code, reply = post(guarded, body(diabetes), Authorization="Bearer wrong", **JSON)
    assert code == 403, reply
    code, reply = post(guarded, body(diabetes), Authorization=f"Bearer {TOKEN}", **JSON)
    assert code == 200, reply
    assert guarded.request("GET", "/ping")[0] == 200
    assert guarded.request("GET", "/version")[0] == 401


def test_a_token_is_made_by_default_off_loopback(two_versions: Path) -> None:
    # 192.0.2.1 (TEST-NET-1) is not this machine's: binding fails after the token is chosen.
    args = ["--tracking-uri", str(two_versions), "serve", "models:/diab/Production"]
    done = CliRunner().invoke(cli, [*args, "--host", "192.0.2.1", "--port", "0"])
    assert "Authorization: Bearer " in done.output, done.output
    assert done.exit_code != 0 and "Cannot listen" in done.output
    both = CliRunner().invoke(cli, [*args, "--token", "x", "--no-token"])
    assert both.exit_code != 0 and "not both" in both.output


def test_the_column_index_cache_is_bounded_by_bytes() -> None:
    scoring._COLUMN_INDEXES.clear()
    for request in range(250):
        names = [f"request-{request}-column-{i}-{'x' * 40}" for i in range(3000)]
        payload = {"dataframe_split": {"columns": names, "data": [[1.0] * 3000]}}
        frame, _ = scoring.parse_request(json.dumps(payload).encode(), "application/json")
        assert list(frame.columns[:1]) == names[:1]
    held = sum(sys.getsizeof(name) for key in scoring._COLUMN_INDEXES for _, name in key)
    assert held <= 20 * 1024 * 1024, f"{held / 2**20:.0f} MB of column names kept"
