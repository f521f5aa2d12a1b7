"""Values that used to make the REST API answer 500 (issue 19, item 11): integers past
SQLite's 64-bit range, JSON nested past Python's recursion limit, lone UTF-16 surrogates,
deeply nested notebook metadata and artifact names outside Latin-1. Each is a clear 4xx (or,
for the file name, a working download) and writes nothing."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api

HUGE = str(2**63)
HUGER = "9" * 40


def client(labtrack_home: Any) -> TrackingClient:
    return TrackingClient(str(labtrack_home))


def token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


@pytest.mark.parametrize("value", [HUGE, HUGER])
async def test_ids_and_versions_past_64_bits_are_4xx(
    jp_fetch: Any, labtrack_home: Any, value: str
) -> None:
    c = client(labtrack_home)
    c.create_registered_model("m")
    for method, route in [
        ("GET", f"experiments/{value}"),
        ("PATCH", f"experiments/{value}"),
        ("DELETE", f"experiments/{value}"),
        ("POST", f"experiments/{value}/restore"),
        ("GET", f"registered-models/m/versions/{value}"),
        ("PATCH", f"registered-models/m/versions/{value}"),
        ("DELETE", f"registered-models/m/versions/{value}"),
        ("GET", f"registered-models/m/versions/{value}/transitions"),
    ]:
        code, body = await api(jp_fetch, method, route)
        assert 400 <= code < 500, (method, route, code, body)
    code, body = await api(jp_fetch, "PUT", "registered-models/m/aliases/champ", {"version": 2**64})
    assert code == 400, body
    code, body = await api(jp_fetch, "GET", "runs", experiment_id=value)
    assert 400 <= code < 500, body


@pytest.mark.parametrize("offset", [2**63, 10**40])
async def test_page_tokens_past_64_bits_are_400(
    jp_fetch: Any, labtrack_home: Any, offset: int
) -> None:
    for route, params in [
        ("experiments", {}),
        ("runs", {"experiment_id": "0"}),
        ("registered-models", {}),
    ]:
        code, body = await api(jp_fetch, "GET", route, page_token=token(offset), **params)
        assert code == 400 and "page_token" in body["message"], (route, code, body)


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("POST", "experiments"),
        ("PATCH", "experiments/0"),
        ("POST", "registered-models"),
        ("POST", "notebook-experiment"),
    ],
)
async def test_deeply_nested_json_bodies_are_400(
    jp_fetch: Any, labtrack_home: Any, method: str, route: str
) -> None:
    code, body = await api(jp_fetch, method, route, nested(100_000))
    assert code == 400 and "nested" in body["message"], body
    assert [e.name for e in client(labtrack_home).search_experiments()] == ["Default"]


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "bad\\ud800name"}',
        '{"name": "ok", "tags": {"k": "\\udfff"}}',
        '{"name": "ok", "tags": {"\\ud83d": "v"}}',
    ],
)
async def test_lone_surrogates_are_400_and_write_nothing(
    jp_fetch: Any, labtrack_home: Any, body: str
) -> None:
    code, reply = await api(jp_fetch, "POST", "experiments", body)
    assert code == 400 and "surrogate" in reply["message"], reply
    code, reply = await api(jp_fetch, "POST", "registered-models", body)
    assert code == 400, reply
    assert [e.name for e in client(labtrack_home).search_experiments()] == ["Default"]
    assert list(client(labtrack_home).search_registered_models()) == []


async def test_lone_surrogates_in_descriptions_are_400(jp_fetch: Any, labtrack_home) -> None:
    c = client(labtrack_home)
    c.create_registered_model("m", description="kept")
    run = c.create_run("0")
    body = '{"description": "x\\ud800"}'
    code, _ = await api(jp_fetch, "PATCH", "registered-models/m", body)
    assert code == 400
    code, _ = await api(jp_fetch, "PATCH", f"runs/{run.info.run_id}", body)
    assert code == 400
    assert c.get_registered_model("m").description == "kept"


async def test_notebook_metadata_nested_900_deep_is_400(jp_fetch: Any, labtrack_home) -> None:
    run = client(labtrack_home).create_run("0")
    # Sent as text: the test's own json.dumps would not get this deep.
    text = '{"path": "a.ipynb", "notebook": {"nbformat": 4, "nbformat_minor": 5, "cells": [], '
    text += '"metadata": {"deep": ' + nested(900) + "}}}"
    code, body = await api(jp_fetch, "PUT", f"runs/{run.info.run_id}/notebook", text)
    assert code == 400 and "nested" in body["message"], body
    tags = client(labtrack_home).get_run(run.info.run_id).data.tags
    assert "labtrack.notebook.revision" not in tags


@pytest.mark.parametrize("name", ["结果.txt", "😀 plot.txt", "naïve.txt", 'q"uote.txt'])
async def test_download_of_a_file_with_any_name(jp_fetch: Any, labtrack_home, name: str) -> None:
    c = client(labtrack_home)
    run = c.create_run("0")
    c.log_text(run.info.run_id, "hello", name)
    response = await jp_fetch(
        "labtrack",
        "api",
        "runs",
        run.info.run_id,
        "artifacts",
        "file",
        params={"path": name, "download": "1"},
    )
    assert response.code == 200 and response.body == b"hello"
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition


async def test_non_string_tag_values_are_refused(jp_fetch: Any, labtrack_home: Any) -> None:
    """Tag values of other JSON types were silently stored as their Python text (1.5 as
    "1.5", true as "True"): a value the client never sent (issue 19, item 14)."""
    c = client(labtrack_home)
    rid = c.create_run("0", tags={"keep": "1"}).info.run_id
    eid = c.create_experiment("e")
    c.create_registered_model("m")
    for value in [1.5, True, 3, ["a"], {"b": 1}]:
        for method, route in [
            ("PATCH", f"runs/{rid}"),
            ("PATCH", f"experiments/{eid}"),
            ("PATCH", "registered-models/m"),
        ]:
            code, reply = await api(jp_fetch, method, route, {"tags": {"t": value}})
            assert code == 400 and "must be a string" in reply["message"], (route, value, reply)
    assert "t" not in c.get_run(rid).data.tags
    assert "t" not in c.get_experiment(eid).tags
    assert "t" not in c.get_registered_model("m").tags
    code, _ = await api(jp_fetch, "PATCH", f"runs/{rid}", {"tags": {"t": "1.5"}})
    assert code == 200 and c.get_run(rid).data.tags["t"] == "1.5"
