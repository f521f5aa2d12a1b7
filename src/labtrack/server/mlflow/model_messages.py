"""MLflow 3's logged models as MLflow's REST messages (``LoggedModel``: ``info`` and ``data``).

Status is the proto enum's name (``LOGGED_MODEL_READY``), times are ``*_timestamp_ms``, the
files' location is ``info.artifact_uri`` (``mlflow-artifacts:/<experiment>/models/<id>/artifacts``
under the server's artifact root, so clients upload and download through the proxy), and each
linked metric point carries its ``model_id``, ``run_id`` and dataset.
"""

from __future__ import annotations

from typing import Any

from labtrack.entities import Metric
from labtrack.entities.logged_model import LoggedModel, LoggedModelStatus
from labtrack.server.mlflow.messages import ArtifactUris, compact, key_values
from labtrack.server.serialize import number

__all__ = ["STATUS_NAMES", "linked_metric", "logged_model", "parse_status"]

# LoggedModelStatus in MLflow's service.proto, by number.
STATUS_NAMES = (
    "LOGGED_MODEL_STATUS_UNSPECIFIED",
    "LOGGED_MODEL_PENDING",
    "LOGGED_MODEL_READY",
    "LOGGED_MODEL_UPLOAD_FAILED",
)


def parse_status(name: str) -> LoggedModelStatus:
    """labtrack's status of a proto enum name (``LOGGED_MODEL_READY``)."""
    return LoggedModelStatus.from_int(STATUS_NAMES.index(name))


def linked_metric(point: Metric) -> dict[str, Any]:
    """A metric point of a logged model, with what it is linked to."""
    return compact(
        {
            "key": point.key,
            "value": number(point.value),
            "timestamp": point.timestamp,
            "step": point.step,
            "dataset_name": point.dataset_name,
            "dataset_digest": point.dataset_digest,
            "model_id": point.model_id,
            "run_id": point.run_id,
        }
    )


def logged_model(model: LoggedModel, uris: ArtifactUris) -> dict[str, Any]:
    """``{"info": ..., "data": ...}`` of a logged model."""
    info = compact(
        {
            "model_id": model.model_id,
            "experiment_id": model.experiment_id,
            "name": model.name,
            "creation_timestamp_ms": model.creation_timestamp,
            "last_updated_timestamp_ms": model.last_updated_timestamp,
            "artifact_uri": uris.to_wire(model.artifact_location),
            "status": STATUS_NAMES[model.status.to_int()],
            "model_type": model.model_type,
            "source_run_id": model.source_run_id,
            "status_message": model.status_message,
            "tags": key_values(model.tags),
        }
    )
    data = compact(
        {
            "params": key_values(model.params),
            "metrics": [linked_metric(m) for m in model.metrics or ()],
        }
    )
    return {"info": info, "data": data}
