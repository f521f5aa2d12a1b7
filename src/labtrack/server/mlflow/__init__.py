"""MLflow's REST protocol, served under ``<base_url>labtrack/mlflow/``.

Any MLflow client logs into labtrack with ``MLFLOW_TRACKING_URI=http://host:port/labtrack/mlflow``
(and ``MLFLOW_TRACKING_TOKEN`` set to the Jupyter token, which arrives as
``Authorization: Bearer <token>``). One module per area (experiments, runs, metrics, registry,
artifacts); each handler parses the request by MLflow's rules (:mod:`.fields`), calls the
client or the store contract, and answers MLflow's message (:mod:`.messages`). The URL table
is :data:`ROUTES`; MLflow serves every RPC under ``api/<version>/`` and ``ajax-api/<version>/``.

MLflow 3's logged models (``logged-models/...``, ``runs/outputs``) are :mod:`.logged_models`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labtrack.server.base import LabtrackHandler

__all__ = ["MLFLOW_PREFIX", "routes"]

MLFLOW_PREFIX = "labtrack/mlflow"


def routes() -> list[tuple[str, type[LabtrackHandler]]]:
    """(pattern below ``labtrack/mlflow/``, handler) for every MLflow route."""
    from labtrack.server.mlflow import (
        artifacts,
        experiments,
        logged_models,
        metrics,
        multipart,
        permissions,
        registry,
        runs,
        transition_requests,
    )

    model = r"(?P<model_id>[^/]+)"
    tracking: list[tuple[str, type[LabtrackHandler]]] = [
        ("experiments/create", experiments.CreateExperimentHandler),
        ("experiments/get", experiments.GetExperimentHandler),
        ("experiments/get-by-name", experiments.GetExperimentByNameHandler),
        ("experiments/search", experiments.SearchExperimentsHandler),
        ("experiments/update", experiments.UpdateExperimentHandler),
        ("experiments/delete", experiments.DeleteExperimentHandler),
        ("experiments/restore", experiments.RestoreExperimentHandler),
        ("experiments/set-experiment-tag", experiments.SetExperimentTagHandler),
        ("experiments/delete-experiment-tag", experiments.DeleteExperimentTagHandler),
        ("runs/create", runs.CreateRunHandler),
        ("runs/get", runs.GetRunHandler),
        ("runs/update", runs.UpdateRunHandler),
        ("runs/delete", runs.DeleteRunHandler),
        ("runs/restore", runs.RestoreRunHandler),
        ("runs/search", runs.SearchRunsHandler),
        ("runs/log-metric", runs.LogMetricHandler),
        ("runs/log-parameter", runs.LogParamHandler),
        ("runs/set-tag", runs.SetTagHandler),
        ("runs/delete-tag", runs.DeleteTagHandler),
        ("runs/log-batch", runs.LogBatchHandler),
        ("runs/log-model", runs.LogModelHandler),
        ("runs/log-inputs", runs.LogInputsHandler),
        ("runs/outputs", logged_models.LogOutputsHandler),
        ("metrics/get-history", metrics.GetMetricHistoryHandler),
        ("metrics/get-history-bulk-interval", metrics.GetMetricHistoryBulkIntervalHandler),
        ("artifacts/list", artifacts.RunArtifactListHandler),
        # search before <model_id>, which would take "search" as an id
        ("logged-models", logged_models.CreateLoggedModelHandler),
        ("logged-models/search", logged_models.SearchLoggedModelsHandler),
        (f"logged-models/{model}", logged_models.LoggedModelHandler),
        (f"logged-models/{model}/tags", logged_models.LoggedModelTagsHandler),
        (f"logged-models/{model}/tags/(?P<tag_key>.+)", logged_models.DeleteLoggedModelTagHandler),
        (f"logged-models/{model}/params", logged_models.LogLoggedModelParamsHandler),
        (
            f"logged-models/{model}/artifacts/directories",
            logged_models.LoggedModelArtifactListHandler,
        ),
        (f"logged-models/{model}/artifacts/files", logged_models.LoggedModelArtifactFileHandler),
        ("registered-models/create", registry.CreateRegisteredModelHandler),
        ("registered-models/get", registry.GetRegisteredModelHandler),
        ("registered-models/rename", registry.RenameRegisteredModelHandler),
        ("registered-models/update", registry.UpdateRegisteredModelHandler),
        ("registered-models/delete", registry.DeleteRegisteredModelHandler),
        ("registered-models/search", registry.SearchRegisteredModelsHandler),
        ("registered-models/get-latest-versions", registry.GetLatestVersionsHandler),
        ("registered-models/set-tag", registry.SetRegisteredModelTagHandler),
        ("registered-models/delete-tag", registry.DeleteRegisteredModelTagHandler),
        ("registered-models/alias", registry.AliasHandler),
        ("model-versions/create", registry.CreateModelVersionHandler),
        ("model-versions/get", registry.GetModelVersionHandler),
        ("model-versions/update", registry.UpdateModelVersionHandler),
        ("model-versions/delete", registry.DeleteModelVersionHandler),
        ("model-versions/search", registry.SearchModelVersionsHandler),
        ("model-versions/get-download-uri", registry.GetDownloadUriHandler),
        ("model-versions/set-tag", registry.SetModelVersionTagHandler),
        ("model-versions/delete-tag", registry.DeleteModelVersionTagHandler),
        ("model-versions/transition-stage", registry.TransitionStageHandler),
        # Databricks' workspace registry: requests and comments (not in MLflow OSS)
        ("transition-requests/create", transition_requests.CreateTransitionRequestHandler),
        ("transition-requests/list", transition_requests.ListTransitionRequestsHandler),
        ("transition-requests/approve", transition_requests.ApproveTransitionRequestHandler),
        ("transition-requests/reject", transition_requests.RejectTransitionRequestHandler),
        ("transition-requests/delete", transition_requests.DeleteTransitionRequestHandler),
        ("comments/create", transition_requests.CreateCommentHandler),
        ("comments/update", transition_requests.UpdateCommentHandler),
        ("comments/delete", transition_requests.DeleteCommentHandler),
        *permissions.routes(),
    ]
    path = r"(?P<path>.+)"
    table = [
        (f"{api}/2.0/mlflow/{pattern}", handler)
        for api in ("api", "ajax-api")
        for pattern, handler in tracking
    ]
    table += [
        ("api/3.0/mlflow/server-info", artifacts.ServerInfoHandler),
        ("ajax-api/3.0/mlflow/server-info", artifacts.ServerInfoHandler),
        ("api/2.0/mlflow-artifacts/artifacts", artifacts.ArtifactListHandler),
        (f"api/2.0/mlflow-artifacts/artifacts/{path}", artifacts.ArtifactHandler),
        (f"api/2.0/mlflow-artifacts/mpu/create/{path}", multipart.CreateMultipartHandler),
        (f"api/2.0/mlflow-artifacts/mpu/upload-part/{path}", multipart.UploadPartHandler),
        (f"api/2.0/mlflow-artifacts/mpu/complete/{path}", multipart.CompleteMultipartHandler),
        (f"api/2.0/mlflow-artifacts/mpu/abort/{path}", multipart.AbortMultipartHandler),
    ]
    return table
