"""Entities to JSON for the REST API. Non-finite metric values travel as strings."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from labtrack.entities import Experiment, Run
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
    }
