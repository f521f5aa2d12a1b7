"""Core tracking speed: import, log_metric per call, time to durable, search over 10,000 runs.

    .venv/bin/python bench/core.py [--quick] [--out bench/results]

Each figure is the median of several repeats, with min and max. Results go to
``core.json`` and ``core.md`` in the output folder.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm


def summarize(samples: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "n": len(samples),
    }


def repeat(fn: Callable[[], float], times: int) -> dict[str, float]:
    return summarize([fn() for _ in range(times)])


def bench_import(times: int) -> dict[str, dict[str, float]]:
    def run(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    return {
        "python_startup_s": repeat(lambda: run("pass"), times),
        "import_labtrack_s": repeat(lambda: run("import labtrack"), times),
    }


def bench_cold_first_metric(times: int) -> dict[str, float]:
    code = (
        "import sys, labtrack as m; m.set_tracking_uri(sys.argv[1]);"
        "m.log_metric('x', 1.0); m.flush()"
    )

    def run() -> float:
        with tempfile.TemporaryDirectory() as home:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code, home], check=True)
            return time.perf_counter() - start

    return repeat(run, times)


def bench_log_metric(n: int, times: int) -> dict[str, dict[str, float]]:
    import labtrack

    per_call, durable = [], []
    for _ in range(times):
        with tempfile.TemporaryDirectory() as home:
            labtrack.set_tracking_uri(home)
            with labtrack.start_run() as run:
                labtrack.log_metric("warmup", 0.0)
                start = time.perf_counter()
                for i in range(n):
                    labtrack.log_metric("loss", 1.0 / (i + 1), step=i)
                caller = time.perf_counter() - start
                labtrack.flush()
                done = time.perf_counter() - start
            count = len(labtrack.TrackingClient(home).get_metric_history(run.info.run_id, "loss"))
            assert count == n, count
            per_call.append(caller / n * 1e6)
            durable.append(done)
            labtrack.set_tracking_uri(None)
    return {"log_metric_per_call_us": summarize(per_call), "all_durable_s": summarize(durable)}


def bench_search(n_runs: int, times: int) -> dict[str, dict[str, float]]:
    from labtrack.client import TrackingClient
    from labtrack.entities import Metric, Param

    out: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as home:
        client = TrackingClient(home)
        rng = random.Random(0)
        start = time.perf_counter()
        for i in tqdm(range(n_runs), desc=f"create {n_runs} runs", leave=False, disable=None):
            run = client.create_run("0", start_time=1_700_000_000_000 + i)
            client.log_batch(
                run.info.run_id,
                metrics=[Metric(f"m{k}", rng.random(), 0, 0) for k in range(5)],
                params=[Param(f"p{k}", rng.choice("abcd")) for k in range(5)],
            )
        out["create_runs_s"] = summarize([time.perf_counter() - start])
        flt = "metrics.m0 > 0.5 and params.p1 = 'a'"
        order = ["metrics.m1 DESC"]

        def page() -> float:
            t = time.perf_counter()
            client.search_runs(["0"], flt, max_results=100, order_by=order)
            return (time.perf_counter() - t) * 1000

        def everything() -> float:
            t = time.perf_counter()
            found = client.search_runs(["0"], flt, max_results=n_runs, order_by=order)
            assert 0 < len(found) < n_runs
            return (time.perf_counter() - t) * 1000

        def frame() -> float:
            import labtrack

            labtrack.set_tracking_uri(home)
            t = time.perf_counter()
            labtrack.search_runs(["0"], flt, order_by=order)
            return (time.perf_counter() - t) * 1000

        page()
        out["search_first_100_ms"] = repeat(page, times)
        out["search_all_matches_ms"] = repeat(everything, times)
        out["search_runs_dataframe_ms"] = repeat(frame, times)
    return out


def bench_capture(times: int) -> dict[str, dict[str, float]]:
    """Capture and store a ~1 MB notebook version (what every notebook run pays)."""
    import nbformat

    from labtrack.notebook.capture import capture_notebook
    from labtrack.notebook.identity import NotebookInfo
    from labtrack.store.sql.store import SqlTrackingStore

    with tempfile.TemporaryDirectory() as home:
        nb = nbformat.v4.new_notebook()
        body = "y = x * 2  # a line of ordinary notebook code\n" * 5
        nb.cells = [
            nbformat.v4.new_code_cell(
                f"x = {i}\n{body}", outputs=[nbformat.v4.new_output("stream", text="out " * 50)]
            )
            for i in range(1500)
        ]
        path = Path(home) / "big.ipynb"
        nbformat.write(nb, path)
        store = SqlTrackingStore(f"sqlite:///{home}/db.sqlite", home)
        info = NotebookInfo("big.ipynb", str(path), None, "bench", None)
        counter = iter(range(10**6))

        def once() -> float:
            t = time.perf_counter()
            # A distinct suffix each time, so every capture really writes a new version.
            store.put_blob("notebook", capture_notebook(info) + str(next(counter)).encode())
            return (time.perf_counter() - t) * 1000

        result = {"capture_1mb_notebook_ms": repeat(once, times * 3)}
        result["notebook_bytes"] = summarize([float(path.stat().st_size)])
        store.close()
        return result


def machine() -> dict[str, str]:
    import sqlalchemy

    import labtrack

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": str(__import__("os").cpu_count()),
        "labtrack": labtrack.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def to_markdown(results: dict[str, dict]) -> str:  # type: ignore[type-arg]
    lines = ["| case | median | min | max | n |", "| --- | --- | --- | --- | --- |"]
    for group, cases in results.items():
        if group == "machine":
            continue
        for name, s in cases.items():
            stats = f"{s['median']:.4g} | {s['min']:.4g} | {s['max']:.4g} | {s['n']}"
            lines.append(f"| {group}: {name} | {stats} |")
    m = results["machine"]
    lines.append("")
    lines.append(
        f"Machine: {m['platform']}, {m['cpus']} CPUs, Python {m['python']}, "
        f"labtrack {m['labtrack']}, SQLAlchemy {m['sqlalchemy']}; {m['date']}."
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, same sizes")
    parser.add_argument("--out", default=str(Path(__file__).with_name("results")))
    args = parser.parse_args()
    times = 3 if args.quick else 7
    results = {
        "machine": machine(),
        "import": bench_import(times * 2),
        "cold_first_metric_s": {
            "cold_process_to_first_metric_durable_s": bench_cold_first_metric(times)
        },
        "log_metric_100k": bench_log_metric(100_000, times),
        "notebook_capture": bench_capture(times),
        "search_10k_runs": bench_search(10_000, times),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "core.json").write_text(json.dumps(results, indent=2))
    (out / "core.md").write_text(to_markdown(results))
    print(to_markdown(results))


if __name__ == "__main__":
    main()
