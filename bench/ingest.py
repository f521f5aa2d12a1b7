"""Case 9: sustained metric ingest through MLflow's REST protocol, on SQLite and PostgreSQL.

Both servers get the same workload, sent by the same client code: C client processes, each
logging into its own run, send ``POST .../api/2.0/mlflow/runs/log-batch`` requests of 1,000
metric points (10 keys x 100 steps, new steps in every request) back to back, one at a time
on a keep-alive connection, for a fixed time (and at most a fixed number of requests). A point
counts when its request was answered 200, which on both servers means it was committed. The
figure is points per second over the load's wall time; afterwards one run's history is read
back through the same API on each side to check that what was acknowledged is there.

- labtrack: a ``jupyter server`` with the labtrack extension (token auth), its MLflow routes at
  ``/labtrack/mlflow``; concurrent batches share transactions (group commit).
- MLflow: ``mlflow server`` with its defaults (4 workers), ``--backend-store-uri`` the same kind
  of database.

The clients send prebuilt JSON bodies (built before the clock starts), so the figure measures
the servers, not a client's JSON encoding; MLflow's own Python client costs more per call on the
client side, which this case leaves out on purpose. PostgreSQL is a throwaway server started
for the case (default settings, durable commits), one database per side; MLflow's venv gets
``psycopg`` for it on first use.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import servers
from bench.context import Context
from bench.procs import CaseError, Server, free_port, stop_group

MLFLOW_API = "/api/2.0/mlflow/"
LABTRACK_API = "/labtrack/mlflow/api/2.0/mlflow/"
KEYS, STEPS = 10, 100  # one request: 1,000 points
T0 = 1_796_000_000_000


def bodies(run_id: str, requests: int) -> list[bytes]:
    """``requests`` log-batch bodies for one run, each with new steps."""
    out = []
    for r in range(requests):
        base = r * STEPS
        metrics = [
            {
                "key": f"m{k}",
                "value": (base + s) * 0.001 + k,
                "timestamp": T0 + base + s,
                "step": base + s,
            }
            for s in range(STEPS)
            for k in range(KEYS)
        ]
        out.append(json.dumps({"run_id": run_id, "metrics": metrics}).encode())
    return out


def _client(
    index: int,
    port: int,
    path: str,
    headers: dict[str, str],
    payloads: list[bytes],
    seconds: float,
    start_at: float,
    out: Any,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    sent = dict(headers, **{"Content-Type": "application/json"})
    ok = errors = 0
    while time.monotonic() < start_at:
        time.sleep(0.001)
    begin = time.monotonic()
    for body in payloads:
        if time.monotonic() - begin > seconds:
            break
        try:
            conn.request("POST", path, body=body, headers=sent)
            answer = conn.getresponse()
            answer.read()
            if answer.status == 200:
                ok += 1
            else:
                errors += 1
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            errors += 1
    out.put((index, ok, errors, begin, time.monotonic()))
    conn.close()


def load(
    port: int, path: str, headers: dict[str, str], payloads: list[list[bytes]], seconds: float
) -> dict[str, float]:
    """Points per second of ``len(payloads)`` concurrent clients (one list of bodies each)."""
    ctx = mp.get_context("fork")  # the bodies reach the clients without a copy
    out = ctx.Queue()
    start_at = time.monotonic() + 0.3
    procs = [
        ctx.Process(
            target=_client,
            args=(i, port, path, headers, p, seconds, start_at, out),
            daemon=True,
        )
        for i, p in enumerate(payloads)
    ]
    for p in procs:
        p.start()
    # They finish in any order: sorted by client, so acked[i] is what client i sent.
    results = sorted(out.get(timeout=seconds + 300) for _ in procs)
    for p in procs:
        p.join(10)
        if p.is_alive():
            p.kill()
    acked = sum(r[1] for r in results)
    wall = max(r[4] for r in results) - min(r[3] for r in results)
    return {
        "points_per_s": acked * KEYS * STEPS / wall if wall > 0 else 0.0,
        "requests": acked,
        "errors": sum(r[2] for r in results),
        "acked": [r[1] for r in results],
        "failed": [r[2] for r in results],
    }


def session_cpu_s(leader: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of the session ``leader``
    started (a server and its workers: the suite starts each in a session of its own)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while listed
            continue
        # After the command's ")": state, ppid, pgrp, session, ..., utime (12th), stime (13th).
        if int(fields[3]) == leader:
            total += int(fields[11]) + int(fields[12])
    return total / tick


class Postgres:
    """A throwaway PostgreSQL server (``initdb`` + ``postgres``, as ``postgres`` when root)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @staticmethod
    def binary(name: str) -> str | None:
        import glob

        found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
        return found[0] if found else shutil.which(name)

    def start(self) -> None:
        initdb, postgres = self.binary("initdb"), self.binary("postgres")
        if initdb is None or postgres is None:
            raise CaseError("PostgreSQL binaries (initdb, postgres) not available")
        kwargs: dict[str, Any] = {}
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            import pwd

            user = pwd.getpwnam("postgres")
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
            self.folder.mkdir(parents=True, exist_ok=True)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        data = self.folder / "data"
        subprocess.run(
            [initdb, "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8"],
            check=True,
            capture_output=True,
            cwd=self.folder,
            **kwargs,
        )
        self.port = free_port()
        log = open(self.folder / "postgres.log", "ab")  # noqa: SIM115 - the server keeps it
        self.proc = subprocess.Popen(
            [
                postgres,
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.folder}",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.folder,
            start_new_session=True,
            **kwargs,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            import psycopg

            try:
                psycopg.connect(self.url("postgres"), connect_timeout=2).close()
                return
            except psycopg.Error:
                time.sleep(0.2)
        raise CaseError("PostgreSQL did not start within 60 s")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)
            self.proc = None


def _labtrack_server(ctx: Context, tag: str, store_uri: str | None) -> Server:
    """Case 6's ``jupyter server`` with labtrack, on a store of its own."""
    home = ctx.work / f"ingest-{tag}"
    home.mkdir(parents=True, exist_ok=True)
    server = servers._jupyter(ctx, home)
    if store_uri:
        server.cmd.append(f"--Labtrack.tracking_uri={store_uri}")
    return server


def _mlflow_server(ctx: Context, tag: str, store_uri: str) -> Server:
    port = free_port()
    cmd = [
        str(ctx.ml_bin / "mlflow"),
        "server",
        "--backend-store-uri",
        store_uri,
        "--artifacts-destination",
        str(ctx.work / f"ingest-{tag}-artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return Server(
        f"mlflow server ({tag})", cmd, ctx.ml_env, ctx.work, ctx.logs / f"{tag}.log", port
    )


def _runs(server: Server, prefix: str, n: int) -> list[str]:
    http_ = server.http()
    try:
        return [
            json.loads(http_.request("POST", prefix + "runs/create", {"experiment_id": "0"})[1])[
                "run"
            ]["info"]["run_id"]
            for _ in range(n)
        ]
    finally:
        http_.close()


def _stored(server: Server, prefix: str, run_id: str) -> int:
    """How many points of key m0 the server gives back for the run (paging through them)."""
    http_, count, token = server.http(), 0, None
    try:
        for _ in range(100):
            query = f"run_id={run_id}&metric_key=m0&max_results=25000"
            if token:
                query += f"&page_token={token}"
            data = json.loads(http_.request("GET", f"{prefix}metrics/get-history?{query}")[1])
            count += len(data.get("metrics", []))
            token = data.get("next_page_token")
            if not token:
                return count
    finally:
        http_.close()
    return count


def _unaccounted(server: Server, prefix: str, run_ids: list[str], got: dict[str, Any]) -> str:
    """What does not add up between the points each client was acknowledged and those stored.

    Every acknowledged point must be there. More may be: a request whose answer timed out or
    failed on the way back can still have been stored, so more only counts when the client saw
    no failure.
    """
    problems = []
    for i, run_id in enumerate(run_ids):
        stored, expected = _stored(server, prefix, run_id), got["acked"][i] * STEPS
        if stored < expected or (stored > expected and not got["failed"][i]):
            problems.append(
                f"client {i}: m0 has {stored} points of the {expected} its requests were "
                "acknowledged for"
            )
    return "; ".join(problems)


CALLER = """
import json, os, sys, time
import labtrack
labtrack.set_tracking_uri(os.environ["BENCH_SERVER"])
n = int(sys.argv[1])
with labtrack.start_run():
    labtrack.log_metric("warm", 0.0)
    labtrack.flush()
    start = time.perf_counter()
    for step in range(n):
        labtrack.log_metric("loss", 1.0 / (step + 1), step=step)
    caller = time.perf_counter() - start
    labtrack.flush()
    durable = time.perf_counter() - start
print(json.dumps({"caller_us": caller / n * 1e6, "durable_s": durable}))
"""


def _rest_caller(ctx: Context, server: Server, n: int) -> dict[str, float] | None:
    """labtrack's own client logging to the server over HTTP (the REST store)."""
    env = dict(ctx.lt_env)
    env.update(
        BENCH_SERVER=f"http://127.0.0.1:{server.port}/",
        LABTRACK_TRACKING_TOKEN=server.headers["Authorization"].split()[-1],
    )
    done = subprocess.run(
        [str(ctx.lt_python), "-c", CALLER, str(n)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        ctx.fail(f"case 9 REST client: {done.stderr[-500:]}")
        return None
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ensure_psycopg(ctx: Context) -> None:
    done = subprocess.run([str(ctx.ml_python), "-c", "import psycopg"], capture_output=True)
    if done.returncode != 0:
        ctx.say("installing psycopg[binary] into MLflow's venv for the PostgreSQL runs")
        subprocess.run(
            [str(ctx.ml_python), "-m", "pip", "install", "--quiet", "psycopg[binary]"], check=True
        )


def case_ingest(ctx: Context) -> None:
    R, plan = ctx.results, ctx.plan
    sizes = plan.extra.get("ingest", {"seconds": 2.0, "pairs": 1, "requests": 200})
    backends = ["sqlite", "postgresql"]
    # Its own folder under the system's temporary folder: the work folder is private to this
    # user, and PostgreSQL runs as another when the suite runs as root.
    postgres = Postgres(Path(tempfile.mkdtemp(prefix="labtrack-bench-pg-")))
    try:
        postgres.start()
        _ensure_psycopg(ctx)
    except (CaseError, subprocess.CalledProcessError, ImportError, OSError) as exc:
        R.note("9", f"PostgreSQL not available: {exc}")
        backends = ["sqlite"]
    try:
        for backend in backends:
            _one_backend(ctx, backend, postgres, sizes)
    finally:
        postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)


def _one_backend(ctx: Context, backend: str, postgres: Postgres, sizes: dict[str, Any]) -> None:
    R = ctx.results
    if backend == "sqlite":
        lt = _labtrack_server(ctx, "lt-sqlite", None)
        ml = _mlflow_server(ctx, "ml-sqlite", f"sqlite:///{ctx.work / 'ingest-mlflow.db'}")
    else:
        lt = _labtrack_server(ctx, "lt-pg", postgres.database("labtrack_ingest"))
        ml = _mlflow_server(ctx, "ml-pg", postgres.database("mlflow_ingest"))
    sides = (("labtrack", lt, LABTRACK_API), ("mlflow", ml, MLFLOW_API))
    try:
        for _, server, prefix in sides:
            server.start()
            server.wait_until(prefix + "experiments/get?experiment_id=0", timeout=240)
        if backend == "sqlite":
            caller = R.measure(
                "9", "ingest.rest_caller", "log_metric caller-side, labtrack client over HTTP", "µs"
            )
            durable = R.measure(
                "9", "ingest.rest_durable", "same, until every point is stored, per point", "µs"
            )
            n = sizes.get("rest_points", 100_000)
            for _ in range(sizes["pairs"]):
                got = _rest_caller(ctx, lt, n)
                if got is not None:
                    caller.add_pair({"labtrack": got["caller_us"]})
                    durable.add_pair({"labtrack": got["durable_s"] / n * 1e6})
            caller.note(
                f"labtrack only: {n:,} log_metric calls in a run of a process whose tracking URI "
                "is the server (the REST store, the same background writer as the local store)"
            )
        for clients in (1, 4):
            measure = R.measure(
                "9",
                f"ingest.{backend}.c{clients}",
                f"log-batch of 1,000 points, {clients} client(s), {backend}",
                "points/s",
                higher_is_better=True,
            )
            cpu = R.measure(
                "9",
                f"ingest.{backend}.c{clients}.cpu",
                f"server CPU per 1,000-point request, {clients} client(s), {backend}",
                "ms",
            )
            for _ in range(sizes["pairs"]):
                values: dict[str, float | None] = {}
                cpu_values: dict[str, float | None] = {}
                for side, server, prefix in sides:
                    run_ids = _runs(server, prefix, clients)
                    payloads = [bodies(run_id, sizes["requests"]) for run_id in run_ids]
                    assert server.proc is not None
                    before = session_cpu_s(server.proc.pid)
                    got = load(
                        server.port,
                        prefix + "runs/log-batch",
                        server.headers,
                        payloads,
                        sizes["seconds"],
                    )
                    used = session_cpu_s(server.proc.pid) - before
                    cpu_values[side] = used / got["requests"] * 1e3 if got["requests"] else None
                    lost = _unaccounted(server, prefix, run_ids, got)
                    if lost:
                        ctx.fail(f"{measure.key} {side}: {lost}")
                        values[side] = None
                    else:
                        values[side] = got["points_per_s"]
                    if got["errors"]:
                        measure.note(
                            f"{side} refused or failed {got['errors']} request(s) in a load "
                            "(only acknowledged points count)"
                        )
                measure.add_pair(values)
                cpu.add_pair(cpu_values)
            cpu.note(
                "user + system CPU of the server's processes (its session: MLflow's workers "
                "too; not the database's) over the load, per acknowledged request"
            )
            measure.note(
                "raw HTTP clients (processes) sending prebuilt bodies back to back; "
                "labtrack: jupyter server, MLflow: mlflow server with its defaults (4 workers)"
            )
            ctx.say(
                f"{measure.key}: labtrack {measure.summary('labtrack')}, "
                f"MLflow {measure.summary('mlflow')}"
            )
    except CaseError as exc:
        ctx.fail(f"case 9 {backend}: {exc}")
    finally:
        lt.stop()
        ml.stop()
