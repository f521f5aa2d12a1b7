"""A fork server that runs conformance snippets under one tool (MLflow or labtrack).

It runs inside the tool's own interpreter (MLflow's venv, or the project's), so it imports
nothing from the project: only the standard library and its sibling ``reader``. It imports the
tool, scikit-learn, pandas and matplotlib once, then forks a fresh child per job, so a snippet
costs its own work and not a second of imports. Each snippet runs in two children, one after
the other: the snippet itself, which ends the way a script does (non-daemon threads joined,
``atexit`` handlers run, so a tool that flushes or ends runs at exit is judged as a user sees
it), then the reader, which opens the store the snippet left and dumps what is in it.

Protocol: one JSON job per line on stdin, one JSON answer per line on the stdout it started
with. A job is ``{"script": path, "workdir": dir, "env": {...}, "timeout": s, "reader_uri":
uri-or-null}``; the answer is ``{"exit": code, "error": last-exception-line-or-null,
"seconds": s}``. The child writes ``stdout.txt``, ``stderr.txt`` and ``record.json`` into the
job's workdir.

Usage: ``python server.py mlflow|labtrack``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
import traceback

TOOL = sys.argv[1] if len(sys.argv) > 1 else "mlflow"

# Before any import: no telemetry thread, no network, no GUI backend, no thread pools to fork.
os.environ.update(
    {
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "TQDM_DISABLE": "1",
    }
)


# Loaded once in the parent. MLflow's SQL store modules matter most: importing them (the ORM
# models, alembic) is most of the time MLflow takes to open a store.
PRELOAD = {
    "mlflow": (
        "mlflow",
        "mlflow.sklearn",
        "mlflow.pyfunc",
        "mlflow.models",
        "mlflow.data",
        "mlflow.artifacts",
        "mlflow.tracking",
        "mlflow.store.tracking.sqlalchemy_store",
        "mlflow.store.model_registry.sqlalchemy_store",
        "mlflow.store.db.utils",
        "mlflow.store.artifact.local_artifact_repo",
        "alembic.command",
    ),
    "labtrack": (
        "labtrack",
        "labtrack.sklearn",
        "labtrack.pyfunc",
        "labtrack.models",
        "labtrack.store",
    ),
}


def _preload() -> None:
    """What every snippet imports, loaded once in the parent so children start warm."""
    import matplotlib

    matplotlib.use("Agg")
    import importlib

    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import sklearn.datasets  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    for module in PRELOAD[TOOL]:
        # An MLflow line without the module: the snippet will say so if it matters.
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def _make_template() -> str | None:
    """An empty, migrated MLflow SQLite store to copy per snippet.

    Creating MLflow's schema (its alembic migrations) costs seconds per store; copying a file
    costs nothing. The template is made by MLflow itself, in a child, from a store URI and
    working folder of the same shape as a snippet's.
    """
    if TOOL != "mlflow":
        return None
    import tempfile

    folder = tempfile.mkdtemp(prefix="lt-conf-template-")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.chdir(folder)
            import mlflow

            mlflow.MlflowClient(f"sqlite:///{folder}/mlflow.db").search_experiments()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return folder if os.waitstatus_to_exitcode(status) == 0 else None


def _from_template(template: str | None, job: dict) -> None:
    """Give the job a copy of the template store when it uses the default store location."""
    workdir = job["workdir"]
    if not template or job.get("env", {}).get("MLFLOW_TRACKING_URI") != (
        f"sqlite:///{workdir}/mlflow.db"
    ):
        return
    import shutil
    import sqlite3

    target = os.path.join(workdir, "mlflow.db")
    shutil.copyfile(os.path.join(template, "mlflow.db"), target)
    with sqlite3.connect(target) as db:
        rows = db.execute("SELECT experiment_id, artifact_location FROM experiments").fetchall()
        for exp_id, location in rows:
            db.execute(
                "UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?",
                (location.replace(template, workdir), exp_id),
            )
    db.close()


def _finish_like_a_script(code: int) -> None:
    """End the child the way the interpreter ends a script, then leave without unwinding."""
    import atexit
    import threading

    try:
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 - a failing exit hook is part of the snippet's result
        traceback.print_exc()
        code = code or 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _last_line(exc: BaseException) -> str:
    lines = traceback.format_exception_only(type(exc), exc)
    return lines[-1].strip()[:500] if lines else repr(exc)


def _child(job: dict, phase: str) -> None:
    workdir = job["workdir"]
    os.chdir(workdir)
    os.environ.update(job.get("env", {}))
    out = os.open(os.path.join(workdir, f"{phase}.stdout.txt"), os.O_WRONLY | os.O_CREAT, 0o644)
    err = os.open(os.path.join(workdir, f"{phase}.stderr.txt"), os.O_WRONLY | os.O_CREAT, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the child's whole life
    code = 0
    try:
        if phase == "snippet":
            import runpy

            sys.argv = [job["script"]]
            sys.path.insert(0, workdir)
            runpy.run_path(job["script"], run_name="__main__")
        else:
            import reader

            record = reader.collect(TOOL, job.get("reader_uri"))
            with open(os.path.join(workdir, "record.json"), "w") as fh:
                json.dump(record, fh, default=str, sort_keys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # noqa: BLE001 - the snippet's exception is its result
        traceback.print_exc()
        with open(os.path.join(workdir, f"{phase}.error.txt"), "w") as fh:
            fh.write(_last_line(exc))
        code = 1
    _finish_like_a_script(code)


def _run(job: dict, phase: str) -> tuple[int, str | None]:
    pid = os.fork()
    if pid == 0:
        try:
            _child(job, phase)
        finally:
            os._exit(70)
    deadline = time.monotonic() + float(job.get("timeout", 120))
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 124, f"TimeoutError: {phase} took more than {job.get('timeout')} s"
        time.sleep(0.01)
    code = os.waitstatus_to_exitcode(status)
    error_file = os.path.join(job["workdir"], f"{phase}.error.txt")
    error = None
    if os.path.exists(error_file):
        with open(error_file) as fh:
            error = fh.read()
    elif code != 0:
        error = f"exit code {code}"
    return code, error


def main() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints from imports must not corrupt the protocol
    _preload()
    template = _make_template()
    answers.write(json.dumps({"ready": TOOL, "pid": os.getpid()}) + "\n")
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            job = json.loads(line)
            started = time.monotonic()
            _from_template(template, job)
            code, error = _run(job, "snippet")
            snippet_seconds = time.monotonic() - started
            reader_code, reader_error = _run(job, "reader")
            answers.write(
                json.dumps(
                    {
                        "exit": code,
                        "error": error,
                        "reader_error": reader_error if reader_code else None,
                        "seconds": round(time.monotonic() - started, 3),
                        "snippet_seconds": round(snippet_seconds, 3),
                    }
                )
                + "\n"
            )

    finally:
        if template:
            import shutil

            shutil.rmtree(template, ignore_errors=True)


if __name__ == "__main__":
    main()
