"""HTTP routes of the server extension, all under ``<base_url>labtrack/api/``.

Handlers only translate HTTP: parse, call the library, serialize. The URL table is at the
bottom of this module.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from labtrack.server import mlflow
from labtrack.server.base import LabtrackHandler
from labtrack.server.experiments import (
    ExperimentHandler,
    ExperimentRestoreHandler,
    ExperimentsHandler,
    NotebookExperimentHandler,
)
from labtrack.server.logged_models import (
    LoggedModelArtifactFileHandler,
    LoggedModelArtifactsHandler,
    LoggedModelHandler,
)
from labtrack.server.notebook_files import NotebookRestoreHandler
from labtrack.server.openapi import OpenApiHandler
from labtrack.server.permissions_routes import (
    ExperimentPermissionsHandler,
    ModelPermissionsHandler,
    WhoamiHandler,
)
from labtrack.server.registry import (
    AliasHandler,
    ModelVersionHandler,
    ModelVersionsHandler,
    ModelVersionStageHandler,
    ModelVersionTransitionsHandler,
    RegisteredModelHandler,
    RegisteredModelsHandler,
)
from labtrack.server.reproduce.handlers import ReproduceHandler, ReproductionJobHandler
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
from labtrack.server.serving.handlers import (
    SERVING_PREFIX,
    ServingHandler,
    ServingMetricsHandler,
    ServingProxyHandler,
    setup_serving,
)
from labtrack.server.settings import Labtrack, redact_uri
from labtrack.server.store_rpc import StoreRpcHandler
from labtrack.server.transition_requests import (
    CommentHandler,
    CommentsHandler,
    ModelTransitionRequestsHandler,
    SettleTransitionRequestHandler,
    TransitionRequestsHandler,
    VersionActivitiesHandler,
)

__all__ = ["API_PREFIX", "route_tables", "setup_route_handlers"]

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
        (url_path_join(base_url, prefix, pattern), handler, {"labtrack": settings})
        for prefix, table in route_tables()
        for pattern, handler in table
    ]
    web_app.add_handlers(".*$", handlers)
    setup_serving(web_app, settings)


def route_tables() -> list[tuple[str, list[tuple[str, type[LabtrackHandler]]]]]:
    """Every (prefix below the base URL, URL table) the extension mounts."""
    return [
        (API_PREFIX, ROUTES),
        (SERVING_PREFIX, SERVING_ROUTES),
        (mlflow.MLFLOW_PREFIX, mlflow.routes()),
    ]


# (pattern below labtrack/api/, handler class). Path groups are tornado regex groups.
RUN_ID = r"(?P<run_id>[^/]+)"
EXPERIMENT_ID = r"(?P<experiment_id>[^/]+)"
MODEL = r"registered-models/(?P<name>[^/]+)"
VERSION = r"(?P<version>[^/]+)"
LOGGED_MODEL = r"logged-models/(?P<model_id>[^/]+)"

ROUTES: list[tuple[str, type[LabtrackHandler]]] = [
    ("store", StoreHandler),
    ("store/(?P<method>[^/]+)", StoreRpcHandler),
    (r"openapi\.json", OpenApiHandler),
    ("experiments", ExperimentsHandler),
    (f"experiments/{EXPERIMENT_ID}", ExperimentHandler),
    (f"experiments/{EXPERIMENT_ID}/restore", ExperimentRestoreHandler),
    (f"experiments/{EXPERIMENT_ID}/permissions", ExperimentPermissionsHandler),
    ("whoami", WhoamiHandler),
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
    (f"runs/{RUN_ID}/notebook/restore", NotebookRestoreHandler),
    (f"runs/{RUN_ID}/reproduce", ReproduceHandler),
    (f"runs/{RUN_ID}/reproduce/(?P<job_id>[^/]+)", ReproductionJobHandler),
    ("compare", CompareHandler),
    (LOGGED_MODEL, LoggedModelHandler),
    (f"{LOGGED_MODEL}/artifacts", LoggedModelArtifactsHandler),
    (f"{LOGGED_MODEL}/artifacts/file", LoggedModelArtifactFileHandler),
    ("changes", ChangesHandler),
    ("registered-models", RegisteredModelsHandler),
    (MODEL, RegisteredModelHandler),
    (f"{MODEL}/versions", ModelVersionsHandler),
    (f"{MODEL}/versions/{VERSION}", ModelVersionHandler),
    (f"{MODEL}/versions/{VERSION}/stage", ModelVersionStageHandler),
    (f"{MODEL}/versions/{VERSION}/transitions", ModelVersionTransitionsHandler),
    (f"{MODEL}/transition-requests", ModelTransitionRequestsHandler),
    (f"{MODEL}/versions/{VERSION}/transition-requests", TransitionRequestsHandler),
    (
        f"{MODEL}/versions/{VERSION}/transition-requests/(?P<action>[^/]+)",
        SettleTransitionRequestHandler,
    ),
    (f"{MODEL}/versions/{VERSION}/comments", CommentsHandler),
    (f"{MODEL}/versions/{VERSION}/comments/(?P<comment_id>[^/]+)", CommentHandler),
    (f"{MODEL}/versions/{VERSION}/activities", VersionActivitiesHandler),
    (f"{MODEL}/aliases/(?P<alias>[^/]+)", AliasHandler),
    (f"{MODEL}/serving", ServingHandler),
    (f"{MODEL}/permissions", ModelPermissionsHandler),
    (f"{MODEL}/serving/metrics", ServingMetricsHandler),
]

# Below labtrack/serving/ (outside the API): the model endpoints, proxied to model processes.
SERVING_ROUTES: list[tuple[str, type[LabtrackHandler]]] = [
    (r"(?P<name>[^/]+)/(?P<ref>[^/]+)/invocations", ServingProxyHandler),
]
