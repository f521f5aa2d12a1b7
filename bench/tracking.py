"""Cases 1-5 and 8: logging calls, many runs and search, long histories, cold start, autolog.

Each case alternates the sides pair by pair (labtrack, MLflow, MLflow async) and records one
ratio per pair. Work the tools do differently in size (MLflow does fewer calls where the full
size would take minutes) is compared per call, per point or per run, and says so.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bench.context import Context
from bench.procs import CaseError, timed_run

PG_NOTE = (
    "labtrack (PostgreSQL): a local PostgreSQL server with its default durability (fsync on), "
    "over loopback"
)

TRACKING_SIDES = ("labtrack", "mlflow", "mlflow_async")
SEARCH_FILTER = "metrics.m0 > 0.5 and params.p1 = 'a'"
SEARCH_ORDER = ["metrics.m1 DESC"]


def _rss(got: dict[str, dict[str, Any] | None]) -> dict[str, float | None]:
    """Each side's peak resident memory (MB) during its call."""
    return {side: r.get("peak_rss_mb") if r else None for side, r in got.items()}


def _sizes_note(ctx: Context, what: str, sizes: dict[str, int], unit: str) -> str:
    parts = [f"{side.replace('_', ' ')} {n:,} {unit}" for side, n in sizes.items()]
    return f"{what}: " + ", ".join(parts)


def case_log_metric(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    caller = R.measure("1", "log_metric.caller", "log_metric, caller-side per call", "µs")
    durable = R.measure("1", "log_metric.durable", "log_metric, until durable, per point", "µs")
    sizes = plan.log_metric_n
    for rep in range(plan.pairs):
        got = {side: ctx.call(side, "log_metric", n=sizes[side]) for side in TRACKING_SIDES}
        caller.add_pair(
            {s: r["caller_per_call_us"] if r else None for s, r in got.items()}, _rss(got)
        )
        durable.add_pair(
            {s: r["durable_per_point_us"] if r else None for s, r in got.items()}, _rss(got)
        )
        totals = {s: round(r["durable_s"], 3) for s, r in got.items() if r}
        ctx.say(f"case 1 pair {rep + 1}/{plan.pairs}: time until durable (s) {totals}")
    note = _sizes_note(ctx, "calls per measurement", sizes, "calls")
    caller.note(note + " (MLflow does fewer: the per-call cost is what is compared)")
    durable.note("until end_run returns with every point in the store, divided by the calls")
    caller.sizes = durable.sizes = dict(sizes)
    writer_sustained(ctx)


def writer_sustained(ctx: Context) -> None:
    """log_metric in a loop of millions of points: the background writer's steady pace."""
    plan = ctx.plan
    n = plan.writer_n
    pace = ctx.results.measure(
        "1", "writer.sustained", f"background writer, sustained ({n:,} points)", "points/s", True
    )
    for rep in range(plan.writer_pairs):
        got = {side: ctx.call(side, "writer", n=n) for side in ("labtrack", "labtrack_pg")}
        pace.add_pair({s: r["points_per_s"] if r else None for s, r in got.items()}, _rss(got))
        ctx.say(f"case 1 writer {rep + 1}/{plan.writer_pairs}: points/s {pace.summary('labtrack')}")
    pace.note(
        "log_metric in a loop, then end_run: points per second until all are durable; MLflow "
        "is not run (its async logging takes ~1 ms per call: 2,000,000 points would take over "
        "half an hour; case 1's per-call figures compare the two)"
    )
    pace.note(PG_NOTE)


def case_log_calls(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    m = {
        "param": R.measure("2", "calls.log_param", "log_param, per call", "µs"),
        "metrics": R.measure("2", "calls.log_metrics", "log_metrics (50 keys), per call", "µs"),
        "metrics_durable": R.measure(
            "2", "calls.log_metrics_durable", "log_metrics (50 keys), until durable, per call", "µs"
        ),
        "batch": R.measure("2", "calls.log_batch", "log_batch of 1,000 metrics", "ms"),
        "batch_durable": R.measure(
            "2", "calls.log_batch_durable", "log_batch of 1,000 metrics, until durable", "ms"
        ),
    }
    keys = {
        "param": "log_param_per_call_us",
        "metrics": "log_metrics_per_call_us",
        "metrics_durable": "log_metrics_durable_per_call_us",
        "batch": "log_batch_ms",
        "batch_durable": "log_batch_durable_ms",
    }
    for rep in range(plan.pairs):
        got = {side: ctx.call(side, "log_calls", **plan.log_calls[side]) for side in TRACKING_SIDES}
        for name, measure in m.items():
            measure.add_pair({s: r[keys[name]] if r else None for s, r in got.items()}, _rss(got))
        ctx.say(f"case 2 pair {rep + 1}/{plan.pairs} done")
    calls = {side: c["params"] for side, c in plan.log_calls.items()}
    m["param"].note(_sizes_note(ctx, "log_param calls", calls, "calls"))
    steps = {side: c["steps"] for side, c in plan.log_calls.items()}
    m["metrics"].note(_sizes_note(ctx, "log_metrics calls (50 keys each)", steps, "calls"))


# -- case 3: many runs, search ---------------------------------------------------------------


def runs_store(ctx: Context, side: str) -> Path:
    return ctx.work / "stores" / f"runs-{side}"


def case_runs(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    per_run = R.measure("3", "runs.create", "create a run (5 params, 5 metrics), per run", "ms")
    totals: dict[str, float] = {"labtrack": 0.0, "labtrack_pg": 0.0, "mlflow": 0.0}
    created = {"labtrack": 0, "labtrack_pg": 0, "mlflow": 0}
    per_pair = dict(plan.runs_per_pair, labtrack_pg=plan.pg_runs_per_pair)
    for rep in range(plan.runs_pairs):
        got: dict[str, dict[str, Any] | None] = {}
        for side in ("labtrack", "labtrack_pg", "mlflow"):
            n = per_pair[side]
            got[side] = ctx.call(
                side, "create_runs", store=str(runs_store(ctx, side)), n=n, seed=rep
            )
            if got[side]:
                totals[side] += got[side]["total_s"]
                created[side] += n
                ctx.info.setdefault("experiment_ids", {})[side] = got[side]["experiment_id"]
        per_run.add_pair({s: r["per_run_ms"] if r else None for s, r in got.items()}, _rss(got))
        ctx.say(f"case 3 pair {rep + 1}/{plan.runs_pairs}: runs created so far {created}")
    per_run.note(_sizes_note(ctx, "runs created through the API", created, "runs"))
    per_run.note(PG_NOTE)

    total = plan.runs_total
    create_all = R.measure("3", "runs.create_all", f"create {total:,} runs", "s")
    values: dict[str, float | None] = {}
    for side in ("labtrack", "labtrack_pg", "mlflow"):
        s = per_run.summary(side)
        if created[side] >= total:
            values[side] = totals[side]
        elif s:
            values[side] = s["median"] * total / 1e3
            create_all.note(
                f"{side}: extrapolated from {created[side]:,} runs (per-run median x {total:,})"
            )
    create_all.add_pair(values)
    for side in ("labtrack", "labtrack_pg", "mlflow"):
        fill(ctx, side, total)
    search(ctx, total, ("labtrack", "labtrack_pg", "mlflow"), plan.search_pairs)


def fill(ctx: Context, side: str, total: int) -> None:
    """Make sure the side's runs store holds ``total`` runs (copies of API-made runs)."""
    store = str(runs_store(ctx, side))
    if not Path(store).exists():
        got = ctx.call(side, "create_runs", store=store, n=100, seed=0)
        if got:
            ctx.info.setdefault("experiment_ids", {})[side] = got["experiment_id"]
    got = ctx.call(side, "populate", store=store, total=total)
    if got and got["added"]:
        ctx.results.note(
            "3",
            f"{side}: store filled to {got['runs']:,} runs by copying the rows of runs created "
            f"through the API (new ids, fresh random values; {got['seconds']:.0f} s, not timed)",
        )
        ctx.say(f"{side}: filled to {got['runs']:,} runs in {got['seconds']:.1f} s")


def search(ctx: Context, total: int, sides: tuple[str, ...], pairs: int) -> None:
    R = ctx.results
    tag = f"{total // 1000}k"
    what = f"over {total:,} runs"
    frame = R.measure("3", f"search.{tag}.frame", f"search_runs -> DataFrame, {what}", "ms")
    page = R.measure(
        "3", f"search.{tag}.page", f"MlflowClient.search_runs, first 100, {what}", "ms"
    )
    stopped: dict[str, str] = {}  # MLflow's measures that did not finish (--large)
    for rep in range(pairs):
        got: dict[str, dict[str, Any] | None] = {
            side: ctx.call(
                side,
                "search",
                store=str(runs_store(ctx, side)),
                filter_string=SEARCH_FILTER,
                order_by=SEARCH_ORDER,
                page=100,
            )
            for side in sides
            if side != "mlflow" or not ctx.plan.large
        }
        if "mlflow" in sides and ctx.plan.large:
            got["mlflow"] = _mlflow_big_search(ctx, rep, stopped)
        frame.add_pair({s: r.get("frame_ms") if r else None for s, r in got.items()}, _rss(got))
        page.add_pair({s: r.get("first_page_ms") if r else None for s, r in got.items()}, _rss(got))
        rows = {s: r.get("frame_rows") for s, r in got.items() if r}
        ctx.say(f"case 3 search {what} {rep + 1}/{pairs}: matching runs {rows}")
    for name, measure in (("first_page", page), ("frame", frame)):
        if name in stopped:
            measure.note(stopped[name])
    if "mlflow" in sides and ctx.plan.large:
        for measure in (page, frame):
            measure.note(
                f"MLflow: at most {ctx.plan.mlflow_big_search_pairs} sample(s), each call "
                f"stopped after {ctx.plan.mlflow_big_search_timeout_s:.0f} s; no untimed "
                "warm-up call (labtrack has one)"
            )
    frame.note(f'filter "{SEARCH_FILTER}", order_by {SEARCH_ORDER}')
    if "mlflow" not in sides:
        for m in (frame, page):
            m.note(
                f"MLflow over {total:,} runs is measured in bench/run --large (its search "
                "takes seconds per call there)"
            )


def _mlflow_big_search(ctx: Context, rep: int, stopped: dict[str, str]) -> dict[str, Any] | None:
    """MLflow's first page and DataFrame over 100,000 runs, each call time-boxed: a call that
    does not finish in time is stopped and not tried again."""
    plan = ctx.plan
    if rep >= plan.mlflow_big_search_pairs:
        return None
    out: dict[str, Any] = {}
    for name in ("first_page", "frame"):
        if name in stopped:
            continue
        got = ctx.call(
            "mlflow",
            "search",
            timeout=plan.mlflow_big_search_timeout_s,
            store=str(runs_store(ctx, "mlflow")),
            filter_string=SEARCH_FILTER,
            order_by=SEARCH_ORDER,
            page=100,
            which=[name],
            warm=False,
        )
        if got is None:
            stopped[name] = (
                f"MLflow: did not finish within {plan.mlflow_big_search_timeout_s:.0f} s "
                "(stopped; no figure)"
            )
            continue
        out.update(got)
    return out or None


def case_search_big(ctx: Context) -> None:
    if not ctx.plan.runs_big:
        ctx.results.note("3", "the 100,000-run search runs in the full mode only")
        return
    sides: tuple[str, ...] = ("labtrack", "labtrack_pg")
    if ctx.plan.large:
        sides += ("mlflow",)
    for side in sides:
        fill(ctx, side, ctx.plan.runs_big)
    search(ctx, ctx.plan.runs_big, sides, ctx.plan.search_pairs)


# -- case 4: one metric with many points -----------------------------------------------------


def case_history(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    n_lt, n_ml = plan.history_n["labtrack"], plan.history_n["mlflow"]
    at = f"{n_lt:,} points"
    m = {
        "write_s": R.measure("4", "history.write", f"write {at} (log_batch x 1,000)", "s"),
        "read_s": R.measure("4", "history.read", f"read {at} (get_metric_history)", "s"),
        "downsampled_s": R.measure("4", "history.downsampled", f"downsampled read of {at}", "s"),
    }
    sizes = dict(plan.history_n, labtrack_pg=plan.pg_history_n)
    for rep in range(plan.history_pairs):
        got = {
            side: ctx.call(side, "history", n=sizes[side])
            for side in ("labtrack", "labtrack_pg", "mlflow")
        }
        for key, measure in m.items():
            values = {}
            for side, r in got.items():
                if r:  # MLflow's figure scaled to labtrack's size (per-point cost x points)
                    values[side] = r[key] * n_lt / r["n"]
            measure.add_pair(values, _rss(got))
        if got["labtrack"]:
            ctx.info["downsampler"] = got["labtrack"]["downsampler"]
        ctx.say(f"case 4 pair {rep + 1}/{plan.history_pairs} done")
    if n_ml != n_lt:
        for measure in m.values():
            measure.note(f"MLflow: measured at {n_ml:,} points, scaled linearly to {n_lt:,}")
    m["write_s"].note(PG_NOTE)
    downsampler = ctx.info.get("downsampler", "?")
    m["downsampled_s"].note(
        f"to 1,000 points (min and max per bucket). labtrack: {downsampler}; MLflow (no "
        "downsampling of its own): get_metric_history, then the same buckets client-side"
    )


def case_history_large(ctx: Context) -> None:
    """bench/run --large: ten million points, written and read downsampled (labtrack only)."""
    plan = ctx.plan
    if not plan.large:
        ctx.results.note("4", "the 10,000,000-point history is measured in bench/run --large")
        return
    n = plan.history_large_n
    at = f"{n:,} points"
    write = ctx.results.measure("4", "history.large.write", f"write {at} (log_batch x 1,000)", "s")
    down = ctx.results.measure("4", "history.large.downsampled", f"downsampled read of {at}", "s")
    for rep in range(plan.large_pairs):
        got = {
            side: ctx.call(side, "history_large", n=n, timeout=3600)
            for side in ("labtrack", "labtrack_pg")
        }
        write.add_pair({s: r["write_s"] if r else None for s, r in got.items()}, _rss(got))
        down.add_pair({s: r["downsampled_s"] if r else None for s, r in got.items()}, _rss(got))
        ctx.say(f"case 4 large {rep + 1}/{plan.large_pairs}: {down.summary('labtrack')}")
    note = (
        f"labtrack only: MLflow writes ~10,000 points/s here ({n:,} points would take over "
        "15 minutes per sample), and has no downsampled read"
    )
    for measure in (write, down):
        measure.note(note)
        measure.note(PG_NOTE)
    down.note("to 1,000 points (min and max per bucket), from the multi-resolution summaries")


# -- case 5: cold start ------------------------------------------------------------------------

FIRST_METRIC = (
    "import sys\nimport {lib} as mlflow\nmlflow.set_tracking_uri(sys.argv[1])\n"
    "mlflow.log_metric('loss', 0.5)\nmlflow.end_run()\n"
)


def _points_in(db: Path) -> int:
    con = sqlite3.connect(str(db))
    try:
        return int(con.execute("SELECT count(*) FROM metrics WHERE key = 'loss'").fetchone()[0])
    finally:
        con.close()


def _first_metric(ctx: Context, side: str, new_store: bool, rep: int) -> float | None:
    lib = "labtrack" if side == "labtrack" else "mlflow"
    if new_store:
        folder = ctx.work / "stores" / f"cold-new-{side}-{rep}"
        uri = str(folder) if lib == "labtrack" else f"sqlite:///{folder}/mlflow.db"
        if lib == "mlflow":
            folder.mkdir(parents=True, exist_ok=True)
        db = folder / ("labtrack.db" if lib == "labtrack" else "mlflow.db")
    else:
        got = ctx.call(side, "fresh_store", name="cold")
        if not got:
            return None
        uri, db = got["tracking_uri"], Path(got["db"])
    cmd = [str(ctx.python(side)), "-c", FIRST_METRIC.format(lib=lib), uri]
    try:
        seconds = timed_run(cmd, ctx.env(side), ctx.work, timeout=300)
    except (CaseError, OSError) as exc:
        ctx.fail(f"{side} first metric: {exc}")
        return None
    if _points_in(db) != 1:
        ctx.fail(f"{side} first metric: the point is not in {db}")
        return None
    return seconds


def case_cold(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    sides = ("labtrack", "mlflow")
    libs = {"labtrack": "labtrack", "mlflow": "mlflow"}
    python = R.measure("5", "cold.python", "python -c pass (the interpreter alone)", "s")
    imp = R.measure("5", "cold.import", 'python -c "import labtrack" / "import mlflow"', "s")
    for _ in range(plan.import_pairs):
        values, base = {}, {}
        for side in sides:
            try:
                base[side] = timed_run(
                    [str(ctx.python(side)), "-c", "pass"], ctx.env(side), ctx.work
                )
                values[side] = timed_run(
                    [str(ctx.python(side)), "-c", f"import {libs[side]}"], ctx.env(side), ctx.work
                )
            except CaseError as exc:
                ctx.fail(str(exc))
        python.add_pair(base)
        imp.add_pair(values)
    lt, ml = R.median("cold.import"), R.median("cold.import", "mlflow")
    ctx.say(f"case 5 import: labtrack {lt} s, MLflow {ml} s")
    imp.note("wall time of the whole process, interpreter start included")

    first = R.measure("5", "cold.first_metric", "cold process to first metric durable", "s")
    first_new = R.measure(
        "5", "cold.first_metric_new", "cold process to first metric durable, new store", "s"
    )
    for rep in range(plan.first_metric_pairs):
        first.add_pair({side: _first_metric(ctx, side, False, rep) for side in sides})
    for rep in range(plan.new_store_pairs):
        first_new.add_pair({side: _first_metric(ctx, side, True, rep) for side in sides})
    first.note("a new process: import, set_tracking_uri, log_metric, end_run; the store exists")
    first_new.note("the same on a path with no store yet: the store is created first")
    ctx.say(f"case 5 first metric: labtrack {R.median('cold.first_metric')} s")


# -- case 8: autolog -----------------------------------------------------------------------------


def case_autolog(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    off = R.measure("8", "autolog.off", "RandomForest fit, no logging", "s")
    on = R.measure("8", "autolog.on", "RandomForest fit with autolog", "s")
    over = R.measure("8", "autolog.overhead", "autolog overhead per fit", "s")
    sides = ("labtrack", "mlflow")
    stores = {side: str(ctx.work / "stores" / f"autolog-{side}") for side in sides}
    for side in sides:  # warm-up: imports, the first run, the first model write
        for mode in ("off", "on"):
            ctx.call(side, "autolog_fit", store=stores[side], mode=mode)
    for rep in range(plan.autolog_pairs):
        fits: dict[str, dict[str, float | None]] = {"off": {}, "on": {}}
        for side in sides:
            for mode in ("off", "on"):
                r = ctx.call(side, "autolog_fit", store=stores[side], mode=mode)
                fits[mode][side] = r["fit_s"] if r else None
        off.add_pair(fits["off"])
        on.add_pair(fits["on"])
        overhead: dict[str, float | None] = {}
        for side in sides:
            a, b = fits["on"][side], fits["off"][side]
            overhead[side] = a - b if a is not None and b is not None else None
        over.add_pair(overhead)
        ctx.say(f"case 8 pair {rep + 1}/{plan.autolog_pairs}: {fits}")
    off.note("the same scikit-learn version in both virtualenvs: the two columns should agree")
    on.note("each tool's defaults (model logged); 100 trees, n_jobs=1, diabetes data (442 x 10)")


def case_capture(ctx: Context) -> None:
    m = ctx.results.measure("x", "extra.capture", "notebook version capture, 1 MB notebook", "ms")
    for _ in range(ctx.plan.pairs):
        r = ctx.call("labtrack", "capture")
        m.add_pair({"labtrack": r["capture_ms"] if r else None})
    m.note("labtrack only (MLflow keeps no notebook versions); paid at each notebook run's start")
