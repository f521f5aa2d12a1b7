"""After a cell that ended runs, one output naming them: "Logged 1 run to experiment ...".

The run-end hook (:func:`note_run_end`, registered by :mod:`labtrack.notebook.hooks`) only
remembers the run, and only inside IPython; IPython's ``post_run_cell`` event then displays a
single bundle for everything the cell ended, so a cell that trains ten models prints one line,
not ten. The bundle has two parts:

- ``application/vnd.labtrack.run-link+json``: the runs and their experiments, which the
  JupyterLab extension renders with links that open the run page and show the experiment in
  the sidebar;
- ``text/plain``: the same in words with the run ids, which every other front end shows
  (classic Notebook, VS Code, a terminal IPython, a notebook exported by nbconvert), and each
  run's URL when the kernel's Jupyter server is known: ``<server url>lab?labtrack-run=<id>``,
  which JupyterLab with labtrack opens on the run's page (:func:`run_url`).

A script (no IPython) never prints it. Reading names back and displaying never breaks the cell:
a failure only loses the summary.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = ["MIME_TYPE", "note_run_end", "run_url", "summary"]

MIME_TYPE = "application/vnd.labtrack.run-link+json"

# (client, run id) of the runs the current cell ended, in order.
_ended: list[tuple[TrackingClient, str]] = []
_shells: set[int] = set()  # the shells whose post_run_cell event is registered


def _shell() -> Any:
    """The running IPython shell, or None (a script). IPython is not imported here: a script
    that never loaded it has no shell."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def note_run_end(client: TrackingClient, run_id: str) -> bool:
    """Run-end hook: remember the run for the cell's summary. Writes nothing to the run."""
    shell = _shell()
    if shell is None:
        return False
    if id(shell) not in _shells:
        shell.events.register("post_run_cell", _after_cell)
        _shells.add(id(shell))
    if all(rid != run_id for _, rid in _ended):
        _ended.append((client, run_id))
    return False


def _after_cell(*_: Any) -> None:
    if not _ended:
        return
    ended = list(_ended)
    _ended.clear()
    try:
        data = summary(ended)
        from IPython.display import display

        display({MIME_TYPE: data, "text/plain": data["text"]}, raw=True)
    except Exception:  # the summary is a courtesy: never fail the cell over it
        return


def _server_url() -> str | None:
    """The URL of the Jupyter server that started this kernel (``JPY_PARENT_PID`` names its
    process; its runtime file ``jpserver-<pid>.json`` holds the URL), without any token."""
    pid = os.environ.get("JPY_PARENT_PID", "")
    if not pid.isdigit():
        return None
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        info = json.loads((Path(jupyter_runtime_dir()) / f"jpserver-{pid}.json").read_text())
    except (OSError, ValueError, ImportError):
        return None
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        return None
    return url.split("?", 1)[0].rstrip("/") + "/"


def run_url(run_id: str, server_url: str | None) -> str | None:
    """The address that opens the run's page in JupyterLab on ``server_url``.

    >>> run_url("4f1c", "http://localhost:8888/")
    'http://localhost:8888/lab?labtrack-run=4f1c'
    """
    return f"{server_url}lab?labtrack-run={run_id}" if server_url else None


def summary(ended: list[tuple[TrackingClient, str]]) -> dict[str, Any]:
    """The runs and their experiments as the bundle's JSON, with ``text`` for plain text."""
    runs: list[dict[str, Any]] = []
    experiments: dict[str, str] = {}
    for client, run_id in ended:
        info = client.get_run(run_id).info
        if info.experiment_id not in experiments:
            experiments[info.experiment_id] = client.get_experiment(info.experiment_id).name
        runs.append(
            {
                "run_id": run_id,
                "run_name": info.run_name,
                "experiment_id": info.experiment_id,
                "status": info.status,
            }
        )
    return {
        "runs": runs,
        "experiments": [{"experiment_id": k, "name": v} for k, v in experiments.items()],
        "text": _text(runs, experiments, _server_url()),
    }


def _text(
    runs: list[dict[str, Any]], experiments: dict[str, str], server_url: str | None = None
) -> str:
    count = f"{len(runs)} run{'s' if len(runs) != 1 else ''}"
    where = (
        f"experiment {next(iter(experiments.values()))!r}"
        if len(experiments) == 1
        else f"{len(experiments)} experiments"
    )
    lines = [f"Logged {count} to {where}:"]
    for run in runs:
        status = "" if run["status"] == "FINISHED" else f", {run['status']}"
        place = "" if len(experiments) == 1 else f" in {experiments[run['experiment_id']]!r}"
        url = run_url(run["run_id"], server_url)
        link = f": {url}" if url else ""
        lines.append(f"  {run['run_name']} (run id {run['run_id']}{status}){place}{link}")
    return "\n".join(lines)
