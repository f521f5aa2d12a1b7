"""Notebook experiments: a run started in a notebook with no experiment set goes to the
notebook's own experiment, named after its root-relative path and created on first use.

The experiment carries ``mlflow.experiment.sourceType = NOTEBOOK`` and ``labtrack.notebook.id``;
it is found by that id first (so it follows renames), then by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtrack.errors import ResourceAlreadyExistsError
from labtrack.notebook.identity import NotebookInfo, current_notebook, kernel_id
from labtrack.utils import mlflow_tags

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

EXPERIMENT_TYPE = mlflow_tags.EXPERIMENT_SOURCE_TYPE
NOTEBOOK_ID = mlflow_tags.NOTEBOOK_ID
NOTEBOOK_SOURCE = mlflow_tags.NOTEBOOK_SOURCE
KERNEL_ID = mlflow_tags.KERNEL_ID
NOTEBOOK = mlflow_tags.SourceType.NOTEBOOK


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def find_notebook_experiment(client: TrackingClient, info: NotebookInfo) -> str | None:
    if info.notebook_id:
        found = client.search_experiments(
            filter_string=f"tags.`{NOTEBOOK_ID}` = {_quote(info.notebook_id)}", max_results=1
        )
        if found:
            return found[0].experiment_id
    exp = client.get_experiment_by_name(info.path)
    if exp is not None and exp.lifecycle_stage == "active":
        if info.notebook_id and NOTEBOOK_ID not in exp.tags:
            client.set_experiment_tag(exp.experiment_id, NOTEBOOK_ID, info.notebook_id)
        return exp.experiment_id
    return None


def notebook_experiment_id(client: TrackingClient) -> str | None:
    """The current notebook's experiment id, creating the experiment on first use."""
    info = current_notebook(client.store)
    if info is None:
        return None
    return ensure_notebook_experiment(client, info)


def ensure_notebook_experiment(client: TrackingClient, info: NotebookInfo) -> str | None:
    """The experiment of the notebook ``info`` describes, created if it does not exist."""
    found = find_notebook_experiment(client, info)
    if found is not None:
        return found

    tags = {EXPERIMENT_TYPE: NOTEBOOK}
    if info.notebook_id:
        tags[NOTEBOOK_ID] = info.notebook_id
    try:
        return client.create_experiment(info.path, tags=tags)
    except ResourceAlreadyExistsError:
        # Another kernel of the same notebook created it first, or a deleted one holds the name.
        exp = client.get_experiment_by_name(info.path)
        if exp is not None and exp.lifecycle_stage == "active":
            return exp.experiment_id
        return None


def notebook_tags(client: TrackingClient) -> dict[str, str]:
    """System tags of a run started from a notebook (empty outside notebooks)."""
    info = current_notebook(client.store)
    if info is None:
        kid = kernel_id()
        # A kernel with no known notebook (a console): the server still watches its runs.
        return {KERNEL_ID: kid} if kid else {}
    tags = {
        mlflow_tags.SOURCE_TYPE: NOTEBOOK,
        mlflow_tags.SOURCE_NAME: info.path,
        NOTEBOOK_SOURCE: info.source,
    }
    if info.notebook_id:
        tags[NOTEBOOK_ID] = info.notebook_id
    if info.kernel_id:
        # Lets the server end this run as KILLED if the kernel dies or restarts mid-run.
        tags[KERNEL_ID] = info.kernel_id
    return tags
