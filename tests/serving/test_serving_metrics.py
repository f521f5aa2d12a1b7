"""What the model process counts per endpoint and how the Jupyter server serves it: requests,
errors (with their messages), latency percentiles, and the process's log; a model nobody
serves has no counts, an unknown model is a 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labtrack.serving.metrics import MAX_REFS, OTHER_REFS, WINDOW, ServingMetrics
from tests.server.helpers import api
from tests.serving.conftest import rows
from tests.serving.test_jupyter_serving import invoke, ready, registered, supervisor

__all__ = ["registered", "supervisor"]  # fixtures


def test_counts_errors_and_percentiles_per_endpoint() -> None:
    metrics = ServingMetrics()
    for millis in range(1, 101):  # 1 .. 100 ms
        metrics.record("Production", 200, float(millis))
    metrics.record("Production", 400, 5.0, "Column 'age' is missing")
    metrics.record("2", 503, 1.0, "Version 2 could not be loaded")

    by_ref = {e["ref"]: e for e in metrics.snapshot()["endpoints"]}

    production = by_ref["Production"]
    assert (production["requests"], production["errors"]) == (101, 1)
    assert production["latency_ms"]["p50"] == 50.0
    assert production["latency_ms"]["p90"] == 90.0
    assert production["latency_ms"]["p99"] == 99.0
    assert production["latency_ms"]["max"] == 100.0
    assert [e["message"] for e in production["last_errors"]] == ["Column 'age' is missing"]
    assert by_ref["2"]["last_errors"][0]["status"] == 503


def test_percentiles_of_few_requests_are_nearest_rank() -> None:
    metrics = ServingMetrics()
    metrics.record("1", 200, 3.0)
    metrics.record("1", 200, 1400.0)  # the first request loads the model

    (endpoint,) = metrics.snapshot()["endpoints"]

    assert endpoint["latency_ms"]["p50"] == 3.0
    assert endpoint["latency_ms"]["p99"] == 1400.0


def test_memory_stays_bounded() -> None:
    metrics = ServingMetrics()
    for i in range(WINDOW + 50):
        metrics.record("1", 500, float(i), f"error {i}")
    for i in range(MAX_REFS + 20):
        metrics.record(f"made-up-{i}", 404, 1.0, "no such ref")

    endpoints = {e["ref"]: e for e in metrics.snapshot()["endpoints"]}

    assert endpoints["1"]["requests"] == WINDOW + 50
    assert endpoints["1"]["latency_ms"]["window"] == WINDOW
    assert len(endpoints["1"]["last_errors"]) == 10
    assert endpoints["1"]["last_errors"][0]["message"] == f"error {WINDOW + 49}"  # newest first
    assert len(endpoints) == MAX_REFS + 1
    assert endpoints[OTHER_REFS]["requests"] == 21


async def test_the_server_reports_what_the_process_counted_and_its_log(
    jp_fetch: Any, registered: Path, supervisor: Any, diabetes: Any
) -> None:
    code, idle = await api(jp_fetch, "GET", "registered-models/diab/serving/metrics")
    assert code == 200 and idle["state"] == "stopped" and idle["endpoints"] == []

    await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    await ready(jp_fetch)
    payload = {"inputs": rows(diabetes, 2)}
    for _ in range(3):
        assert (await invoke(jp_fetch, "Production", payload))[0] == 200
    bad = {"dataframe_split": {"columns": ["nope"], "data": [[1]]}}
    code, refused = await invoke(jp_fetch, "Production", bad)
    assert code == 400
    assert (await invoke(jp_fetch, "1", payload))[0] == 200

    code, report = await api(jp_fetch, "GET", "registered-models/diab/serving/metrics")

    assert code == 200 and report["state"] == "ready" and report["since"] > 0
    by_ref = {e["ref"]: e for e in report["endpoints"]}
    assert (by_ref["Production"]["requests"], by_ref["Production"]["errors"]) == (4, 1)
    assert by_ref["Production"]["last_errors"][0]["status"] == 400
    assert by_ref["Production"]["last_errors"][0]["message"] == refused["message"]
    latency = by_ref["Production"]["latency_ms"]
    assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert (by_ref["1"]["requests"], by_ref["1"]["errors"]) == (1, 0)
    assert "labtrack serving" in report["log"] or "Uvicorn" in report["log"], report["log"]


async def test_an_unknown_model_has_no_metrics(jp_fetch: Any, labtrack_home: Path) -> None:
    code, body = await api(jp_fetch, "GET", "registered-models/nope/serving/metrics")

    assert code == 404 and "nope" in body["message"]
