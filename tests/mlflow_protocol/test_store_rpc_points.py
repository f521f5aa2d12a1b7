"""The store RPC's ``log_metric_points`` (what labtrack's writer sends over HTTP): its batches
skip the generic argument walks, so every point is checked on its own; any malformed point is a
400 naming the problem, and nothing of that batch is stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.wire import Fetch

RPC = "labtrack/api/store/log_metric_points"


@pytest.fixture
def fetch(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Fetch:
    return Fetch(http_server_client, jp_base_url, jp_auth_header)


def _run(home: Path) -> str:
    return TrackingClient(str(home)).create_run("0").info.run_id


async def test_points_land_as_sent(fetch: Fetch, labtrack_home: Path) -> None:
    run_id = _run(labtrack_home)
    points = [[run_id, "loss", 0.5, 1000, 0], [run_id, "loss", 1, 1001, 1]]
    raw = json.dumps({"args": {"points": [*points, [run_id, "acc", float("nan"), 5, 2]]}})
    answer = await fetch.raw("POST", RPC, raw, {"Content-Type": "application/json"})
    assert (answer.code, json.loads(answer.body)) == (200, {"result": None})
    history = TrackingClient(str(labtrack_home)).get_metric_history(run_id, "loss")
    assert [(m.value, m.timestamp, m.step) for m in history] == [(0.5, 1000, 0), (1.0, 1001, 1)]
    assert isinstance(history[1].value, float)


@pytest.mark.parametrize(
    ("point", "words"),
    [
        (["RUN", "loss", 1.0, 1], "[run_id, key, value, timestamp, step]"),
        ("RUN", "[run_id, key, value, timestamp, step]"),
        (["RUN", "loss", "1.0", 1, 0], "value"),
        (["RUN", "loss", True, 1, 0], "value"),
        (["RUN", "loss", [[[1.0]]], 1, 0], "value"),
        (["RUN", "", 1.0, 1, 0], "empty"),
        (["RUN", 7, 1.0, 1, 0], "must be strings"),
        (["RUN", "loss", 1.0, "soon", 0], "timestamp"),
        (["RUN", "loss", 1.0, 1, 2**63], "64-bit"),
        (["RUN", "loss", 1.0, 1, 1.5], "integer"),
        (["not a run!", "loss", 1.0, 1, 0], "Invalid run id"),
    ],
)
async def test_a_malformed_point_is_a_400_and_nothing_is_stored(
    fetch: Fetch, labtrack_home: Path, point: Any, words: str
) -> None:
    run_id = _run(labtrack_home)
    good = [run_id, "good", 1.0, 1, 0]
    bad = json.loads(json.dumps(point).replace("RUN", run_id))
    status, body = await fetch("POST", RPC, {"args": {"points": [good, bad]}})
    assert status == 400, body
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert words in body["message"]
    assert TrackingClient(str(labtrack_home)).get_metric_history(run_id, "good") == []


async def test_a_point_of_an_unknown_run_is_a_404_not_a_failed_transaction(
    fetch: Fetch, labtrack_home: Path
) -> None:
    run_id = _run(labtrack_home)
    points = [[run_id, "good", 1.0, 1, 0], ["0" * 32, "loss", 1.0, 1, 0]]
    status, body = await fetch("POST", RPC, {"args": {"points": points}})
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST"), body
    assert TrackingClient(str(labtrack_home)).get_metric_history(run_id, "good") == []
    status, body = await fetch("POST", RPC, {"args": {"points": points[:1]}})
    assert status == 200


async def test_other_shapes_of_the_body_get_the_general_checks(
    fetch: Fetch, labtrack_home: Path
) -> None:
    for args in ({"points": "x"}, {"points": [], "extra": 1}, {}):
        status, body = await fetch("POST", RPC, {"args": args})
        assert status == 400, (args, body)
    deep = "[" * 5000 + "]" * 5000
    raw = '{"args": {"points": [' + deep + "]}}"
    answer = await fetch.raw("POST", RPC, raw, {"Content-Type": "application/json"})
    assert answer.code == 400
    surrogate = '{"args": {"points": [["x", "\\ud800", 1.0, 1, 0]]}}'
    answer = await fetch.raw("POST", RPC, surrogate, {"Content-Type": "application/json"})
    assert answer.code == 400
    assert b"surrogate" in answer.body


# -- the packed columns form (labtrack.store.rest.point_columns), what the writer sends now -----


def _columns_body(points: list[tuple[str, str, float, int, int]]) -> bytes:
    from labtrack.store.rest import point_columns

    body = point_columns.encode_body(points)
    assert body is not None
    return body


async def test_columns_land_as_sent(fetch: Fetch, labtrack_home: Path) -> None:
    run_id, other = _run(labtrack_home), _run(labtrack_home)
    nan, inf = float("nan"), float("inf")
    points = [
        (run_id, "loss", 0.5, 1000, 0),
        (other, "acc", nan, 1001, -3),
        (run_id, "loss", -inf, 1002, 2**63 - 1),
        (run_id, "loss", 2.25, -(2**63), 1),
    ]
    answer = await fetch.raw(
        "POST", RPC, _columns_body(points), {"Content-Type": "application/json"}
    )
    assert (answer.code, json.loads(answer.body)) == (200, {"result": None})
    client = TrackingClient(str(labtrack_home))
    got = [(m.value, m.timestamp, m.step) for m in client.get_metric_history(run_id, "loss")]
    assert sorted(got, key=lambda p: p[2]) == [
        (0.5, 1000, 0),
        (2.25, -(2**63), 1),
        (-inf, 1002, 2**63 - 1),
    ]
    (acc,) = client.get_metric_history(other, "acc")
    assert acc.value != acc.value and (acc.timestamp, acc.step) == (1001, -3)
    # One series: the index column is left out.
    answer = await fetch.raw("POST", RPC, _columns_body([(other, "one", 7.0, 5, 5)] * 3), {})
    assert answer.code == 200
    assert b"series_index" not in _columns_body([(other, "one", 7.0, 5, 5)] * 3)
    assert [m.value for m in client.get_metric_history(other, "one")] == [7.0] * 3


def _edit(body: bytes, change: dict[str, object]) -> dict[str, object]:
    columns: dict[str, object] = json.loads(body)["args"]["columns"]
    columns.update(change)
    return {"args": {"columns": {k: v for k, v in columns.items() if v is not None}}}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"value": "not base64!"}, "not valid base64"),
        ({"value": "AAAA"}, "bytes, not 8 per point"),
        ({"step": None}, "'step' is missing"),
        ({"series_index": "AwAAAAAAAAA="}, "past the series list"),  # uint32 3 and 0
        ({"series_index": None}, "needed for several series"),
        ({"series": []}, "[run_id, key] strings"),
        ({"series": [["RUN", "loss"], ["RUN", 5]]}, "[run_id, key] strings"),
        ({"series": [["not a run!", "loss"], ["RUN", "b"]]}, "Invalid run id"),
        ({"series": [["RUN", ""], ["RUN", "b"]]}, "empty"),
        ({"extra": 1}, "A columns batch is"),
    ],
)
async def test_malformed_columns_are_a_400_and_nothing_is_stored(
    fetch: Fetch, labtrack_home: Path, change: dict[str, object], words: str
) -> None:
    run_id = _run(labtrack_home)
    body = _columns_body([(run_id, "good", 1.0, 1, 0), (run_id, "b", 2.0, 1, 0)])
    change = json.loads(json.dumps(change).replace("RUN", run_id))
    status, answer = await fetch("POST", RPC, _edit(body, change))
    assert status == 400, answer
    assert answer["error_code"] == "INVALID_PARAMETER_VALUE"
    assert words in answer["message"]
    assert TrackingClient(str(labtrack_home)).get_metric_history(run_id, "good") == []
