"""MLflow plugins shipped in labtrack's wheel: plain ``import mlflow`` in a labtrack kernel.

MLflow finds these through its entry points (``pyproject.toml``):

- ``mlflow.run_context_provider`` -> :class:`NotebookRunContext`: a run started in a notebook
  gets the notebook's tags (source, notebook id, kernel id) and the notebook version captured
  into the store, as with ``import labtrack as mlflow``;
- ``mlflow.default_experiment_provider`` -> :class:`NotebookExperiment`: a run started with no
  experiment set goes to the notebook's own experiment (created on first use);
- ``mlflow.request_header_provider`` -> :class:`LabtrackHeaders`: names the plugin in the
  User-Agent, and sends the token labtrack knows (``LABTRACK_TRACKING_TOKEN``, a JupyterHub
  API token) when MLflow has none of its own.

They act only when MLflow's tracking URI is a labtrack server (``.../labtrack/mlflow``, what
``c.Labtrack.mlflow_kernel_env`` gives a kernel) and, for the first two, inside a Jupyter
kernel; elsewhere MLflow behaves as without them. MLflow constructs each class when it is
imported; this module imports nothing (not even MLflow) until a method is called, and then
only labtrack's REST store and notebook code. Errors never reach the user's code: MLflow
catches them and logs a warning, and the run goes on.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = ["LabtrackHeaders", "NotebookExperiment", "NotebookRunContext", "labtrack_server"]

MLFLOW_SUFFIX = "/labtrack/mlflow"


def _mlflow_tracking_uri() -> str:
    # lazy: MLflow is the caller, so it is imported already when this runs.
    import mlflow

    return str(mlflow.get_tracking_uri())


@lru_cache(maxsize=8)
def _server_of(uri: str) -> str | None:
    """The labtrack server behind an MLflow tracking URI, or ``None`` for any other URI."""
    if not uri.lower().startswith(("http://", "https://")):
        return None
    if not uri.rstrip("/").endswith(MLFLOW_SUFFIX):
        return None
    # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
    from labtrack.config import server_base_url

    return server_base_url(uri)


def labtrack_server() -> str | None:
    """The base URL of the labtrack server MLflow logs to, or ``None``."""
    return _server_of(_mlflow_tracking_uri())


def _in_kernel() -> bool:
    return "ipykernel" in sys.modules


def _client() -> TrackingClient | None:
    server = labtrack_server()
    if server is None:
        return None
    # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
    from labtrack.tracking.client import TrackingClient

    return TrackingClient(server)


class NotebookRunContext:
    """Tags of a run MLflow starts in a notebook kernel (MLflow's ``RunContextProvider``)."""

    def in_context(self) -> bool:
        return _in_kernel() and labtrack_server() is not None

    def tags(self) -> dict[str, str]:
        client = _client()
        if client is None:
            return {}
        # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
        from labtrack.notebook.capture import capture_tags
        from labtrack.notebook.experiment import notebook_tags
        from labtrack.notebook.identity import current_notebook

        tags = notebook_tags(client)
        info = current_notebook(client.store)
        if info is not None:
            tags.update(capture_tags(client.store, info, with_environment=True))
        return tags


class NotebookExperiment:
    """The notebook's experiment for runs started with none set (MLflow's
    ``DefaultExperimentProvider``)."""

    def in_context(self) -> bool:
        if not (_in_kernel() and labtrack_server() is not None):
            return False
        # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
        from labtrack.notebook.identity import current_notebook

        client = _client()
        return client is not None and current_notebook(client.store) is not None

    def get_experiment_id(self) -> str:
        # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
        from labtrack.notebook.experiment import notebook_experiment_id

        client = _client()
        found = notebook_experiment_id(client) if client is not None else None
        if found is None:
            raise RuntimeError("this kernel serves no notebook that labtrack knows")
        return found


class LabtrackHeaders:
    """Headers of MLflow's requests to a labtrack server (MLflow's ``RequestHeaderProvider``)."""

    def in_context(self) -> bool:
        return labtrack_server() is not None

    def request_headers(self) -> dict[str, str]:
        # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
        from labtrack.utils.version import __version__

        headers = {"User-Agent": f"labtrack-mlflow-plugin/{__version__}"}
        if not os.environ.get("MLFLOW_TRACKING_TOKEN"):
            # MLflow sets Authorization itself from MLFLOW_TRACKING_TOKEN (and then wins).
            # lazy: MLflow imports this module with itself; labtrack loads when MLflow calls
            from labtrack.store.rest.transport import token_from_env

            token = token_from_env()
            if token:
                headers["Authorization"] = f"Bearer {token}"
        return headers
