"""Run one benchmark case with labtrack or MLflow and print its figures as JSON.

    python bench/cases/driver.py --lib labtrack --workdir DIR CASE '{"n": 1000}'
    python bench/cases/driver.py --lib mlflow --workdir DIR --worker   # JSON lines in and out

The same code drives both tools: ``--lib labtrack`` runs ``import labtrack as mlflow``,
``--lib mlflow`` runs ``import mlflow``; every case below then makes the same MLflow-style calls.
The suite (``python -m bench``) runs this file with each virtualenv's Python. It needs only the
standard library, the tool under test, and scikit-learn for the model cases.

Each case returns a dict of figures (seconds unless the key says otherwise). In ``--worker`` mode
the driver reads ``{"case": ..., "args": {...}}`` lines on stdin and answers each with one line
``{"ok": true, "result": {...}}`` (or ``{"ok": false, "error": ...}``) on stdout; anything the
library prints goes to stderr. A worker keeps its interpreter between cases, so MLflow's import
(seconds) is paid once, not per measurement.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import random
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import rss  # bench/cases/rss.py (this file's folder is on sys.path)
import stores  # bench/cases/stores.py

LIB = ""
mlflow: Any = None
Metric: Any = None
perf = time.perf_counter
EXPERIMENT = "bench"
MODEL_NAME = "bench-rf"
TREE_TYPE = "sklearn.tree._tree.Tree"


def load(lib: str) -> None:
    global LIB, mlflow, Metric
    LIB = lib
    if lib == "labtrack":
        import labtrack as module
        from labtrack.entities import Metric as metric_cls
    elif lib == "mlflow":
        import mlflow as module
        from mlflow.entities import Metric as metric_cls
    else:
        raise SystemExit(f"--lib must be labtrack or mlflow, not {lib!r}")
    mlflow, Metric = module, metric_cls


# -- stores ----------------------------------------------------------------------------------
# Every case gets its own store. Both tools create their schema on first use (MLflow runs its
# alembic migrations: seconds), so each worker makes one template store and copies it; the cost
# of a brand-new store is measured on its own, in the cold-start case.


class Stores:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0
        self.template: Path | None = None

    def uri(self, folder: Path) -> str:
        return str(folder) if LIB == "labtrack" else f"sqlite:///{folder}/mlflow.db"

    def db(self, folder: Path) -> Path:
        return folder / ("labtrack.db" if LIB == "labtrack" else "mlflow.db")

    def _template(self) -> Path:
        if self.template is None:
            folder = self.root / f"{LIB}-template"
            folder.mkdir(parents=True, exist_ok=True)
            cached = CACHE / f"{LIB}-{mlflow.__version__}-empty-store.db" if CACHE else None
            made_in = cached.with_suffix(".root") if cached else None
            if cached is not None and made_in is not None and made_in.exists():
                stores.copy_sqlite(cached, self.db(folder))
                # Artifact locations are absolute: point them at this run's work folder.
                stores.rebase(self.db(folder), made_in.read_text(), str(self.root))
            mlflow.set_tracking_uri(self.uri(folder))
            mlflow.set_experiment(EXPERIMENT)
            if cached is not None and made_in is not None and not made_in.exists():
                stores.copy_sqlite(self.db(folder), cached)
                made_in.write_text(str(self.root))
            self.template = folder
        return self.template

    def open(self, folder: Path | str) -> Path:
        """Use ``folder`` as the store (a copy of the template if it does not exist yet)."""
        folder = Path(folder)
        if not self.db(folder).exists():
            stores.copy_sqlite(self.db(self._template()), self.db(folder))
        mlflow.set_tracking_uri(self.uri(folder))
        mlflow.set_experiment(EXPERIMENT)
        return folder

    def fresh(self, name: str) -> Path:
        self.count += 1
        return self.open(self.root / f"{LIB}-{name}-{self.count}")

    def count_runs(self, folder: Path) -> int:
        return stores.count_runs(self.db(folder))

    def populate(self, folder: Path, total: int, seed: int) -> int:
        return stores.populate(self.db(folder), total, seed)


class PostgresStores(Stores):
    """labtrack on PostgreSQL: each store is a database named after its folder (artifacts stay
    in the folder). Only for ``--lib labtrack`` with ``BENCH_POSTGRES_URL`` set."""

    def __init__(self, root: Path, server: str) -> None:
        super().__init__(root)
        self.server = server

    def uri(self, folder: Path) -> str:
        import pg_stores

        name = "b_" + "".join(c if c.isalnum() else "_" for c in Path(folder).name.lower())
        return pg_stores.database_url(self.server, name[:60])

    def open(self, folder: Path | str) -> Path:
        import pg_stores

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        uri = self.uri(folder)
        pg_stores.create_database(self.server, uri.rsplit("/", 1)[1])
        mlflow.set_tracking_uri(uri, str(folder / "artifacts"))
        mlflow.set_experiment(EXPERIMENT)
        return folder

    def count_runs(self, folder: Path) -> int:
        import pg_stores

        return pg_stores.count_runs(self.uri(folder))

    def populate(self, folder: Path, total: int, seed: int) -> int:
        import pg_stores

        return pg_stores.populate(self.uri(folder), total, seed)


STORES: Stores
# Where a worker may keep an empty store between suite runs (``--cache``): MLflow's schema
# migrations take seconds and are not what any case measures.
CACHE: Path | None = None


def client() -> Any:
    return mlflow.MlflowClient()


def experiment_id() -> str:
    return str(mlflow.get_experiment_by_name(EXPERIMENT).experiment_id)


# -- case 1: log_metric per call -------------------------------------------------------------


def case_log_metric(n: int) -> dict[str, Any]:
    STORES.fresh("log-metric")
    run = mlflow.start_run()
    mlflow.log_metric("warmup", 0.0)  # the first call may set things up; not what is compared
    start = perf()
    for i in range(n):
        mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
    caller = perf() - start
    mlflow.end_run()  # both tools: returns once every point is in the store
    durable = perf() - start
    count = len(client().get_metric_history(run.info.run_id, "loss"))
    if count != n:
        raise RuntimeError(f"{count} of {n} points in the store after end_run")
    return {
        "n": n,
        "caller_per_call_us": caller / n * 1e6,
        "durable_s": durable,
        "durable_per_point_us": durable / n * 1e6,
    }


# -- case 2: params, log_metrics, log_batch --------------------------------------------------


def case_log_calls(params: int, keys: int, steps: int, batch: int) -> dict[str, Any]:
    STORES.fresh("log-calls")
    rows = [{f"k{j}": float(i * j) for j in range(keys)} for i in range(steps)]
    run = mlflow.start_run()
    start = perf()
    for i in range(params):
        mlflow.log_param(f"p{i}", i)
    param_s = perf() - start
    start = perf()
    for step, values in enumerate(rows):
        mlflow.log_metrics(values, step=step)
    metrics_caller = perf() - start
    mlflow.end_run()
    metrics_durable = perf() - start

    now = int(time.time() * 1000)
    points = [Metric(f"b{i}", float(i), now, 0) for i in range(batch)]
    run2 = mlflow.start_run()
    start = perf()
    client().log_batch(run2.info.run_id, metrics=points)
    batch_caller = perf() - start
    mlflow.end_run()
    batch_durable = perf() - start

    c = client()
    got = c.get_run(run.info.run_id).data
    if len(got.params) != params or len(c.get_metric_history(run.info.run_id, "k1")) != steps:
        raise RuntimeError("params or log_metrics points missing after end_run")
    if len(c.get_run(run2.info.run_id).data.metrics) != batch:
        raise RuntimeError("log_batch points missing after end_run")
    return {
        "params": params,
        "steps": steps,
        "keys": keys,
        "batch": batch,
        "log_param_per_call_us": param_s / params * 1e6,
        "log_metrics_per_call_us": metrics_caller / steps * 1e6,
        "log_metrics_durable_s": metrics_durable,
        "log_metrics_durable_per_call_us": metrics_durable / steps * 1e6,
        "log_batch_ms": batch_caller * 1e3,
        "log_batch_durable_ms": batch_durable * 1e3,
    }


# -- case 3: many runs, then search ----------------------------------------------------------


def case_create_runs(store: str, n: int, seed: int = 0) -> dict[str, Any]:
    folder = STORES.open(store)
    rng = random.Random(seed)
    start = perf()
    for _ in range(n):
        with mlflow.start_run():
            mlflow.log_params({f"p{k}": rng.choice("abcd") for k in range(5)})
            mlflow.log_metrics({f"m{k}": rng.random() for k in range(5)})
    total = perf() - start
    return {
        "n": n,
        "per_run_ms": total / n * 1e3,
        "total_s": total,
        "runs_in_store": STORES.count_runs(folder),
        "experiment_id": experiment_id(),
        "tracking_uri": STORES.uri(folder),
    }


def case_populate(store: str, total: int, seed: int = 1) -> dict[str, Any]:
    folder = STORES.open(store)
    start = perf()
    added = STORES.populate(folder, total, seed)
    return {"added": added, "seconds": perf() - start, "runs": STORES.count_runs(folder)}


WARM: set[tuple[str, str]] = set()


def case_search(
    store: str,
    filter_string: str,
    order_by: list[str],
    page: int,
    which: list[str] | None = None,
    warm: bool = True,
) -> dict[str, Any]:
    """The first page and the DataFrame of a search (``which``: only some of them; ``warm``:
    an untimed call of each first, which MLflow over 100,000 runs cannot afford)."""
    STORES.open(store)
    exp = experiment_id()
    c = client()

    def first_page() -> int:
        return len(c.search_runs([exp], filter_string, max_results=page, order_by=order_by))

    def frame() -> int:
        return len(mlflow.search_runs([exp], filter_string=filter_string, order_by=order_by))

    out: dict[str, Any] = {"experiment_id": exp}
    for name, fn in (("first_page", first_page), ("frame", frame)):
        if which is not None and name not in which:
            continue
        if (
            warm and (store, name) not in WARM
        ):  # once per process: lazy imports (pandas), connections
            fn()
            WARM.add((store, name))
        start = perf()
        out[f"{name}_rows"] = fn()
        out[f"{name}_ms"] = (perf() - start) * 1e3
    return out


# -- case 4: one metric with many points -----------------------------------------------------


def case_history(n: int, target: int = 1000, chunk: int = 1000) -> dict[str, Any]:
    STORES.fresh("history")
    now = int(time.time() * 1000)
    chunks = [
        [Metric("big", float(i % 977) / 977.0, now + i, i) for i in range(lo, min(n, lo + chunk))]
        for lo in range(0, n, chunk)
    ]
    run = mlflow.start_run()
    rid = run.info.run_id
    c = client()
    start = perf()
    for points in chunks:
        c.log_batch(rid, metrics=points)
    mlflow.end_run()
    write = perf() - start
    del chunks

    start = perf()
    history = c.get_metric_history(rid, "big")
    read = perf() - start
    if len(history) != n:
        raise RuntimeError(f"history has {len(history)} of {n} points")
    del history

    # labtrack: the store query behind the server's route GET runs/{id}/metrics/{key}?max_points=
    # (min/max per step bucket, in SQL). MLflow has none: the whole history, then the same
    # min/max buckets client-side.
    store_query = getattr(getattr(c, "store", None), "metric_downsampled", None)
    start = perf()
    if LIB == "labtrack" and store_query is not None:
        small = store_query(rid, "big", target)["points"]
    else:
        history = c.get_metric_history(rid, "big")
        small = stores.downsample([(m.step, m.value) for m in history], target)
    down = perf() - start
    if not 0 < len(small) <= target:
        raise RuntimeError(f"downsampled to {len(small)} points")
    return {
        "n": n,
        "write_s": write,
        "write_per_point_us": write / n * 1e6,
        "read_s": read,
        "read_per_point_us": read / n * 1e6,
        "downsampled_s": down,
        "downsampled_points": len(small),
        "downsampler": (
            "store.metric_downsampled (the server route's query)"
            if LIB == "labtrack" and store_query is not None
            else "get_metric_history + min/max buckets in the bench"
        ),
    }


def case_history_large(n: int, target: int = 1000, chunk: int = 1000) -> dict[str, Any]:
    """Write ``n`` points (log_batch of ``chunk``) and read them downsampled (no full read:
    ten million Metric objects are gigabytes)."""
    STORES.fresh("history-large")
    now = int(time.time() * 1000)
    run = mlflow.start_run()
    rid = run.info.run_id
    c = client()
    start = perf()
    for lo in range(0, n, chunk):
        c.log_batch(
            rid,
            metrics=[
                Metric("big", float(i % 977) / 977.0, now + i, i) for i in range(lo, lo + chunk)
            ],
        )
    mlflow.end_run()
    write = perf() - start
    store_query = c.store.metric_downsampled
    store_query(rid, "big", target)  # the first read opens the connection
    start = perf()
    small = store_query(rid, "big", target)
    down = perf() - start
    if small["total"] != n or not 0 < len(small["points"]) <= target:
        raise RuntimeError(f"downsampled {small['total']} points to {len(small['points'])}")
    return {"n": n, "write_s": write, "downsampled_s": down}


# -- the background writer, sustained ---------------------------------------------------------


def case_writer(n: int) -> dict[str, Any]:
    """``log_metric`` in a loop as fast as Python goes: points per second until all are durable."""
    STORES.fresh("writer")
    run = mlflow.start_run()
    mlflow.log_metric("warm", 0.0)
    log = mlflow.log_metric
    start = perf()
    for i in range(n):
        log("loss", 0.5, step=i)
    caller = perf() - start
    mlflow.end_run()
    durable = perf() - start
    stored = client().store.metric_downsampled(run.info.run_id, "loss", 2)["total"]
    if stored != n:
        raise RuntimeError(f"{stored} of {n} points in the store after end_run")
    return {
        "n": n,
        "points_per_s": n / durable,
        "caller_per_call_us": caller / n * 1e6,
        "durable_s": durable,
    }


# -- case 7: a registered model to serve ------------------------------------------------------


def _diabetes() -> tuple[Any, Any]:
    from sklearn.datasets import load_diabetes

    data = load_diabetes(as_frame=True)
    return data.data, data.target


def _forest(n_jobs: int | None = None) -> Any:
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=n_jobs)


def case_model(store: str, repeats: int = 30) -> dict[str, Any]:
    """Train the forest, log it, register it, move it to Production; time its own predict."""
    if not hasattr(mlflow, "register_model"):
        return {"available": False, "reason": f"{LIB}.register_model does not exist yet"}
    folder = STORES.open(store)
    flavor = importlib.import_module(f"{LIB}.sklearn")
    X, y = _diabetes()
    model = _forest().fit(X, y)
    with mlflow.start_run() as run:
        # MLflow 3 saves forests with skops and asks the caller to trust the tree type by name
        # (labtrack checks the trees itself).
        extra = {"skops_trusted_types": [TREE_TYPE]} if LIB == "mlflow" else {}
        flavor.log_model(model, "model", input_example=X.iloc[:5], **extra)
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", MODEL_NAME)
    client().transition_model_version_stage(MODEL_NAME, version.version, "Production")
    uri = f"models:/{MODEL_NAME}/Production"
    loaded = importlib.import_module(f"{LIB}.pyfunc").load_model(uri)
    out: dict[str, Any] = {
        "available": True,
        "model_uri": uri,
        "tracking_uri": STORES.uri(folder),
        "columns": list(X.columns),
        "rows_1": X.iloc[:1].values.tolist(),
        "rows_100": X.iloc[:100].values.tolist(),
    }
    for rows in (1, 100):
        frame = X.iloc[:rows]
        loaded.predict(frame)
        samples = []
        for _ in range(repeats):
            start = perf()
            loaded.predict(frame)
            samples.append((perf() - start) * 1e3)
        out[f"predict_{rows}_ms"] = statistics.median(samples)
    return out


# -- case 8: autologging overhead on fit ------------------------------------------------------


def case_autolog_fit(store: str, mode: str) -> dict[str, Any]:
    """One fit of the forest with autologging off or on (the tool's defaults: model included)."""
    from sklearn.datasets import load_diabetes

    STORES.open(store)
    flavor = importlib.import_module(f"{LIB}.sklearn")
    if mode == "on":
        flavor.autolog()
    else:
        flavor.autolog(disable=True)
    X, y = load_diabetes(return_X_y=True)
    model = _forest(n_jobs=1)
    start = perf()
    model.fit(X, y)
    fit = perf() - start
    flavor.autolog(disable=True)
    if mlflow.active_run() is not None:
        mlflow.end_run()
    return {"mode": mode, "fit_s": fit}


# -- labtrack only: notebook version capture --------------------------------------------------


def case_capture(cells: int = 1500) -> dict[str, Any]:
    """Capture and store a ~1 MB notebook version (what each notebook run pays at start)."""
    if LIB != "labtrack":
        return {"available": False, "reason": "MLflow has no notebook versions"}
    import nbformat

    from labtrack.notebook.capture import capture_notebook
    from labtrack.notebook.identity import NotebookInfo

    folder = STORES.fresh("capture")
    nb = nbformat.v4.new_notebook()
    body = "y = x * 2  # a line of ordinary notebook code\n" * 5
    nb.cells = [
        nbformat.v4.new_code_cell(
            f"x = {i}\n{body}", outputs=[nbformat.v4.new_output("stream", text="out " * 50)]
        )
        for i in range(cells)
    ]
    path = folder / "big.ipynb"
    nbformat.write(nb, path)
    store = client().store
    info = NotebookInfo("big.ipynb", str(path), None, "bench", None)
    store.put_blob("notebook", capture_notebook(info) + b"0")
    start = perf()
    store.put_blob("notebook", capture_notebook(info) + b"1")  # a new version: really written
    return {"capture_ms": (perf() - start) * 1e3, "notebook_bytes": path.stat().st_size}


# -- plumbing ---------------------------------------------------------------------------------


def case_hello() -> dict[str, Any]:
    from importlib import metadata

    versions = {}
    for dist in (LIB, "scikit-learn", "sqlalchemy", "numpy", "pandas"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {"lib": LIB, "python": platform.python_version(), "versions": versions}


def case_fresh_store(name: str) -> dict[str, Any]:
    folder = STORES.fresh(name)
    return {"tracking_uri": STORES.uri(folder), "db": str(STORES.db(folder))}


CASES = {name[len("case_") :]: fn for name, fn in globals().items() if name.startswith("case_")}


def run_case(name: str, args: dict[str, Any]) -> dict[str, Any]:
    if name not in CASES:
        raise ValueError(f"unknown case {name!r}; known: {', '.join(sorted(CASES))}")
    asynchronous = bool(args.pop("async", False))
    previous = os.environ.get("MLFLOW_ENABLE_ASYNC_LOGGING")
    if asynchronous:  # MLflow's async logging mode; labtrack's log_metric always queues
        os.environ["MLFLOW_ENABLE_ASYNC_LOGGING"] = "true"
    try:
        return dict(CASES[name](**args))
    finally:
        if asynchronous:
            if previous is None:
                os.environ.pop("MLFLOW_ENABLE_ASYNC_LOGGING", None)
            else:
                os.environ["MLFLOW_ENABLE_ASYNC_LOGGING"] = previous
        if mlflow.active_run() is not None:
            mlflow.end_run()


def answer(name: str, args: dict[str, Any]) -> dict[str, Any]:
    rss.reset_peak()
    try:
        result = run_case(name, args)
        result["peak_rss_mb"] = rss.peak_mb()  # the case's own peak: reset just before it
        return {"ok": True, "result": result}
    except Exception as exc:  # reported to the suite, which records the case as failed
        return {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}",
            "trace": traceback.format_exc(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--lib", required=True, choices=["labtrack", "mlflow"])
    parser.add_argument("--workdir", required=True, help="folder for the stores (created)")
    parser.add_argument("--worker", action="store_true", help="JSON lines on stdin and stdout")
    parser.add_argument("--cache", help="folder to keep an empty store in between runs")
    parser.add_argument("case", nargs="?", help=f"one of: {', '.join(sorted(CASES))}")
    parser.add_argument("args", nargs="?", default="{}", help="the case's arguments as JSON")
    opts = parser.parse_args()

    # The protocol owns the real stdout; whatever the libraries print goes to stderr.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    workdir = Path(opts.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)  # MLflow's default artifact root (./mlruns) lands here
    load(opts.lib)
    global STORES, CACHE
    server = os.environ.get("BENCH_POSTGRES_URL")
    STORES = PostgresStores(workdir, server) if server and LIB == "labtrack" else Stores(workdir)
    CACHE = Path(opts.cache).resolve() if opts.cache else None
    if not opts.worker:
        if not opts.case:
            parser.error("give a CASE, or --worker")
        reply = answer(opts.case, json.loads(opts.args))
        out.write(json.dumps(reply) + "\n")
        out.flush()
        raise SystemExit(0 if reply["ok"] else 1)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        out.write(json.dumps(answer(request["case"], dict(request.get("args") or {}))) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
