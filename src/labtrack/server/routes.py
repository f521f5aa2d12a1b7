"""HTTP routes of the server extension, all under ``<base_url>labtrack/api/``.

Handlers only translate HTTP: parse, call the library, serialize. The URL table is at the
bottom of this module.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from labtrack.server.base import LabtrackHandler
from labtrack.server.experiments import (
    ExperimentHandler,
    ExperimentRestoreHandler,
    ExperimentsHandler,
    NotebookExperimentHandler,
)
from labtrack.server.run_details import (
    ArtifactFileHandler,
    ArtifactListHandler,
    CompareHandler,
    MetricHistoryHandler,
    MetricsBulkHandler,
    NotebookDiffHandler,
    NotebookVersionHandler,
)
from labtrack.server.runs import (
    ChangesHandler,
    RunHandler,
    RunRestoreHandler,
    RunsCsvHandler,
    RunsHandler,
)
from labtrack.server.settings import Labtrack, redact_uri

__all__ = ["API_PREFIX", "setup_route_handlers"]

API_PREFIX = "labtrack/api"


class StoreHandler(LabtrackHandler):
    """``GET store``: which store the server reads (passwords masked)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        location = self.labtrack.location()
        self.write_json(
            {
                "tracking_uri": redact_uri(location.tracking_uri),
                "artifact_root": redact_uri(location.artifact_root),
            }
        )


def setup_route_handlers(web_app: Any, settings: Labtrack) -> None:
    """Register every route of :data:`ROUTES` on the Jupyter server's tornado application."""
    base_url = web_app.settings["base_url"]
    handlers = [
        (url_path_join(base_url, API_PREFIX, pattern), handler, {"labtrack": settings})
        for pattern, handler in ROUTES
    ]
    web_app.add_handlers(".*$", handlers)


# (pattern below labtrack/api/, handler class). Path groups are tornado regex groups.
RUN_ID = r"(?P<run_id>[^/]+)"
EXPERIMENT_ID = r"(?P<experiment_id>[^/]+)"

ROUTES: list[tuple[str, type[LabtrackHandler]]] = [
    ("store", StoreHandler),
    ("experiments", ExperimentsHandler),
    (f"experiments/{EXPERIMENT_ID}", ExperimentHandler),
    (f"experiments/{EXPERIMENT_ID}/restore", ExperimentRestoreHandler),
    ("notebook-experiment", NotebookExperimentHandler),
    ("runs", RunsHandler),
    (r"runs\.csv", RunsCsvHandler),
    (f"runs/{RUN_ID}", RunHandler),
    (f"runs/{RUN_ID}/restore", RunRestoreHandler),
    (f"runs/{RUN_ID}/notebook", NotebookVersionHandler),
    (f"runs/{RUN_ID}/metrics/(?P<key>.+)", MetricHistoryHandler),
    ("metrics-bulk", MetricsBulkHandler),
    (f"runs/{RUN_ID}/artifacts", ArtifactListHandler),
    (f"runs/{RUN_ID}/artifacts/file", ArtifactFileHandler),
    (f"runs/{RUN_ID}/notebook/diff", NotebookDiffHandler),
    ("compare", CompareHandler),
    ("changes", ChangesHandler),
]
