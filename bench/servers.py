"""Cases 6 and 7: the server API behind the sidebar, and model serving. Loopback only.

Case 6 starts a real ``jupyter server`` with the labtrack extension (token auth) and MLflow's
tracking server (``mlflow server``, one worker) on the stores of case 3, then alternates the
same request on each: the first page of an experiment of 10,000 runs, and every run (labtrack's
CSV route; MLflow has no CSV route, its UI pages ``runs/search``, so the suite fetches all pages
of 1,000).

Case 7 serves the registered random forest with ``labtrack serve`` and ``mlflow models serve
--env-manager local`` and loads both with the same bounded client (``loadgen.py``).
"""

from __future__ import annotations

import json
import secrets
import subprocess
from pathlib import Path
from typing import Any

from bench import loadgen
from bench.context import Context
from bench.procs import CaseError, Server, free_port
from bench.tracking import fill, runs_store

COLUMNS = [f"params.p{k}" for k in range(5)] + [f"metrics.m{k}" for k in range(5)]


def _jupyter(ctx: Context, store: Path, tracking_uri: str = "", name: str = "jupyter") -> Server:
    port, token = free_port(), secrets.token_hex(16)
    home = ctx.work / name
    for sub in ("config", "runtime", "data", "root"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = dict(ctx.lt_env)
    env.update(
        LABTRACK_HOME=str(store),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
    )
    if tracking_uri:  # a database elsewhere; the artifacts stay in the store folder
        env.update(LABTRACK_TRACKING_URI=tracking_uri, LABTRACK_ARTIFACT_ROOT=str(store))
    cmd = [
        str(ctx.lt_bin / "jupyter"),
        "server",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home / 'root'}",
        "--allow-root",
    ]
    headers = {"Authorization": f"token {token}"}
    return Server("jupyter server", cmd, env, ctx.work, ctx.logs / f"{name}.log", port, headers)


def _mlflow_server(ctx: Context, store: Path) -> Server:
    port = free_port()
    cmd = [
        str(ctx.ml_bin / "mlflow"),
        "server",
        "--backend-store-uri",
        f"sqlite:///{store}/mlflow.db",
        "--default-artifact-root",
        str(ctx.work / "mlflow-server-artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    return Server("mlflow server", cmd, ctx.ml_env, ctx.work, ctx.logs / "mlflow-server.log", port)


def case_server_api(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    total = plan.runs_total
    for side in ("labtrack", "mlflow"):
        fill(ctx, side, total)
    ids = ctx.info.get("experiment_ids", {})
    if "labtrack" not in ids or "mlflow" not in ids:
        ctx.fail("case 6: the runs stores of case 3 are missing")
        return
    start = R.measure("6", "api.start", "server start until it answers", "s")
    page = R.measure(
        "6", "api.first_page", f"first page (100 runs, 10 columns) of {total:,} runs", "ms"
    )
    every = R.measure("6", "api.all", f"all {total:,} runs (labtrack: CSV)", "s")
    lt = _jupyter(ctx, runs_store(ctx, "labtrack"))
    ml = _mlflow_server(ctx, runs_store(ctx, "mlflow"))
    try:
        times: dict[str, float | None] = {}
        both = (("labtrack", lt, "/api/status"), ("mlflow", ml, "/health"))
        if not plan.measure_server_start:  # quick: start both at once, time neither
            for _, server, _ in both:
                server.start()
        for side, server, path in both:
            if plan.measure_server_start:
                server.start()
            try:
                times[side] = server.wait_until(path, timeout=180)
            except CaseError as exc:
                ctx.fail(str(exc))
                return
        if plan.measure_server_start:
            start.add_pair(times)
            start.note(
                "labtrack: jupyter server (with every installed extension) to /api/status; "
                "MLflow: mlflow server to /health"
            )
        else:
            start.note("measured in the full mode (quick starts both servers at once)")
        cols = ",".join(COLUMNS)
        lt_page = (
            f"/labtrack/api/runs?experiment_id={ids['labtrack']}&max_results=100&columns={cols}"
        )
        lt_csv = f"/labtrack/api/runs.csv?experiment_id={ids['labtrack']}&columns={cols}"
        ml_search = "/api/2.0/mlflow/runs/search"
        lt_http, ml_http = lt.http(), ml.http()

        def lt_first() -> float:
            seconds, body = lt_http.request("GET", lt_page)
            if len(json.loads(body)["runs"]) != 100:
                raise CaseError("labtrack first page is not 100 runs")
            return seconds

        def ml_first() -> float:
            body = {"experiment_ids": [ids["mlflow"]], "max_results": 100}
            seconds, reply = ml_http.request("POST", ml_search, body)
            if len(json.loads(reply)["runs"]) != 100:
                raise CaseError("MLflow first page is not 100 runs")
            return seconds

        def lt_all() -> float:
            seconds, body = lt_http.request("GET", lt_csv)
            if body.count(b"\n") < total:
                raise CaseError("labtrack CSV has fewer rows than runs")
            return seconds

        def ml_all() -> float:
            elapsed, token, runs = 0.0, None, 0
            for _ in range(total // 1000 + 2):
                body: dict[str, Any] = {"experiment_ids": [ids["mlflow"]], "max_results": 1000}
                if token:
                    body["page_token"] = token
                seconds, reply = ml_http.request("POST", ml_search, body)
                elapsed += seconds
                data = json.loads(reply)
                runs += len(data.get("runs", []))
                token = data.get("next_page_token")
                if not token:
                    break
            if runs < total:
                raise CaseError(f"MLflow paging returned {runs} runs")
            return elapsed

        for fn in (lt_first, ml_first):  # warm: connections, caches
            fn()
        both_servers = {"labtrack": lt, "mlflow": ml}
        _pairs(ctx, page, plan.api_pairs, lt_first, ml_first, 1e3, both_servers)
        ml_every = ml_all if plan.mlflow_all_pages else None
        _pairs(ctx, every, plan.csv_pairs, lt_all, ml_every, 1.0, both_servers)
        if plan.mlflow_all_pages:
            every.note(
                "MLflow has no CSV route (its UI pages runs/search): all pages of 1,000, "
                "JSON only, no CSV made"
            )
        else:
            every.note("MLflow's side (paging all runs through runs/search) runs in the full mode")
        page.note(
            "labtrack: GET labtrack/api/runs with 10 columns; MLflow: POST "
            "api/2.0/mlflow/runs/search, max_results=100 (every param, metric and tag)"
        )
        lt_http.close()
        ml_http.close()
    finally:
        lt.stop()
        ml.stop()


def case_server_api_big(ctx: Context) -> None:
    """The sidebar's first page over 100,000 runs (MLflow beside it in bench/run --large)."""
    plan = ctx.plan
    total = plan.runs_big
    if not total:
        return
    sides = ("labtrack", "labtrack_pg", "mlflow") if plan.large else ("labtrack", "labtrack_pg")
    for side in sides:
        fill(ctx, side, total)
    ids = ctx.info.get("experiment_ids", {})
    page = ctx.results.measure(
        "6", "api.100k.first_page", f"first page (100 runs, 10 columns) of {total:,} runs", "ms"
    )
    servers: dict[str, Server] = {}
    try:
        for side in sides:
            if side == "labtrack":
                servers[side] = _jupyter(ctx, runs_store(ctx, side))
            elif side == "labtrack_pg":
                url = ctx.postgres_url()
                if url is None or side not in ids:
                    continue
                uri = _pg_store_uri(url, runs_store(ctx, side))
                servers[side] = _jupyter(ctx, runs_store(ctx, side), uri, name="jupyter-pg")
            else:
                servers[side] = _mlflow_server(ctx, runs_store(ctx, side))
            servers[side].start()
        fetch: dict[str, Any] = {}
        for side, server in servers.items():
            health = "/health" if side == "mlflow" else "/api/status"
            try:
                server.wait_until(health, timeout=180)
            except CaseError as exc:
                ctx.fail(str(exc))
                continue
            fetch[side] = _first_page(side, server, ids[side])
            fetch[side]()  # warm: connections, caches, statistics
        for _ in range(plan.api_pairs):
            values: dict[str, float | None] = {}
            for side, fn in fetch.items():
                try:
                    values[side] = fn() * 1e3
                except (CaseError, OSError) as exc:
                    ctx.fail(f"{page.key} {side}: {exc}")
                    values[side] = None
            page.add_pair(values, {s: servers[s].peak_rss_mb() for s in values})
        ctx.say(f"{page.key}: labtrack {page.summary('labtrack')}")
        page.note(
            "labtrack: GET labtrack/api/runs with 10 columns; MLflow: POST "
            "api/2.0/mlflow/runs/search, max_results=100 (every param, metric and tag)"
        )
        if "mlflow" not in sides:
            page.note(f"MLflow over {total:,} runs is measured in bench/run --large")
    finally:
        for server in servers.values():
            server.stop()


def _pg_store_uri(server_url: str, folder: Path) -> str:
    name = "b_" + "".join(c if c.isalnum() else "_" for c in folder.name.lower())
    return server_url.rsplit("/", 1)[0] + "/" + name[:60]


def _first_page(side: str, server: Server, experiment_id: str) -> Any:
    http = server.http()
    if side == "mlflow":

        def mlflow_page() -> float:
            body = {"experiment_ids": [experiment_id], "max_results": 100}
            seconds, reply = http.request("POST", "/api/2.0/mlflow/runs/search", body)
            if len(json.loads(reply)["runs"]) != 100:
                raise CaseError("MLflow first page is not 100 runs")
            return seconds

        return mlflow_page
    path = (
        f"/labtrack/api/runs?experiment_id={experiment_id}&max_results=100"
        f"&columns={','.join(COLUMNS)}"
    )

    def labtrack_page() -> float:
        seconds, body = http.request("GET", path)
        if len(json.loads(body)["runs"]) != 100:
            raise CaseError("labtrack first page is not 100 runs")
        return seconds

    return labtrack_page


def _pairs(
    ctx: Context,
    measure: Any,
    pairs: int,
    lt_fn: Any,
    ml_fn: Any,
    scale: float = 1.0,
    servers: dict[str, Server] | None = None,
) -> None:
    for _ in range(pairs):
        values: dict[str, float | None] = {}
        for side, fn in (("labtrack", lt_fn), ("mlflow", ml_fn)):
            if fn is None:
                continue
            try:
                values[side] = fn() * scale
            except (CaseError, OSError) as exc:
                ctx.fail(f"{measure.key} {side}: {exc}")
                values[side] = None
        rss = {side: server.peak_rss_mb() for side, server in (servers or {}).items()}
        measure.add_pair(values, rss)
    ctx.say(
        f"{measure.key}: labtrack {measure.summary('labtrack')}, MLflow {measure.summary('mlflow')}"
    )


# -- case 7: serving ----------------------------------------------------------------------------

LOADS = ((1, 1), (100, 1), (1, 4), (100, 4))
# A second labtrack server answers the loads with several clients with adaptive batching on.
MAX_BATCH = 8


def labtrack_serve_available(ctx: Context) -> str | None:
    """None if ``labtrack serve`` exists, else why not."""
    done = subprocess.run(
        [str(ctx.lt_bin / "labtrack"), "serve", "--help"],
        capture_output=True,
        text=True,
        env=ctx.lt_env,
    )
    if done.returncode != 0:
        return "labtrack serve is not available yet (the command does not exist)"
    return None


def _serve_cmd(
    ctx: Context, side: str, model: dict[str, Any], port: int, extra: tuple[str, ...] = ()
) -> Server:
    name, log = f"{side} serve", ctx.logs / f"serve-{side}.log"
    if extra:
        name, log = f"{name} {' '.join(extra)}", ctx.logs / f"serve-{side}-{extra[-1]}.log"
    if side == "labtrack":
        cmd = [
            str(ctx.lt_bin / "labtrack"),
            "serve",
            model["model_uri"],
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *extra,
        ]
        env = dict(ctx.lt_env, LABTRACK_TRACKING_URI=model["tracking_uri"])
    else:
        cmd = [
            str(ctx.ml_bin / "mlflow"),
            "models",
            "serve",
            "-m",
            model["model_uri"],
            "--env-manager",
            "local",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ]
        env = dict(ctx.ml_env, MLFLOW_TRACKING_URI=model["tracking_uri"])
    return Server(name, cmd, env, ctx.work, log, port)


def _payload(model: dict[str, Any], rows: int) -> bytes:
    data = model[f"rows_{rows}"]
    return json.dumps({"dataframe_split": {"columns": model["columns"], "data": data}}).encode()


def case_serving(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    health = R.measure("7", "serve.start", "serving: start to first healthy answer (/ping)", "s")
    R.measure("7", "serve.first_prediction", "serving: start to first prediction", "s")
    predict = R.measure("7", "serve.predict_1", "the model's own predict, 1 row (in process)", "ms")
    why = labtrack_serve_available(ctx)
    health.note(
        "labtrack serve / mlflow models serve --env-manager local, one worker each; "
        "polled every 20 ms"
    )
    models: dict[str, dict[str, Any] | None] = {}
    for side in ("labtrack", "mlflow"):
        models[side] = ctx.call(side, "model", store=str(ctx.work / "stores" / f"model-{side}"))
    for side, model in models.items():
        if model is not None and not model.get("available"):
            why = why or model.get("reason")
            models[side] = None
    predict.add_pair({s: m["predict_1_ms"] if m else None for s, m in models.items()})
    sides = [s for s, m in models.items() if m is not None]
    if why:
        sides = [s for s in sides if s != "labtrack"]
        ctx.results.note("7", why)
        for key in ("serve.start", "serve.first_prediction"):
            R.measures[key].unavailable["labtrack"] = why
    if not sides:
        return
    for _ in range(plan.serve_starts - 1):  # more starts; the load's own start is one too
        for server in _start(ctx, sides, models).values():
            server.stop()
    _load(ctx, sides, models)


def _start(ctx: Context, sides: list[str], models: dict[str, Any]) -> dict[str, Server]:
    """Start each side's server in turn (the other side's, if up, idles), recording the start.

    Returns the running servers; a side whose server did not come up is left out."""
    health, first = ctx.results.get("serve.start"), ctx.results.get("serve.first_prediction")
    assert health is not None and first is not None
    values: dict[str, float | None] = {}
    firsts: dict[str, float | None] = {}
    running: dict[str, Server] = {}
    for side in sides:
        server = _serve_cmd(ctx, side, models[side], free_port())
        server.start()
        body = json.loads(_payload(models[side], 1))
        try:
            values[side] = server.wait_until("/ping", timeout=240)
            firsts[side] = server.wait_until("/invocations", 60, "POST", body)
            running[side] = server
        except CaseError as exc:
            ctx.fail(str(exc))
            values[side] = firsts[side] = None
            server.stop()
    health.add_pair(values)
    first.add_pair(firsts)
    ctx.say(f"case 7 start: {values}")
    return running


def _start_batched(ctx: Context, models: dict[str, Any]) -> Server | None:
    """``labtrack serve --max-batch N`` beside the default one (its start is not timed)."""
    if models.get("labtrack") is None:
        return None
    server = _serve_cmd(
        ctx, "labtrack", models["labtrack"], free_port(), ("--max-batch", str(MAX_BATCH))
    )
    server.start()
    try:
        server.wait_until("/ping", timeout=240)
    except CaseError as exc:
        ctx.fail(str(exc))
        server.stop()
        return None
    return server


def _load(ctx: Context, sides: list[str], models: dict[str, Any]) -> None:
    R, plan = ctx.results, ctx.plan
    servers = _start(ctx, sides, models)
    batched = _start_batched(ctx, models)
    overhead = R.measure(
        "7",
        "serve.overhead",
        "serving overhead over the model's predict, p50, 1 row, 1 client",
        "ms",
    )
    overhead.note(
        "each request's latency minus the predict time the server reports in its Server-Timing "
        "header (labtrack only; MLflow sends none)"
    )
    try:
        warm = [(s, server) for s, server in servers.items()]
        warm += [("labtrack", batched)] if batched else []
        for side, server in warm:  # warm-up
            loadgen.load(
                server.port,
                "/invocations",
                _payload(models[side], 1),
                {"Content-Type": "application/json"},
                1,
                1.0,
                20,
            )
        for rows, clients in LOADS:
            what = (
                f"{rows} row{'s' if rows > 1 else ''}, {clients} client{'s' if clients > 1 else ''}"
            )
            key = f"serve.r{rows}.c{clients}"
            p50 = R.measure("7", f"{key}.p50", f"serving latency p50, {what}", "ms")
            p99 = R.measure("7", f"{key}.p99", f"serving latency p99, {what}", "ms")
            rps = R.measure("7", f"{key}.rps", f"serving throughput, {what}", "req/s", True)
            with_batch = batched is not None and clients > 1
            if with_batch:
                b_what = f"{what}, labtrack --max-batch {MAX_BATCH}"
                b_p50 = R.measure("7", f"{key}.batch.p50", f"serving latency p50, {b_what}", "ms")
                b_rps = R.measure(
                    "7", f"{key}.batch.rps", f"serving throughput, {b_what}", "req/s", True
                )
                b_rps.note(
                    f"a second labtrack server started with --max-batch {MAX_BATCH}: requests "
                    "that queue while the model predicts share one predict call; measured right "
                    "after the pair's default labtrack and MLflow loads, ratio against that MLflow"
                )
            for _ in range(plan.load_pairs):
                got: dict[str, dict[str, float] | None] = {}
                targets = list(servers.items())
                targets += [("batched", batched)] if with_batch and batched else []
                for side, server in targets:
                    body = _payload(models["labtrack" if side == "batched" else side], rows)
                    got[side] = loadgen.load(
                        server.port,
                        "/invocations",
                        body,
                        {"Content-Type": "application/json"},
                        clients,
                        plan.load_seconds,
                        plan.load_max_requests,
                    )
                    if got[side]["errors"]:  # type: ignore[index]
                        ctx.fail(f"{key} {side}: {got[side]['errors']} failed requests")  # type: ignore[index]
                b = got.pop("batched", None)
                if with_batch:
                    ml = got.get("mlflow")
                    b_p50.add_pair(
                        {
                            "labtrack": b["p50_ms"] if b else None,
                            "mlflow": ml["p50_ms"] if ml else None,
                        }
                    )
                    b_rps.add_pair(
                        {
                            "labtrack": b["throughput_rps"] if b else None,
                            "mlflow": ml["throughput_rps"] if ml else None,
                        }
                    )
                p50.add_pair({s: r["p50_ms"] if r else None for s, r in got.items()})
                if rows == 1 and clients == 1:
                    lt = got.get("labtrack")
                    overhead.add_pair({"labtrack": lt["overhead_p50_ms"] if lt else None})
                p99.add_pair({s: r["p99_ms"] if r else None for s, r in got.items()})
                rps.add_pair({s: r["throughput_rps"] if r else None for s, r in got.items()})
            ctx.say(f"case 7 {what}: p50 {p50.summary('labtrack')} / {p50.summary('mlflow')}")
            rps.note(
                f"each load: {plan.load_seconds:g} s or {plan.load_max_requests:,} requests "
                "per client, whichever first; clients are processes on keep-alive connections"
            )
    except CaseError as exc:
        ctx.fail(str(exc))
    finally:
        for server in [*servers.values(), *([batched] if batched else [])]:
            server.stop()
