"""Reproductions started from the REST API: background jobs, kept in memory by the server.

A job runs :func:`labtrack.reproduce_run` on its own daemon thread (never on the server's event
loop); at most :data:`MAX_RUNNING` execute at once per server, up to :data:`MAX_WAITING` more
wait ``queued``, and beyond that a new one is refused (429) until one ends. Its
state, progress (code cells done of all), result (new run, drift, environment differences) or
error (the failing cell's error) is read with :meth:`ReproductionJobs.get`. Jobs are forgotten
when the server stops; the runs they logged stay in the store.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from labtrack.errors import LabtrackError, ResourceNotFoundError
from labtrack.reproduce import reproduce_run

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = [
    "MAX_RUNNING",
    "MAX_WAITING",
    "ReproductionJob",
    "ReproductionJobs",
    "TooManyReproductionsError",
    "json_safe",
]

MAX_RUNNING = 2
MAX_WAITING = 8
MAX_KEPT = 100
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
log = logging.getLogger(__name__)


def _now() -> int:
    return int(time.time() * 1000)


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON: unknown objects as their repr, NaN and infinities as strings."""
    return json.loads(json.dumps(value, default=repr), parse_constant=str)


@dataclass
class ReproductionJob:
    """One reproduction: what was asked, how far it got, and how it ended."""

    job_id: str
    run_id: str
    params: dict[str, Any]
    state: str = "queued"  # queued, running, finished, failed
    done: int = 0
    total: int = 0
    created: int = field(default_factory=_now)
    started: int | None = None
    finished: int | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def to_json(self) -> dict[str, Any]:
        result = self.result or {}
        return {
            "job_id": self.job_id,
            "run_id": self.run_id,
            "state": self.state,
            "params": json_safe(self.params),
            "progress": {"done": self.done, "total": self.total},
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "new_run_id": result.get("run_id"),
            "status": result.get("status"),
            "parameters": json_safe(result.get("parameters")),
            "drift": json_safe(result.get("drift", [])),
            "environment": result.get("environment", []),
            "error": self.error,
        }


def _cell_error(err: LabtrackError) -> dict[str, Any]:
    """The error of a job: the message, and the failing cell's error when a cell failed."""
    out: dict[str, Any] = {"message": err.message}
    failure = getattr(getattr(err, "result", None), "failure", None)
    if failure is not None:
        out.update(
            cell_index=failure.cell_index,
            ename=failure.ename,
            evalue=failure.evalue,
            traceback=_ANSI.sub("", failure.traceback),
        )
    return out


class TooManyReproductionsError(LabtrackError):
    """As many reproductions as the server takes are already running or waiting."""

    error_code = "REQUEST_LIMIT_EXCEEDED"
    http_status = 429


class ReproductionJobs:
    """The reproductions of one server: started here, looked up by id."""

    def __init__(self, max_running: int = MAX_RUNNING, max_waiting: int = MAX_WAITING) -> None:
        self._jobs: dict[str, ReproductionJob] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_running)
        self._limit = max_running + max_waiting

    def start(
        self, client: TrackingClient, run_id: str, params: Mapping[str, Any]
    ) -> ReproductionJob:
        """Queue a reproduction of ``run_id`` with ``params``; it starts when a slot is free."""
        job = ReproductionJob(uuid.uuid4().hex, run_id, dict(params))
        with self._lock:
            active = sum(1 for j in self._jobs.values() if j.state in ("queued", "running"))
            if active >= self._limit:
                raise TooManyReproductionsError(
                    f"{active} reproductions are already running or waiting on this server, as "
                    "many as it takes. Try again when one of them has finished."
                )
            self._forget_old()
            self._jobs[job.job_id] = job
        # A daemon thread: a reproduction still running never holds the server's exit (its
        # kernel exits with the server: ipykernel watches its parent process).
        thread = threading.Thread(
            target=self._run, args=(client, job), name=f"labtrack-reproduce-{job.job_id[:8]}"
        )
        thread.daemon = True
        thread.start()
        return job

    def get(self, job_id: str, run_id: str | None = None) -> ReproductionJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (run_id is not None and job.run_id != run_id):
            raise ResourceNotFoundError(
                f"No reproduction job {job_id!r}"
                + (f" for run {run_id}" if run_id is not None else "")
                + ". Jobs live in the server's memory: a server restart forgets them (the runs "
                "they logged stay). Start a new one with POST runs/{run_id}/reproduce."
            )
        return job

    def _forget_old(self) -> None:
        """Make room for one more job: forget the oldest ended ones beyond :data:`MAX_KEPT`."""
        extra = len(self._jobs) + 1 - MAX_KEPT
        ended = [j for j in self._jobs.values() if j.state in ("finished", "failed")]
        for job in sorted(ended, key=lambda j: j.created)[: max(0, extra)]:
            del self._jobs[job.job_id]

    def _run(self, client: TrackingClient, job: ReproductionJob) -> None:
        with self._slots:
            job.started = _now()
            job.state = "running"
            result, error, state = self._reproduce(client, job)
            # Everything a reader of the state may look at is set before the state moves.
            job.result, job.error, job.finished = result, error, _now()
            job.state = state

    @staticmethod
    def _reproduce(
        client: TrackingClient, job: ReproductionJob
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str]:
        """(result, error, final state) of executing the job's reproduction."""

        try:
            done = reproduce_run(
                job.run_id, params=job.params, progress=job.progress, client=client
            )
            return done.to_dict(), None, "finished"
        except LabtrackError as err:
            partial: Any = getattr(err, "result", None)
            result = partial.to_dict() if hasattr(partial, "to_dict") else None
            return result, _cell_error(err), "failed"
        except Exception as err:  # the job must end, whatever went wrong
            log.exception("labtrack: reproduction of run %s failed", job.run_id)
            return None, {"message": f"{type(err).__name__}: {err}"}, "failed"
