"""The Jupyter server extension: serves ``<base_url>labtrack/api/...`` from the labtrack store.

Only this package (and the serving app) imports tornado and jupyter_server; ``import labtrack``
never imports it. Jupyter loads it through ``jpserver_extensions = {"labtrack": True}``.
"""

from __future__ import annotations

from typing import Any

from labtrack.errors import LabtrackError
from labtrack.server.kernel_env import give_kernels_mlflow

__all__ = ["_jupyter_server_extension_points", "_load_jupyter_server_extension"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "labtrack.server"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Read the ``Labtrack`` config section and register the API routes."""
    from labtrack.server.routes import setup_route_handlers
    from labtrack.server.settings import Labtrack, redact_uri
    from labtrack.server.stale_runs import StaleRuns
    from labtrack.server.watcher import NotebookWatcher

    settings = Labtrack(parent=server_app)
    setup_route_handlers(server_app.web_app, settings)
    watcher = NotebookWatcher(server_app, settings)
    watcher.start()
    server_app.web_app.settings["labtrack_watcher"] = watcher
    if settings.mlflow_kernel_env:
        give_kernels_mlflow(server_app)
    stale = StaleRuns(server_app, settings)
    stale.start()
    server_app.web_app.settings["labtrack_stale_runs"] = stale
    try:
        location = settings.location()
    except LabtrackError as err:
        server_app.log.error("labtrack: the store is misconfigured: %s", err.message)
        return
    server_app.log.info(
        "labtrack: serving store %s (artifacts: %s)",
        redact_uri(location.tracking_uri),
        redact_uri(location.artifact_root),
    )
