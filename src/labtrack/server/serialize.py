"""Entities to JSON for the REST API. Non-finite metric values travel as strings."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from labtrack.entities import Experiment, LoggedModel, Run
from labtrack.utils import mlflow_tags

# Always sent with a run row, whatever columns were asked for: the sidebar needs them.
ALWAYS_TAGS = (
    mlflow_tags.SOURCE_NAME,
    mlflow_tags.USER,
    mlflow_tags.PARENT_RUN_ID,
    mlflow_tags.KERNEL_ID,
    mlflow_tags.NOTE,
)


def number(value: float) -> float | str:
    """A JSON-safe metric value: NaN and infinities as strings."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def experiment_json(exp: Experiment) -> dict[str, Any]:
    return {
        "experiment_id": exp.experiment_id,
        "name": exp.name,
        "artifact_location": exp.artifact_location,
        "lifecycle_stage": exp.lifecycle_stage,
        "tags": dict(exp.tags),
        "creation_time": exp.creation_time,
        "last_update_time": exp.last_update_time,
    }


def _pick(values: dict[str, Any], wanted: set[str] | None) -> dict[str, Any]:
    if wanted is None:
        return dict(values)
    return {k: v for k, v in values.items() if k in wanted}


def run_row(run: Run, columns: Iterable[str] | None = None) -> dict[str, Any]:
    """A run as a table row; ``columns`` (``params.x``, ``metrics.y``, ``tags.z``) limits data."""
    params: set[str] | None = None
    metrics: set[str] | None = None
    tags: set[str] | None = None
    if columns is not None:
        params, metrics, tags = set(), set(), set(ALWAYS_TAGS)
        for col in columns:
            kind, _, key = col.partition(".")
            {"params": params, "metrics": metrics, "tags": tags}.get(kind, set()).add(key)
    info = run.info
    return {
        "run_id": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id,
        "status": info.status,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "user_id": info.user_id,
        "lifecycle_stage": info.lifecycle_stage,
        "artifact_uri": info.artifact_uri,
        "params": _pick(run.data.params, params),
        "metrics": {k: number(v) for k, v in _pick(run.data.metrics, metrics).items()},
        "tags": _pick(run.data.tags, tags),
    }


def run_json(run: Run) -> dict[str, Any]:
    """A whole run, MLflow's REST shape (``info`` and ``data``)."""
    row = run_row(run)
    info = {k: row[k] for k in row if k not in ("params", "metrics", "tags")}
    info["run_uuid"] = info["run_id"]
    return {
        "info": info,
        "data": {"params": row["params"], "metrics": row["metrics"], "tags": row["tags"]},
        "inputs": {
            "dataset_inputs": [
                {"dataset": dict(d.dataset), "tags": [dict(t) for t in d.tags]}
                for d in run.inputs.dataset_inputs
            ],
            "model_inputs": [{"model_id": m.model_id} for m in run.inputs.model_inputs],
        },
        "outputs": {
            "model_outputs": [
                {"model_id": m.model_id, "step": m.step} for m in run.outputs.model_outputs
            ]
        },
    }


def logged_model_json(model: LoggedModel) -> dict[str, Any]:
    """A logged model (MLflow 3): identity, status, where its files are, params, tags and its
    linked metric points."""
    return {
        "model_id": model.model_id,
        "name": model.name,
        "experiment_id": model.experiment_id,
        "artifact_location": model.artifact_location,
        "creation_timestamp": model.creation_timestamp,
        "last_updated_timestamp": model.last_updated_timestamp,
        "model_type": model.model_type,
        "source_run_id": model.source_run_id,
        "status": str(model.status),
        "status_message": model.status_message,
        "tags": dict(model.tags),
        "params": dict(model.params),
        "metrics": [
            {
                "key": m.key,
                "value": number(m.value),
                "timestamp": m.timestamp,
                "step": m.step,
                "run_id": m.run_id,
                "dataset_name": m.dataset_name,
                "dataset_digest": m.dataset_digest,
            }
            for m in model.metrics or []
        ],
    }
