"""The neutral form every source and destination of a transfer speaks: one run, one experiment.

A labtrack store, a bundle and an MLflow tracking server are each read into these records and
written from them, so the id remapping, parent links and blob handling are written once.
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labtrack.utils import mlflow_tags

__all__ = [
    "BLOB_TAGS",
    "IMPORTED_FROM",
    "RUN_REFERENCE_TAGS",
    "ExperimentRecord",
    "MetricSeries",
    "RunRecord",
    "decode_float",
    "encode_float",
]

# The tag naming the run an imported run came from (its id in the source store).
IMPORTED_FROM = mlflow_tags.IMPORTED_FROM
# Tags whose value is a run id: remapped to the new ids when the run they name comes along.
RUN_REFERENCE_TAGS = (mlflow_tags.PARENT_RUN_ID, mlflow_tags.REPRODUCED_FROM)
# Tags whose value is a blob digest (notebook version, environment), and the blob's kind.
BLOB_TAGS = {
    mlflow_tags.NOTEBOOK_REVISION: "notebook",
    mlflow_tags.ENVIRONMENT_REVISION: "environment",
}
# Tags that only mean something in the store they were written in.
LOCAL_ONLY_TAGS = (mlflow_tags.REGISTERED_MODELS,)


def _read_tags(data: Any) -> dict[str, str]:
    """A record's tags as JSON holds them; bundles written before labtrack used MLflow's
    system tag names (``labtrack.runName``...) get MLflow's names."""
    return mlflow_tags.modern_tags({str(k): str(v) for k, v in (data or {}).items()})


def encode_float(value: float) -> float | str:
    """JSON has no NaN or infinities: they travel as the strings MLflow's REST API uses."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def decode_float(value: Any) -> float:
    if isinstance(value, str):
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(value, value))
    return float(value)


@dataclass
class MetricSeries:
    """One metric's history as parallel arrays (compact in JSON)."""

    step: list[int] = field(default_factory=list)
    timestamp: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def add(self, step: int, timestamp: int, value: float) -> None:
        self.step.append(int(step))
        self.timestamp.append(int(timestamp))
        self.value.append(float(value))

    def __len__(self) -> int:
        return len(self.value)

    def to_json(self) -> dict[str, list[Any]]:
        return {
            "step": self.step,
            "timestamp": self.timestamp,
            "value": [encode_float(v) for v in self.value],
        }

    @classmethod
    def from_json(cls, data: dict[str, list[Any]]) -> MetricSeries:
        steps, stamps, values = data["step"], data["timestamp"], data["value"]
        if not len(steps) == len(stamps) == len(values):
            raise ValueError("step, timestamp and value arrays differ in length")
        return cls(
            [int(s) for s in steps], [int(t) for t in stamps], [decode_float(v) for v in values]
        )


@dataclass
class ExperimentRecord:
    experiment_id: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    lifecycle_stage: str = "active"
    creation_time: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "experiment_id": self.experiment_id,
            "name": self.name,
            "tags": self.tags,
            "lifecycle_stage": self.lifecycle_stage,
            "creation_time": self.creation_time,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExperimentRecord:
        return cls(
            str(data["experiment_id"]),
            str(data["name"]),
            _read_tags(data.get("tags")),
            str(data.get("lifecycle_stage") or "active"),
            data.get("creation_time"),
        )


@dataclass
class RunRecord:
    """A run as it travels: info, params, tags, metric histories, artifacts and blobs.

    ``artifacts`` is a local folder holding the run's artifacts (or None when it has none);
    ``blobs`` maps a digest named by a tag in :data:`BLOB_TAGS` to ``(kind, data)``.
    """

    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    status: str
    start_time: int
    end_time: int | None
    lifecycle_stage: str = "active"
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, MetricSeries] = field(default_factory=dict)
    artifacts: Path | None = None
    blobs: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def info_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "experiment_id": self.experiment_id,
            "run_name": self.run_name,
            "user_id": self.user_id,
            "status": self.status,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "lifecycle_stage": self.lifecycle_stage,
        }

    def to_json(self, artifact_files: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "info": self.info_json(),
            "params": self.params,
            "tags": self.tags,
            "metrics": {k: s.to_json() for k, s in sorted(self.metrics.items())},
            "artifacts": artifact_files,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        info = data["info"]
        return cls(
            run_id=str(info["run_id"]),
            experiment_id=str(info["experiment_id"]),
            run_name=str(info.get("run_name") or ""),
            user_id=str(info.get("user_id") or ""),
            status=str(info.get("status") or "FINISHED"),
            start_time=int(info.get("start_time") or 0),
            end_time=None if info.get("end_time") is None else int(info["end_time"]),
            lifecycle_stage=str(info.get("lifecycle_stage") or "active"),
            params={str(k): str(v) for k, v in (data.get("params") or {}).items()},
            tags=_read_tags(data.get("tags")),
            metrics={
                str(k): MetricSeries.from_json(v) for k, v in (data.get("metrics") or {}).items()
            },
        )


def artifact_files(folder: Path | None) -> list[dict[str, Any]]:
    """``[{"path": "model/MLmodel", "size": 412}, ...]`` for the files under ``folder``."""
    if folder is None or not folder.is_dir():
        return []
    return [
        {"path": p.relative_to(folder).as_posix(), "size": p.stat().st_size}
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    ]


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary folder removed afterwards, whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
