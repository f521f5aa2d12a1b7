"""MLflow's request and answer rules, checked on the server directly (no MLflow client): field
forms, content types, DELETE bodies, paging, empty answers, error codes and statuses, and
authentication on every route."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from labtrack.server.mlflow import MLFLOW_PREFIX, routes
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.wire import MLFLOW, Fetch


@pytest.fixture
def fetch(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Fetch:
    return Fetch(http_server_client, jp_base_url, jp_auth_header)


async def new_run(fetch: Fetch, **fields: Any) -> str:
    status, body = await fetch("POST", MLFLOW + "runs/create", {"experiment_id": "0", **fields})
    assert status == 200, body
    return str(body["run"]["info"]["run_id"])


async def test_int64_as_strings_nan_strings_and_unknown_fields_are_read(
    fetch: Fetch, labtrack_home: Path
) -> None:
    run_id = await new_run(fetch)
    point = {"run_id": run_id, "key": "m", "value": "NaN", "timestamp": "1796000000000"}
    status, body = await fetch("POST", MLFLOW + "runs/log-metric", {**point, "step": "7", "x": 1})
    assert (status, body) == (200, {})
    status, body = await fetch("GET", MLFLOW + "metrics/get-history", run_id=run_id, metric_key="m")
    assert body == {
        "metrics": [{"key": "m", "value": "NaN", "timestamp": 1796000000000, "step": 7}]
    }


async def test_camel_case_names_are_missing_fields(fetch: Fetch, labtrack_home: Path) -> None:
    status, body = await fetch("POST", MLFLOW + "runs/get", token=True)
    status, body = await fetch("GET", MLFLOW + "runs/get", runId="x")
    assert status == 400
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "run_id" in body["message"]


async def test_a_value_of_the_wrong_type_names_the_field(fetch: Fetch, labtrack_home: Path) -> None:
    run_id = await new_run(fetch)
    body = {"run_id": run_id, "key": "m", "value": "abc", "timestamp": 1}
    status, answer = await fetch("POST", MLFLOW + "runs/log-metric", body)
    assert status == 400
    assert "'value'" in answer["message"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Content-Type": "text/plain"}, "must be one of"),
        ({"Content-Type": "application/x-www-form-urlencoded"}, "must be one of"),
    ],
)
async def test_posts_need_a_json_content_type(
    fetch: Fetch, labtrack_home: Path, headers: dict[str, str], expected: str
) -> None:
    answer = await fetch.raw("POST", MLFLOW + "experiments/search", '{"max_results": 1}', headers)
    assert answer.code == 400
    assert expected in answer.body.decode()
    ok = await fetch.raw(
        "POST",
        MLFLOW + "experiments/search",
        '{"max_results": 1}',
        {"Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.code == 200


async def test_delete_requests_carry_their_fields_in_the_body(
    fetch: Fetch, labtrack_home: Path
) -> None:
    await fetch("POST", MLFLOW + "registered-models/create", {"name": "m", "tags": []})
    await fetch(
        "POST", MLFLOW + "registered-models/set-tag", {"name": "m", "key": "k", "value": "v"}
    )
    status, _ = await fetch(
        "DELETE", MLFLOW + "registered-models/delete-tag", {"name": "m", "key": "k"}
    )
    assert status == 200
    status, body = await fetch("GET", MLFLOW + "registered-models/get", name="m")
    assert "tags" not in body["registered_model"]
    status, _ = await fetch("DELETE", MLFLOW + "registered-models/delete", {"name": "m"})
    assert status == 200
    status, body = await fetch("GET", MLFLOW + "registered-models/get", name="m")
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")


async def test_paging_tokens_and_empty_answers(fetch: Fetch, labtrack_home: Path) -> None:
    for name in ("a", "b", "c"):
        await fetch("POST", MLFLOW + "experiments/create", {"name": name})
    seen, token = [], None
    for _ in range(5):
        body = {"max_results": 2, **({"page_token": token} if token else {})}
        status, page = await fetch("POST", MLFLOW + "experiments/search", body)
        seen += [e["name"] for e in page.get("experiments", [])]
        token = page.get("next_page_token")
        if not token:
            break
    assert sorted(seen) == ["Default", "a", "b", "c"]
    status, empty = await fetch("POST", MLFLOW + "runs/search", {"experiment_ids": ["1"]})
    assert (status, empty) == (200, {})
    status, bad = await fetch(
        "POST", MLFLOW + "experiments/search", {"max_results": 1, "page_token": "%%"}
    )
    assert (status, bad["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    status, zero = await fetch("POST", MLFLOW + "experiments/search", {"view_type": "ALL"})
    assert status == 400 and "max_results" in zero["message"]


async def test_status_codes_are_mlflows(fetch: Fetch, labtrack_home: Path) -> None:
    await fetch("POST", MLFLOW + "experiments/create", {"name": "x"})
    status, body = await fetch("POST", MLFLOW + "experiments/create", {"name": "x"})
    assert (status, body["error_code"]) == (400, "RESOURCE_ALREADY_EXISTS")
    status, body = await fetch("GET", MLFLOW + "experiments/get-by-name", experiment_name="nope")
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    run_id = await new_run(fetch)
    await fetch("POST", MLFLOW + "runs/delete", {"run_id": run_id})
    point = {"run_id": run_id, "key": "m", "value": 1, "timestamp": 1}
    status, body = await fetch("POST", MLFLOW + "runs/log-metric", point)
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    assert "active" in body["message"]
    status, body = await fetch("GET", MLFLOW + "runs/get", run_id="not-a-run")
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")


async def test_get_accepts_repeated_query_fields(fetch: Fetch, labtrack_home: Path) -> None:
    runs = [await new_run(fetch) for _ in range(2)]
    client = TrackingClient(str(labtrack_home))
    for i, run_id in enumerate(runs):
        for step in range(5):
            client.log_metric(run_id, "loss", float(step + i), step=step)
    status, body = await fetch(
        "GET",
        MLFLOW + "metrics/get-history-bulk-interval",
        run_ids=runs,
        metric_key="loss",
        max_results=3,
    )
    assert status == 200
    by_run = {r: [m["step"] for m in body["metrics"] if m["run_id"] == r] for r in runs}
    assert by_run == {runs[0]: [0, 2, 4], runs[1]: [0, 2, 4]}


async def test_runs_get_gives_the_latest_metrics_with_step_and_time(
    fetch: Fetch, labtrack_home: Path
) -> None:
    run_id = await new_run(fetch, run_name="r")
    batch = [
        {"key": "loss", "value": 1.0 / (s + 1), "timestamp": 100 + s, "step": s} for s in range(3)
    ]
    await fetch("POST", MLFLOW + "runs/log-batch", {"run_id": run_id, "metrics": batch})
    status, body = await fetch("GET", MLFLOW + "runs/get", run_id=run_id)
    assert body["run"]["data"]["metrics"] == [
        {"key": "loss", "value": 1 / 3, "timestamp": 102, "step": 2}
    ]
    assert body["run"]["info"]["run_name"] == "r"
    assert body["run"]["info"]["artifact_uri"] == f"mlflow-artifacts:/0/{run_id}/artifacts"


def _sample(pattern: str) -> str:
    """A path the pattern matches: one segment for ``[^/]+`` groups, two for the others."""
    one = re.sub(r"\(\?P<\w+>\[\^/\]\+\)", "x", pattern)
    return re.sub(r"\(\?P<\w+>[^)]*\)", "x/y", one)


@pytest.mark.parametrize(("pattern", "handler"), routes(), ids=[p for p, _ in routes()])
async def test_every_mlflow_route_refuses_requests_without_a_token(
    fetch: Fetch, labtrack_home: Path, pattern: str, handler: type
) -> None:
    verbs = [v for v in ("GET", "POST", "PUT", "PATCH", "DELETE") if v.lower() in vars_of(handler)]
    assert verbs
    for verb in verbs:
        body = "{}" if verb in ("POST", "PUT", "PATCH") else None
        answer = await fetch.raw(
            verb,
            f"{MLFLOW_PREFIX}/{_sample(pattern)}",
            body,
            {"Content-Type": "application/json"},
            token=False,
        )
        assert answer.code in (401, 403), (verb, pattern, answer.code)


def vars_of(handler: type) -> set[str]:
    from tornado.web import RequestHandler

    return {
        v
        for v in ("get", "post", "put", "patch", "delete")
        if getattr(handler, v) is not getattr(RequestHandler, v)
    }


async def test_runs_search_gives_latest_metrics_with_step_and_timestamp(
    fetch: Fetch, labtrack_home: Path
) -> None:
    runs = [await new_run(fetch) for _ in range(3)]
    for i, run_id in enumerate(runs[:2]):
        points = [
            {"key": "loss", "value": 1.0 / (s + 1), "timestamp": 1000 + s, "step": s}
            for s in range(i + 2)
        ]
        status, _ = await fetch(
            "POST", MLFLOW + "runs/log-batch", {"run_id": run_id, "metrics": points}
        )
        assert status == 200
    status, body = await fetch("POST", MLFLOW + "runs/search", {"experiment_ids": ["0"]})
    metrics = {r["info"]["run_id"]: r["data"].get("metrics") for r in body["runs"]}
    assert metrics == {
        runs[0]: [{"key": "loss", "value": 0.5, "timestamp": 1001, "step": 1}],
        runs[1]: [{"key": "loss", "value": 1 / 3, "timestamp": 1002, "step": 2}],
        runs[2]: None,
    }
    # the same as runs/get gives
    status, one = await fetch("GET", MLFLOW + "runs/get", run_id=runs[1])
    assert one["run"]["data"]["metrics"] == metrics[runs[1]]
