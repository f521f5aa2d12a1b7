"""Execute a notebook in a fresh kernel and find the runs it logged (used by reproduce_run).

The kernel is started by nbclient with:

- ``LABTRACK_TRACKING_URI`` / ``LABTRACK_ARTIFACT_ROOT``: the store of the caller, so its runs
  land where the caller looks;
- ``LABTRACK_NOTEBOOK``: the notebook the kernel stands for (``JPY_SESSION_NAME`` of the caller
  is dropped, or the kernel would believe it serves the caller's notebook);
- ``LABTRACK_EXPERIMENT_ID`` when an experiment is imposed.

Its connection file is named ``kernel-<id>.json``, so every run it starts carries the tag
``labtrack.kernel.id = <id>``: that is how its runs are found afterwards, whatever experiment the
notebook chose. When the last cell has run, runs the notebook left open are ended in the kernel
(FINISHED, or FAILED after a cell error), so they do not end KILLED at kernel shutdown.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack.entities import ViewType
from labtrack.errors import LabtrackError
from labtrack.utils import mlflow_tags

if TYPE_CHECKING:
    from labtrack.entities import Run
    from labtrack.tracking.client import TrackingClient

__all__ = ["CellFailure", "Execution", "ProgressCallback", "execute_notebook", "kernel_runs"]

KERNEL_ID_TAG = mlflow_tags.KERNEL_ID
# Never handed to the kernel: they would make it log for the caller's notebook or experiment.
_DROPPED_ENV = (
    "JPY_SESSION_NAME",
    "LABTRACK_NOTEBOOK",
    "LABTRACK_EXPERIMENT_ID",
    "LABTRACK_EXPERIMENT_NAME",
)
ProgressCallback = Callable[[int, int], None]

_FINALIZE = """\
import sys as _labtrack_sys
_labtrack_fluent = _labtrack_sys.modules.get("labtrack.tracking.fluent")
if _labtrack_fluent is not None:
    while _labtrack_fluent.active_run() is not None:
        _labtrack_fluent.end_run({status!r})
if "labtrack.tracking.writer" in _labtrack_sys.modules:
    _labtrack_sys.modules["labtrack.tracking.writer"].flush_all()
del _labtrack_sys, _labtrack_fluent
"""


@dataclass(frozen=True)
class CellFailure:
    """The cell that stopped an execution: its index, the error name, value and traceback."""

    cell_index: int
    ename: str
    evalue: str
    traceback: str

    def __str__(self) -> str:
        return f"cell {self.cell_index + 1} raised {self.ename}: {self.evalue}"


@dataclass
class Execution:
    """An executed notebook, the kernel that ran it and the runs that kernel logged."""

    notebook: Any
    kernel_id: str
    kernel_name: str
    started: int
    finished: int
    failure: CellFailure | None = None
    runs: list[Run] = field(default_factory=list)


def _kernel_name(nb: Any, requested: str | None) -> str:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    if requested:
        return requested
    name = str((nb.get("metadata", {}).get("kernelspec") or {}).get("name") or "python3")
    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        warnings.warn(
            f"The notebook asks for kernel {name!r}, which is not installed here; using "
            "'python3'. Pass kernel_name= to choose another.",
            RuntimeWarning,
            stacklevel=4,
        )
        return "python3"
    return name


def kernel_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(extra)
    return env


def _code_cells(nb: Any) -> int:
    return sum(
        1 for c in nb.cells if c.get("cell_type") == "code" and str(c.get("source", "")).strip()
    )


def _progress_bar(enabled: bool | ProgressCallback, total: int) -> tuple[ProgressCallback, Any]:
    """A callback taking (n, m) and the bar to close (None when there is none)."""
    if callable(enabled):
        return enabled, None
    if not enabled:
        return (lambda n, m: None), None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="Executing", unit="cell", leave=True)

    def update(n: int, m: int) -> None:
        bar.set_postfix_str(f"cell {n} of {m}", refresh=False)
        bar.update(n - bar.n)

    return update, bar


async def _run(
    nb: Any,
    kernel_name: str,
    cwd: str,
    env: dict[str, str],
    timeout: int | None,
    report: ProgressCallback,
    kernel_id: str,
    log: Any,
) -> CellFailure | None:
    from jupyter_core.paths import jupyter_runtime_dir
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbclient.util import ensure_async

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": cwd}},
        # A cell over its time is interrupted: it fails like any cell, and the runs end FAILED.
        interrupt_on_timeout=True,
    )
    km = client.create_kernel_manager()
    # kernel-<id>.json: the kernel reads its id from this name and tags its runs with it.
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(parents=True, exist_ok=True)
    km.kernel_id = kernel_id
    km.connection_file = str(runtime / f"kernel-{kernel_id}.json")
    total = _code_cells(nb)
    done = 0
    failure: CellFailure | None = None
    # The kernel's own chatter (transport warnings, shutdown notices) goes to a log, not to the
    # caller's terminal; it is shown when the kernel fails.
    async with client.async_setup_kernel(env=env, stderr=log):
        assert client.kc is not None
        reply = await client.async_wait_for_reply(await ensure_async(client.kc.kernel_info()))
        if reply is not None and "language_info" in reply["content"]:
            nb.metadata["language_info"] = reply["content"]["language_info"]
        report(0, total)
        for index, cell in enumerate(nb.cells):
            try:
                await client.async_execute_cell(
                    cell, index, execution_count=client.code_cells_executed + 1
                )
            except CellExecutionError as exc:
                failure = CellFailure(index, exc.ename, exc.evalue, exc.traceback)
            if cell.get("cell_type") == "code" and str(cell.get("source", "")).strip():
                done += 1
                report(done, total)
            if failure is not None:
                break
        # Not a notebook cell: sent straight to the kernel, so the notebook stays as it ran.
        status = "FAILED" if failure is not None else "FINISHED"
        msg_id = await ensure_async(
            client.kc.execute(_FINALIZE.format(status=status), silent=True, store_history=False)
        )
        await client.async_wait_for_reply(msg_id)
        client.set_widgets_metadata()
    return failure


def _in_thread_if_loop_running(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` (which calls ``asyncio.run``) here, or in a worker thread inside a kernel."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    # A Jupyter kernel already runs an event loop in this thread: use another thread's loop.
    with ThreadPoolExecutor(1, thread_name_prefix="labtrack-execute") as pool:
        return pool.submit(fn).result()


def execute_notebook(
    nb: Any,
    *,
    client: TrackingClient,
    notebook_path: str,
    cwd: str | os.PathLike[str] | None = None,
    kernel_name: str | None = None,
    experiment_id: str | None = None,
    timeout: int | None = None,
    progress: bool | ProgressCallback = True,
) -> Execution:
    """Execute ``nb`` (modified in place) in a fresh kernel logging into ``client``'s store."""
    name = _kernel_name(nb, kernel_name)
    extra = {
        "LABTRACK_TRACKING_URI": client.location.tracking_uri,
        "LABTRACK_ARTIFACT_ROOT": client.location.artifact_root,
        "LABTRACK_NOTEBOOK": notebook_path,
    }
    if experiment_id is not None:
        extra["LABTRACK_EXPERIMENT_ID"] = str(experiment_id)
    env = kernel_env(extra)
    folder = str(Path(cwd) if cwd is not None else Path.cwd())
    kernel_id = str(uuid.uuid4())
    report, bar = _progress_bar(progress, _code_cells(nb))
    started = int(time.time() * 1000)
    with tempfile.TemporaryFile("w+", prefix="labtrack-kernel-", suffix=".log") as log:
        try:
            failure = _in_thread_if_loop_running(
                lambda: asyncio.run(_run(nb, name, folder, env, timeout, report, kernel_id, log))
            )
        except Exception as exc:  # the kernel could not start or died
            log.seek(0)
            tail = "".join(log.readlines()[-20:]).strip()
            raise LabtrackError(
                f"Executing the notebook failed: {type(exc).__name__}: {exc}"
                + (f"\nThe kernel said:\n{tail}" if tail else ""),
                "INTERNAL_ERROR",
            ) from exc
        finally:
            if bar is not None:
                bar.close()
    finished = int(time.time() * 1000)
    execution = Execution(nb, kernel_id, name, started, finished, failure)
    execution.runs = kernel_runs(client, kernel_id)
    return execution


def kernel_runs(client: TrackingClient, kernel_id: str) -> list[Run]:
    """Runs a kernel started (tag ``labtrack.kernel.id``), oldest first, in any experiment."""

    experiments: list[str] = []
    token = None
    while True:
        page = client.search_experiments(ViewType.ALL, 1000, None, None, token)
        experiments.extend(e.experiment_id for e in page)
        token = page.token
        if not token:
            break
    quoted = kernel_id.replace("'", "''")
    found: list[Run] = []
    for start in range(0, len(experiments), 500):
        token = None
        while True:
            page_runs = client.search_runs(
                experiments[start : start + 500],
                f"tags.`{KERNEL_ID_TAG}` = '{quoted}'",
                ViewType.ALL,
                1000,
                None,
                token,
            )
            found.extend(page_runs)
            token = page_runs.token
            if not token:
                break
    return sorted(found, key=lambda r: (r.info.start_time, r.info.run_id))
