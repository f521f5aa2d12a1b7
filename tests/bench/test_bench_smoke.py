"""The benchmark's labtrack side still runs: its driver, store helpers and report, at toy sizes.

No MLflow is installed and nothing is timed here; speed lives in ``python -m bench``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.cases import stores
from bench.stats import Results

DRIVER = Path(__file__).resolve().parents[2] / "bench" / "cases" / "driver.py"


def drive(workdir: Path, case: str, **args: object) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [
            sys.executable,
            str(DRIVER),
            "--lib",
            "labtrack",
            "--workdir",
            str(workdir),
            case,
            json.dumps(args),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    assert reply["ok"], reply
    return reply["result"]  # type: ignore[no-any-return]


def worker(workdir: Path, requests: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    lines = "".join(json.dumps(r) + "\n" for r in requests)
    done = subprocess.run(
        [sys.executable, str(DRIVER), "--lib", "labtrack", "--workdir", str(workdir), "--worker"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.strip().splitlines()]


def test_log_metric_case_writes_every_point(tmp_path: Path) -> None:
    got = drive(tmp_path, "log_metric", n=500)
    assert got["n"] == 500
    assert got["caller_per_call_us"] > 0 and got["durable_s"] > 0


def test_logging_calls_case_checks_what_it_logged(tmp_path: Path) -> None:
    got = drive(tmp_path, "log_calls", params=5, keys=3, steps=4, batch=20)
    assert got["batch"] == 20 and got["log_batch_ms"] > 0


def test_runs_are_created_copied_and_searched_in_one_worker(tmp_path: Path) -> None:
    store = str(tmp_path / "runs")
    replies = worker(
        tmp_path,
        [
            {"case": "create_runs", "args": {"store": store, "n": 20}},
            {"case": "populate", "args": {"store": store, "total": 200}},
            {
                "case": "search",
                "args": {
                    "store": store,
                    "filter_string": "metrics.m0 > 0.5 and params.p1 = 'a'",
                    "order_by": ["metrics.m1 DESC"],
                    "page": 10,
                },
            },
            {"case": "no_such_case", "args": {}},
        ],
    )
    created, filled, found, unknown = replies
    assert created["ok"] and created["result"]["runs_in_store"] == 20
    assert filled["ok"] and filled["result"] == {**filled["result"], "added": 180, "runs": 200}
    assert found["ok"] and 0 < found["result"]["frame_rows"] < 200
    assert found["result"]["first_page_rows"] <= 10
    assert not unknown["ok"] and "unknown case" in unknown["error"]


def test_search_case_measures_only_what_it_is_asked_for(tmp_path: Path) -> None:
    store = str(tmp_path / "runs")
    args = {"store": store, "filter_string": "", "order_by": ["metrics.m1 DESC"], "page": 5}
    replies = worker(
        tmp_path,
        [
            {"case": "create_runs", "args": {"store": store, "n": 8}},
            {"case": "search", "args": {**args, "which": ["frame"], "warm": False}},
        ],
    )
    found = replies[1]["result"]
    assert found["frame_rows"] == 8 and "first_page_ms" not in found


def test_mlflow_searches_over_many_runs_are_time_boxed(tmp_path: Path) -> None:
    """bench/run --large: an MLflow call that does not finish in time is stopped, noted, and
    not tried again; labtrack's figures are kept."""
    from dataclasses import replace
    from types import SimpleNamespace

    from bench import tracking
    from bench.plan import LARGE

    calls: list[tuple[str, Any]] = []

    def call(side: str, case: str, timeout: float = 900.0, **args: Any) -> Any:
        calls.append((side, args.get("which"), timeout))
        if side == "mlflow" and args["which"] == ["frame"]:
            return None  # what ctx.call gives when the worker did not answer in time
        names = args.get("which") or ["frame", "first_page"]  # as the driver answers
        return {**{f"{name}_ms": 1.0 for name in names}, "frame_rows": 3, "peak_rss_mb": 4.0}

    results = Results()
    plan = replace(LARGE, mlflow_big_search_pairs=2, mlflow_big_search_timeout_s=7.0)
    ctx = SimpleNamespace(
        results=results, plan=plan, call=call, say=lambda text: None, work=tmp_path
    )
    tracking.search(ctx, 100_000, ("labtrack", "mlflow"), 3)  # type: ignore[arg-type]
    mlflow_calls = [c for c in calls if c[0] == "mlflow"]
    assert mlflow_calls == [
        ("mlflow", ["first_page"], 7.0),
        ("mlflow", ["frame"], 7.0),
        ("mlflow", ["first_page"], 7.0),  # second pair: the frame is not tried again
    ]
    frame = results.measures["search.100k.frame"]
    page = results.measures["search.100k.page"]
    assert frame.summary("mlflow") is None and frame.summary("labtrack") is not None
    assert page.summary("mlflow") is not None
    assert any("did not finish within 7 s" in note for note in frame.notes)


def test_history_case_downsamples_to_the_target(tmp_path: Path) -> None:
    got = drive(tmp_path, "history", n=3000, target=100)
    assert got["n"] == 3000 and 0 < got["downsampled_points"] <= 100


def test_downsample_keeps_each_buckets_extremes() -> None:
    points = [(i, 0.0) for i in range(10_000)]
    points[1234] = (1234, 99.0)
    points[8765] = (8765, -5.0)
    small = stores.downsample(points, 100)
    assert len(small) <= 100
    assert (1234, 99.0) in small and (8765, -5.0) in small
    assert [p[0] for p in small] == sorted(p[0] for p in small)
    assert stores.downsample(points[:50], 100) == points[:50]


def test_ratios_are_taken_pair_by_pair() -> None:
    results = Results()
    m = results.measure("1", "k", "label", "µs")
    m.add_pair({"labtrack": 1.0, "mlflow": 100.0})
    m.add_pair({"labtrack": 4.0, "mlflow": 100.0, "mlflow_async": 8.0})
    m.add_pair({"labtrack": 2.0, "mlflow": None})  # a failed side gives no ratio
    assert m.ratio("mlflow") == {"median": 0.025, "min": 0.01, "max": 0.04, "n": 2}
    assert m.ratio("mlflow_async") == {"median": 0.5, "min": 0.5, "max": 0.5, "n": 1}
    assert m.summary("labtrack") == {"median": 2.0, "min": 1.0, "max": 4.0, "n": 3}


@pytest.mark.parametrize("value, status", [(3.0, "met"), (9.0, "missed")])
def test_report_marks_targets_and_writes_tables(tmp_path: Path, value: float, status: str) -> None:
    results = Results()
    results.measure("1", "log_metric.caller", "log_metric", "µs").add_pair(
        {"labtrack": value, "mlflow": 10_000.0}
    )
    targets = report.evaluate_targets(results, {"7": "labtrack serve is not available"})
    by_key = {t["key"]: t for t in targets}
    assert by_key["log_metric.caller"]["status"] == status
    assert by_key["serve.start"]["status"] == "not measured"
    doc = {
        "mode": "test",
        "date": "today",
        "duration_s": 1.0,
        "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1.0, "platform": "p", "python": "3"},
        "versions": {"labtrack": "0", "mlflow": "0", "scikit-learn": "0"},
        "targets": targets,
        "unavailable": {},
        "case_notes": {},
        "errors": [],
    }
    report.write(doc, results, tmp_path, "t", tmp_path / "t.png")
    assert "| log_metric caller-side < 5 µs |" in (tmp_path / "t.md").read_text()
    assert (
        json.loads((tmp_path / "t.json").read_text())["measures"][0]["key"] == "log_metric.caller"
    )
    assert (tmp_path / "t.png").stat().st_size > 0


class _LogBatchAnswers:
    """A local HTTP server that records each log-batch body and answers with ``status(n)``."""

    def __init__(self, status: Callable[[int], int]) -> None:
        import http.server
        import threading

        self.seen: list[dict[str, Any]] = []
        seen = self.seen

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(status(len(seen)))
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def load(self, payloads: list[list[bytes]]) -> dict[str, Any]:
        from bench import ingest

        try:
            return ingest.load(self.server.server_address[1], "/log-batch", {}, payloads, 30)
        finally:
            self.server.shutdown()


def test_ingest_load_counts_acknowledged_points() -> None:
    """Case 9's client: bodies of 1,000 new points each, only 200s counted."""
    from bench import ingest

    answers = _LogBatchAnswers(lambda n: 200 if n % 2 else 503)
    got = answers.load([ingest.bodies("run-a", 4)])
    assert (got["requests"], got["errors"]) == (2, 2)
    steps = [m["step"] for body in answers.seen for m in body["metrics"] if m["key"] == "m0"]
    assert steps == list(range(400))
    assert all(len(body["metrics"]) == 1000 for body in answers.seen)


def test_ingest_load_counts_each_client_in_its_own_place() -> None:
    """Clients finish in any order; acked[i] is still client i's (checked against run i)."""
    from bench import ingest

    # The first client has the most to send, so it is the last to finish.
    got = _LogBatchAnswers(lambda n: 200).load(
        [ingest.bodies("run-a", 12), ingest.bodies("run-b", 1)]
    )
    assert got["acked"] == [12, 1]
    assert got["failed"] == [0, 0]


def test_writer_and_large_history_cases_store_every_point(tmp_path: Path) -> None:
    got = drive(tmp_path, "writer", n=30_000)
    assert got["n"] == 30_000 and got["points_per_s"] > 0
    assert got["peak_rss_mb"] > 0  # each case reports its process's peak memory
    large = drive(tmp_path, "history_large", n=12_000, target=100)
    assert large["n"] == 12_000 and large["downsampled_s"] > 0


def test_labtrack_on_postgresql_creates_copies_and_searches_runs(
    tmp_path: Path, postgres_server: object
) -> None:
    url = postgres_server.admin_url  # type: ignore[attr-defined]
    store = str(tmp_path / "runs-pg")
    lines = "".join(
        json.dumps(r) + "\n"
        for r in [
            {"case": "create_runs", "args": {"store": store, "n": 20}},
            {"case": "populate", "args": {"store": store, "total": 300}},
            {
                "case": "search",
                "args": {
                    "store": store,
                    "filter_string": "metrics.m0 > 0.5 and params.p1 = 'a'",
                    "order_by": ["metrics.m1 DESC"],
                    "page": 10,
                },
            },
            {"case": "history", "args": {"n": 2000, "target": 100}},
        ]
    )
    done = subprocess.run(
        [sys.executable, str(DRIVER), "--lib", "labtrack", "--workdir", str(tmp_path), "--worker"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "BENCH_POSTGRES_URL": url},
    )
    assert done.returncode == 0, done.stderr
    created, filled, found, history = [json.loads(line) for line in done.stdout.splitlines()]
    assert created["ok"] and created["result"]["tracking_uri"].startswith("postgresql")
    assert filled["ok"] and filled["result"]["runs"] == 300, filled
    assert found["ok"] and 0 < found["result"]["frame_rows"] < 300
    assert history["ok"] and 0 < history["result"]["downsampled_points"] <= 100


def test_report_shows_postgresql_and_memory_and_rewrites_the_readme(tmp_path: Path) -> None:
    results = Results()
    m = results.measure("3", "runs.create", "create a run", "ms")
    m.add_pair(
        {"labtrack": 0.8, "labtrack_pg": 4.0, "mlflow": 20.0},
        {"labtrack": 120.0, "labtrack_pg": 130.0, "mlflow": 400.0},
    )
    assert m.ratio("mlflow") == {"median": 0.04, "min": 0.04, "max": 0.04, "n": 1}
    assert m.ratio("labtrack_pg") is None  # shown beside, never divided
    targets = {t["key"]: t for t in report.evaluate_targets(results, {})}
    assert targets["runs.create"]["status"] == "met"
    assert targets["runs.create"]["postgresql"] == "4 ms"
    doc = {
        "mode": "full",
        "date": "today",
        "duration_s": 1.0,
        "load_average": [["1", 0.5]],
        "machine": {"cpu": "cpu", "cores": 2, "memory_gb": 1.0, "platform": "p", "python": "3"},
        "versions": {"labtrack": "0", "mlflow": "0", "scikit-learn": "0"},
        "targets": list(targets.values()),
        "unavailable": {},
        "case_notes": {},
        "errors": [],
    }
    text = report.to_markdown(doc, results)
    assert "| 0.8 | 4 | 20 |" in text and "| 120 / 130 / 400 |" in text
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.README_START}\nold\n{report.README_END}\nafter\n")
    report.update_readme(readme, doc, results)
    rewritten = readme.read_text()
    assert rewritten.startswith("intro\n") and rewritten.endswith("after\n")
    assert (
        "\nold\n" not in rewritten
        and "| create a run (5 params, 5 metrics) < 1 ms | 0.8 ms" in rewritten
    )
