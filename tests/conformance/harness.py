"""Run snippets under MLflow or labtrack and get back their normalized records.

Each tool gets one long-lived fork server (``probe/server.py``) in its own interpreter: MLflow's
venv (``bench.mlflow_env``, one per MLflow line, under ``.mlflow-venvs/``, gitignored) or the
project's. A snippet then costs one fork for the script and one for the reader, in a fresh
temporary folder that is also the snippet's working directory and its store:

- MLflow: ``MLFLOW_TRACKING_URI=sqlite:///<workdir>/mlflow.db``, artifacts in
  ``<workdir>/mlruns`` (MLflow's default next to a SQLite store);
- labtrack: ``LABTRACK_HOME=<workdir>/labtrack``, and the snippet text after
  ``rewrite.swap_imports``.

Variables the snippet names in ``# Env:`` are set for both, as a user would have exported them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conformance import corpus
from tests.conformance.corpus import Snippet
from tests.conformance.normalize import normalize
from tests.conformance.rewrite import swap_imports

SERVER = Path(__file__).parent / "probe" / "server.py"
VENVS = Path(__file__).parent / ".mlflow-venvs"
SNIPPET_TIMEOUT = 240
# What a worker must not inherit from the shell that starts it: another store, another
# experiment, a notebook identity.
_SCRUBBED_PREFIXES = ("MLFLOW_", "LABTRACK_", "JPY_", "JUPYTER")


@dataclass
class Outcome:
    """What one snippet did under one tool."""

    tool: str
    record: dict[str, Any]
    error: str | None
    seconds: float
    stdout: str = ""
    stderr: str = ""


def mlflow_python(line: str) -> Path:
    """MLflow's interpreter for an MLflow line ("2" or "3"), installing it on first use."""
    from bench import mlflow_env

    return mlflow_env.ensure(
        corpus.MLFLOW_SPECS[line],
        say=lambda s: print(s, file=sys.stderr),
        venv=VENVS / corpus.MLFLOW_VERSIONS[line],
        extra=corpus.MLFLOW_EXTRAS.get(line, ()),
    )


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    return env


class Worker:
    """One fork server for one tool; ``run`` is safe to call from one thread at a time."""

    def __init__(self, tool: str, python: Path | str) -> None:
        self.tool = "mlflow" if tool.startswith("mlflow") else "labtrack"
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            [str(python), str(SERVER), self.tool],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=_clean_env(),
            cwd=tempfile.gettempdir(),
        )
        self._lock = threading.Lock()
        ready = self._read()
        if "ready" not in ready:
            raise RuntimeError(f"{tool} worker did not start: {ready}")

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.log.seek(0)
            raise RuntimeError(f"{self.tool} worker died:\n{self.log.read()[-3000:]}")
        return json.loads(line)

    def job(self, job: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        with self._lock:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            return self._read()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def run(worker: Worker, snippet: Snippet, keep: bool = False) -> Outcome:
    """Run ``snippet`` under ``worker``'s tool in a fresh store; its normalized record."""
    workdir = Path(tempfile.mkdtemp(prefix="lt-conf-"))
    try:
        text = snippet.text()
        env = dict(snippet.env)
        if worker.tool == "mlflow":
            env.setdefault("MLFLOW_TRACKING_URI", f"sqlite:///{workdir}/mlflow.db")
        else:
            text = swap_imports(text)
            env["LABTRACK_HOME"] = str(workdir / "labtrack")
        script = workdir / "snippet.py"
        script.write_text(text)
        uri = snippet.tracking_uri
        if uri and uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
            uri = f"sqlite:///{workdir}/{uri[len('sqlite:///') :]}"
        answer = worker.job(
            {
                "script": str(script),
                "workdir": str(workdir),
                "env": env,
                "timeout": SNIPPET_TIMEOUT,
                "reader_uri": uri,
            }
        )
        stdout = _read(workdir / "snippet.stdout.txt")
        raw_text = _read(workdir / "record.json")
        raw = json.loads(raw_text) if raw_text else {}
        record = normalize(
            raw,
            corpus.results(stdout),
            workdir=str(workdir),
            source=snippet.text(),
            unstable=snippet.unstable,
        )
        record["error"] = answer.get("error")
        if answer.get("reader_error"):  # the store could not be read back at all
            record["reader"] = answer["reader_error"]
        return Outcome(
            tool=worker.tool,
            record=record,
            error=answer.get("error"),
            seconds=answer.get("seconds", 0.0),
            stdout=stdout,
            stderr=_read(workdir / "snippet.stderr.txt") + _read(workdir / "reader.stderr.txt"),
        )
    finally:
        if keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def save_golden(snippet: Snippet, line: str, outcome: Outcome) -> Path:
    path = corpus.golden_path(snippet, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outcome.record, indent=1, sort_keys=True, default=str) + "\n")
    return path


def load_golden(snippet: Snippet, line: str | None = None) -> dict[str, Any] | None:
    path = corpus.golden_path(snippet, line or snippet.target)
    return json.loads(path.read_text()) if path.exists() else None
