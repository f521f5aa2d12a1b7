"""Read captured notebook versions back, and diff two runs' versions (nbdime)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labtrack.errors import ResourceNotFoundError
from labtrack.notebook.capture import REVISION_TAG
from labtrack.tracking import _state

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient


@dataclass
class NotebookDiff:
    """An nbdime diff of two notebook versions, with a readable text form (``str(diff)``)."""

    base_run_id: str
    remote_run_id: str
    diff: list[dict[str, Any]]
    text: str

    def __str__(self) -> str:
        return self.text

    @property
    def unchanged(self) -> bool:
        return not self.diff


def _revision(run_id: str, client: TrackingClient | None = None) -> str:
    run = (client or _state.client()).get_run(run_id)
    revision = run.data.tags.get(REVISION_TAG)
    if not revision:
        raise ResourceNotFoundError(
            f"Run {run_id} has no notebook version: it was not started from a notebook "
            f"(or capture failed; see its tag labtrack.notebook.capture_error)."
        )
    return revision


def load_version(digest: str, client: TrackingClient | None = None) -> Any:
    """The stored notebook version ``digest``, read from ``client``'s store (default: the
    process's client; the server passes its own)."""
    import nbformat

    _kind, data = (client or _state.client()).store.get_blob(digest)
    return nbformat.reads(data.decode(), as_version=4)  # type: ignore[no-untyped-call]


def get_notebook_version(run_id: str, client: TrackingClient | None = None) -> Any:
    """The notebook version that produced a run, as an ``nbformat`` notebook.

    The code the kernel executed is in ``nb.metadata.labtrack.history``. ``client`` reads
    another store than the process's (default: the tracking URI set in this process).
    """
    return load_version(_revision(run_id, client), client)


def _strip_for_diff(nb: Any) -> Any:
    """Drop what changes on every capture but is not the user's work."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata.pop("labtrack", None)
    return nb


def diff_versions(base: Any, remote: Any) -> tuple[list[dict[str, Any]], str]:
    from nbdime import diff_notebooks
    from nbdime.prettyprint import PrettyPrintConfig, pretty_print_diff

    a, b = _strip_for_diff(base), _strip_for_diff(remote)
    diff = diff_notebooks(a, b)
    out = io.StringIO()
    if diff:
        pretty_print_diff(a, diff, "", PrettyPrintConfig(out=out, use_color=False))
    return json.loads(json.dumps(diff, default=str)), out.getvalue() or "(no changes)\n"


def diff_notebook_versions(run_a: str, run_b: str) -> NotebookDiff:
    """Cell-by-cell difference (inputs and outputs) between two runs' notebook versions."""
    diff, text = diff_versions(get_notebook_version(run_a), get_notebook_version(run_b))
    return NotebookDiff(run_a, run_b, diff, text)
