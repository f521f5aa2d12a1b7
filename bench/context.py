"""What every case of the suite shares: the plan, the two workers, paths, environments, results."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.plan import Plan
from bench.postgres import Postgres
from bench.procs import CaseError, Worker
from bench.stats import Results

REPO = Path(__file__).resolve().parent.parent


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for every process the suite starts: no stray tracking configuration."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LABTRACK_", "MLFLOW_", "JUPYTER_", "JPY_"))
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class Context:
    def __init__(self, plan: Plan, work: Path, lt_python: Path, ml_python: Path) -> None:
        self.plan = plan
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        (work / "stores").mkdir(exist_ok=True)
        self.lt_python = lt_python
        self.ml_python = ml_python
        self.lt_bin = lt_python.parent
        self.ml_bin = ml_python.parent
        self.results = Results()
        self.errors: list[str] = []
        self.info: dict[str, Any] = {}
        self.began = time.perf_counter()
        # LABTRACK_HOME inside the work folder: nothing the suite does touches ~/.labtrack.
        self.lt_env = clean_env({"LABTRACK_HOME": str(work / "labtrack-home")})
        self.ml_env = clean_env({"PATH": f"{self.ml_bin}{os.pathsep}{os.environ.get('PATH', '')}"})
        self.workers: dict[str, Worker] = {}
        self.postgres: Postgres | None = None

    def say(self, text: str) -> None:
        elapsed = time.perf_counter() - self.began
        print(f"[{elapsed:6.0f} s] {text}", file=sys.stderr, flush=True)

    def worker(self, key: str) -> Worker:
        """The driver process of ``labtrack``, ``labtrack_pg`` (labtrack on PostgreSQL) or
        ``mlflow``."""
        if key not in self.workers:
            lib = "mlflow" if key == "mlflow" else "labtrack"
            python = self.lt_python if lib == "labtrack" else self.ml_python
            env = self.lt_env if lib == "labtrack" else self.ml_env
            if key == "labtrack_pg":
                env = dict(env, BENCH_POSTGRES_URL=self.postgres_url() or "")
            # MLflow's empty store is kept in its venv between runs (schema migrations: seconds).
            cache = self.ml_python.parent.parent if lib == "mlflow" else None
            self.workers[key] = Worker(
                lib, python, self.work / "stores", self.logs / f"worker-{key}.log", env, cache
            )
        return self.workers[key]

    def postgres_url(self) -> str | None:
        """The PostgreSQL server for labtrack's PostgreSQL figures (started on first use)."""
        if self.postgres is None:
            self.postgres = Postgres()
            if self.postgres.start() is None:
                self.say(f"PostgreSQL figures skipped: {self.postgres.why}")
        return self.postgres.url or None

    def call(
        self, side: str, case: str, timeout: float = 900.0, **args: Any
    ) -> dict[str, Any] | None:
        """Run ``case`` on a side (labtrack, labtrack_pg, mlflow, mlflow_async); None (noted) if
        it failed or the side cannot run here."""
        key = "mlflow" if side.startswith("mlflow") else side
        if side == "mlflow_async":
            args["async"] = True
        if side == "labtrack_pg" and not self.postgres_url():
            return None
        try:
            return self.worker(key).call(case, timeout=timeout, **args)
        except CaseError as exc:
            self.fail(str(exc))
            if key in self.workers and self.workers[key].proc.poll() is not None:
                del self.workers[key]  # it died: the next call starts a new one
            return None

    def fail(self, text: str) -> None:
        self.errors.append(text)
        self.say(f"FAILED: {text}")

    def env(self, side: str) -> dict[str, str]:
        return self.lt_env if side == "labtrack" else self.ml_env

    def python(self, side: str) -> Path:
        return self.lt_python if side == "labtrack" else self.ml_python

    def close(self) -> None:
        for worker in self.workers.values():
            worker.close()
        self.workers.clear()
        if self.postgres is not None:
            self.postgres.stop()
