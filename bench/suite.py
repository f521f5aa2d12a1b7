"""labtrack versus MLflow: the same work, in the same run, on the same machine.

    .venv/bin/python -m bench            # the full run (under 25 minutes)
    .venv/bin/python -m bench --quick    # smaller sizes, fewer pairs (under 3 minutes)
    .venv/bin/python -m bench --large    # only the large cases (bench/results/large.*)
    .venv/bin/python -m bench --cases 1,5 --pairs 3

MLflow is installed into ``bench/.mlflow-venv`` on first use. The full run writes
``bench/results/latest.json``, ``latest.md`` and ``bench/ratios.png``; ``--quick`` writes
``bench/results/quick.*`` (not committed).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import ingest, mlflow_env, report, servers, tracking
from bench.context import REPO, Context
from bench.plan import PLANS

BENCH = Path(__file__).resolve().parent

# Order matters: case 6 reads the 10,000-run stores case 3 made, before the 100,000-run fill.
STEPS = [
    ("1", tracking.case_log_metric),
    ("2", tracking.case_log_calls),
    ("3", tracking.case_runs),
    ("6", servers.case_server_api),
    ("3", tracking.case_search_big),
    ("6", servers.case_server_api_big),
    ("4", tracking.case_history),
    ("5", tracking.case_cold),
    ("7", servers.case_serving),
    ("8", tracking.case_autolog),
    ("9", ingest.case_ingest),
    ("x", tracking.case_capture),
]
# bench/run --large: MLflow beside labtrack over 100,000 runs; ten million points.
LARGE_STEPS = [
    ("3", tracking.case_search_big),
    ("6", servers.case_server_api_big),
    ("4", tracking.case_history_large),
]


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def load_average() -> float | None:
    """The 1-minute load average: how busy other processes kept the machine."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def commit() -> str | None:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    return done.stdout.strip() or None


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, few pairs (< 3 min)")
    parser.add_argument(
        "--large",
        action="store_true",
        help="only the large cases: MLflow over 100,000 runs, ten million points",
    )
    parser.add_argument(
        "--cases", default="", help="comma-separated case numbers to run (default: all; x=extras)"
    )
    parser.add_argument("--pairs", type=int, default=0, help="override the number of pairs")
    parser.add_argument("--mlflow", default="mlflow", help="pip spec for MLflow's venv")
    parser.add_argument("--out", default=str(BENCH / "results"), help="results folder")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stores, logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    plan = PLANS["quick" if args.quick else "large" if args.large else "full"]
    if args.pairs:
        plan = replace(
            plan,
            pairs=args.pairs,
            search_pairs=args.pairs,
            autolog_pairs=args.pairs,
            large_pairs=args.pairs,
        )
    wanted = {c.strip() for c in args.cases.split(",") if c.strip()}
    ml_python = mlflow_env.ensure(args.mlflow, say=lambda s: print(s, file=sys.stderr))
    work = Path(tempfile.mkdtemp(prefix="labtrack-bench-"))
    ctx = Context(plan, work, Path(sys.executable), ml_python)
    ctx.say(f"{plan.name} run; work folder {work}")
    hello = {side: ctx.call(side, "hello") for side in ("labtrack", "mlflow")}
    versions = {
        "labtrack": (hello["labtrack"] or {}).get("versions", {}).get("labtrack"),
        "commit": commit(),
        "mlflow": (hello["mlflow"] or {}).get("versions", {}).get("mlflow"),
        "scikit-learn": (hello["labtrack"] or {}).get("versions", {}).get("scikit-learn"),
        "scikit-learn (MLflow venv)": (hello["mlflow"] or {})
        .get("versions", {})
        .get("scikit-learn"),
        "venvs": {k: v for k, v in hello.items() if v},
    }
    status = 0
    try:
        for case, step in LARGE_STEPS if plan.large else STEPS:
            if wanted and case not in wanted:
                continue
            ctx.say(f"case {case}: {step.__name__}")
            ctx.info.setdefault("load_average", []).append([case, load_average()])
            try:
                step(ctx)
            except Exception as exc:  # one broken case must not lose the others' figures
                ctx.fail(f"case {case} {step.__name__}: {type(exc).__name__}: {exc}")
                status = 1
    except KeyboardInterrupt:
        ctx.fail("interrupted")
        status = 130
    finally:
        ctx.close()
    unavailable = {}
    for case, texts in ctx.results.case_notes.items():
        for text in texts:
            if "not available" in text:
                unavailable[case] = text
    doc: dict[str, Any] = {
        "mode": plan.name,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": time.perf_counter() - ctx.began,
        "machine": machine(),
        "load_average": ctx.info.get("load_average", []) + [["end", load_average()]],
        "versions": versions,
        "plan": plan.__dict__,
        "cases_run": sorted(wanted) if wanted else "all",
        "targets": report.evaluate_targets(ctx.results, unavailable),
        "unavailable": unavailable,
        "case_notes": ctx.results.case_notes,
        "errors": ctx.errors,
    }
    full = plan.name == "full" and not wanted and not args.pairs
    stem = "latest" if full else plan.name if not wanted else f"{plan.name}-cases"
    png = BENCH / "ratios.png" if full else Path(args.out) / f"ratios-{stem}.png"
    report.write(doc, ctx.results, Path(args.out), stem, png)
    if full:
        report.update_readme(REPO / "README.md", doc, ctx.results)
    ctx.say(f"results: {Path(args.out) / (stem + '.md')}, plot: {png}")
    sys.stdout.write(report.to_markdown(doc | {"measures": []}, ctx.results))
    if args.keep:
        ctx.say(f"work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if ctx.errors and status == 0:
        status = 1
    return status
