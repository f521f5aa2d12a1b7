"""labtrack's entities as MLflow's REST messages, and artifact locations as MLflow clients see them.

Field names, nesting and value forms are MLflow's: tags and params as ``[{"key", "value"}]``
lists, int64 times as numbers, enums by name, non-finite doubles as ``"NaN"`` /
``"Infinity"`` / ``"-Infinity"``, model version numbers as strings. Fields with no value are
left out, as MLflow's server leaves unset protobuf fields out (an empty search result is
``{}``); MLflow's clients read both forms.

Artifact locations under the server's artifact root are handed out as ``mlflow-artifacts:/<path>``
(what ``mlflow server --serve-artifacts`` does), so clients upload and download through the
server's artifact proxy and never need access to the artifact store itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labtrack.entities import Experiment, Metric, Run, RunInfo
from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.errors import InvalidParameterError
from labtrack.server.serialize import number
from labtrack.store.artifacts.filesystems import parse_root
from labtrack.store.artifacts.paths import safe_artifact_path
from labtrack.store.contract import MetricSummary

__all__ = [
    "PROXY_SCHEME",
    "ArtifactUris",
    "compact",
    "experiment",
    "metric",
    "model_version",
    "registered_model",
    "run",
    "run_info",
]

PROXY_SCHEME = "mlflow-artifacts:"


def compact(message: Mapping[str, Any]) -> dict[str, Any]:
    """The message without unset fields (``None`` and empty lists), as protobuf writes it."""
    return {k: v for k, v in message.items() if v is not None and v != []}


def key_values(values: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items()]


class ArtifactUris:
    """Maps the store's artifact locations to and from ``mlflow-artifacts:/`` URIs.

    >>> uris = ArtifactUris("/srv/lt/artifacts")
    >>> uris.to_wire("/srv/lt/artifacts/3/abc/artifacts")
    'mlflow-artifacts:/3/abc/artifacts'
    >>> uris.from_wire("mlflow-artifacts:/3/abc/artifacts/model")
    '/srv/lt/artifacts/3/abc/artifacts/model'

    A location outside the root (an experiment created with its own ``artifact_location``) is
    handed out as it is; MLflow's clients then reach it directly, as with MLflow's server.
    """

    def __init__(self, artifact_root: str) -> None:
        self.root = parse_root(artifact_root).uri.rstrip("/")

    def to_wire(self, location: str | None) -> str | None:
        if not location:
            return location
        text = location.rstrip("/")
        if text == self.root:
            return PROXY_SCHEME + "/"
        if text.startswith(self.root + "/"):
            return PROXY_SCHEME + "/" + text[len(self.root) + 1 :]
        return location

    def location_to_wire(self, location: str) -> str:
        """:meth:`to_wire` for a location that is there."""
        return self.to_wire(location) or location

    def from_wire(self, uri: str) -> str:
        """The store location of ``mlflow-artifacts:/<path>`` (other URIs are returned as they
        are); the path passes the same checks as every artifact path."""
        if not uri.startswith(PROXY_SCHEME):
            return uri
        rest = uri[len(PROXY_SCHEME) :]
        if rest.startswith("//"):  # mlflow-artifacts://host:port/path names a server
            rest = "/" + rest[2:].partition("/")[2]
        rel = safe_artifact_path(rest.lstrip("/"))
        if not rel:
            raise InvalidParameterError(f"{uri!r} names the whole artifact store, not a folder.")
        return f"{self.root}/{rel}"

    def relative(self, path: str | None) -> str:
        """A proxy path (``<experiment>/<run>/artifacts/<file>``), checked and normalised."""
        return safe_artifact_path(path)


def experiment(exp: Experiment, uris: ArtifactUris) -> dict[str, Any]:
    return compact(
        {
            "experiment_id": exp.experiment_id,
            "name": exp.name,
            "artifact_location": uris.to_wire(exp.artifact_location),
            "lifecycle_stage": exp.lifecycle_stage,
            "creation_time": exp.creation_time,
            "last_update_time": exp.last_update_time,
            "tags": key_values(exp.tags),
        }
    )


def run_info(info: RunInfo, uris: ArtifactUris) -> dict[str, Any]:
    return compact(
        {
            "run_uuid": info.run_id,
            "experiment_id": info.experiment_id,
            "run_name": info.run_name,
            "user_id": info.user_id,
            "status": info.status,
            "start_time": info.start_time,
            "end_time": info.end_time,
            "artifact_uri": uris.to_wire(info.artifact_uri),
            "lifecycle_stage": info.lifecycle_stage,
            "run_id": info.run_id,
        }
    )


def run(
    entity: Run,
    uris: ArtifactUris,
    summaries: Mapping[str, MetricSummary] | Mapping[str, Mapping[str, object]] | None = None,
) -> dict[str, Any]:
    """A run; its latest metrics carry their step and timestamp when ``summaries`` has them
    (``{key: {"step", "timestamp", ...}}``)."""
    metrics = []
    for key, value in entity.data.metrics.items():
        point: dict[str, Any] = {"key": key, "value": number(value)}
        summary = (summaries or {}).get(key)
        if summary:
            point.update(timestamp=summary["timestamp"], step=summary["step"])
        metrics.append(point)
    data = compact(
        {
            "metrics": metrics,
            "params": key_values(entity.data.params),
            "tags": key_values(entity.data.tags),
        }
    )
    inputs = compact(
        {
            "dataset_inputs": [
                {
                    "tags": [{"key": t.key, "value": t.value} for t in used.tags],
                    "dataset": compact(
                        {
                            "name": used.dataset.name,
                            "digest": used.dataset.digest,
                            "source_type": used.dataset.source_type,
                            "source": used.dataset.source,
                            "schema": used.dataset.schema,
                            "profile": used.dataset.profile,
                        }
                    ),
                }
                for used in entity.inputs.dataset_inputs
            ],
            "model_inputs": [{"model_id": m.model_id} for m in entity.inputs.model_inputs],
        }
    )
    outputs = compact(
        {
            "model_outputs": [
                {"model_id": m.model_id, "step": m.step} for m in entity.outputs.model_outputs
            ]
        }
    )
    out = {"info": run_info(entity.info, uris), "data": data, "inputs": inputs}
    if outputs:
        out["outputs"] = outputs
    return out


def metric(point: Metric, with_run_id: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": point.key,
        "value": number(point.value),
        "timestamp": point.timestamp,
        "step": point.step,
    }
    if with_run_id:
        out["run_id"] = point.run_id
    return out


def model_version(mv: ModelVersion, uris: ArtifactUris) -> dict[str, Any]:
    return compact(
        {
            "name": mv.name,
            "version": str(mv.version),
            "creation_timestamp": mv.creation_timestamp,
            "last_updated_timestamp": mv.last_updated_timestamp,
            "user_id": mv.user_id,
            "current_stage": mv.current_stage,
            "description": mv.description if mv.description is not None else "",
            "source": uris.to_wire(mv.source),
            "run_id": mv.run_id,
            "status": mv.status,
            "status_message": mv.status_message,
            "tags": key_values(mv.tags),
            "run_link": mv.run_link if mv.run_link is not None else "",
            "aliases": list(mv.aliases),
        }
    )


def registered_model(rm: RegisteredModel, uris: ArtifactUris) -> dict[str, Any]:
    return compact(
        {
            "name": rm.name,
            "creation_timestamp": rm.creation_timestamp,
            "last_updated_timestamp": rm.last_updated_timestamp,
            "description": rm.description,
            "latest_versions": [model_version(v, uris) for v in rm.latest_versions],
            "tags": key_values(rm.tags),
            "aliases": [
                {"alias": alias, "version": str(version)} for alias, version in rm.aliases.items()
            ],
        }
    )
