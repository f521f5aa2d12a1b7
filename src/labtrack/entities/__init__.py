"""Plain data objects handed out by the store: experiments, runs and their data.

They mirror MLflow's entities (``Run.info``, ``Run.data``, ``Metric``, ...) so code that reads
them keeps working. They hold no database state; the store builds them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from labtrack.entities.dataset import Dataset, DatasetInput, InputTag, RunInputs, RunOutputs
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
)
from labtrack.errors import InvalidParameterError

__all__ = [
    "Dataset",
    "DatasetInput",
    "Experiment",
    "InputTag",
    "LifecycleStage",
    "LoggedModel",
    "LoggedModelInput",
    "LoggedModelOutput",
    "LoggedModelParameter",
    "LoggedModelStatus",
    "LoggedModelTag",
    "Metric",
    "PagedList",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunInputs",
    "RunOutputs",
    "RunStatus",
    "RunTag",
    "ViewType",
]


class RunStatus:
    """Run states, as strings (``run.info.status == "FINISHED"``)."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"

    _ALL = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
    _TERMINATED = ("FINISHED", "FAILED", "KILLED")

    @classmethod
    def all_status(cls) -> tuple[str, ...]:
        return cls._ALL

    @classmethod
    def from_string(cls, status: str) -> str:
        upper = str(status).upper()
        if upper not in cls._ALL:
            raise InvalidParameterError(
                f"Unknown run status {status!r}: use one of {', '.join(cls._ALL)}."
            )
        return upper

    to_string = from_string

    @classmethod
    def is_terminated(cls, status: str) -> bool:
        return status in cls._TERMINATED


class LifecycleStage:
    ACTIVE = "active"
    DELETED = "deleted"


class ViewType:
    """Which objects a search returns: active ones, deleted ones, or both."""

    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3

    @classmethod
    def stages(cls, view_type: int) -> tuple[str, ...]:
        if view_type == cls.ACTIVE_ONLY:
            return (LifecycleStage.ACTIVE,)
        if view_type == cls.DELETED_ONLY:
            return (LifecycleStage.DELETED,)
        if view_type == cls.ALL:
            return (LifecycleStage.ACTIVE, LifecycleStage.DELETED)

        raise InvalidParameterError(
            f"Unknown view_type {view_type!r}: use ViewType.ACTIVE_ONLY, DELETED_ONLY or ALL."
        )


@dataclass(frozen=True, slots=True)
class Metric:
    """A metric point. MLflow 3 links a point to a logged model (``model_id``) and to the
    dataset it was computed on (``dataset_name``, ``dataset_digest``)."""

    key: str
    value: float
    timestamp: int
    step: int = 0
    run_id: str | None = None
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None


@dataclass(frozen=True, slots=True)
class Param:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class RunTag:
    key: str
    value: str


ExperimentTag = RunTag


@dataclass(slots=True)
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE
    tags: dict[str, str] = field(default_factory=dict)
    creation_time: int | None = None
    last_update_time: int | None = None


@dataclass(slots=True)
class RunInfo:
    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    status: str
    start_time: int
    end_time: int | None
    lifecycle_stage: str
    artifact_uri: str

    @property
    def run_uuid(self) -> str:
        return self.run_id


@dataclass(slots=True)
class RunData:
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Run:
    info: RunInfo
    data: RunData
    # What the run used (datasets, logged models) and produced (logged models).
    inputs: RunInputs = field(default_factory=RunInputs)
    outputs: RunOutputs = field(default_factory=RunOutputs)

    def to_dictionary(self) -> dict[str, Any]:
        return {
            "info": {
                "run_id": self.info.run_id,
                "run_uuid": self.info.run_id,
                "experiment_id": self.info.experiment_id,
                "run_name": self.info.run_name,
                "user_id": self.info.user_id,
                "status": self.info.status,
                "start_time": self.info.start_time,
                "end_time": self.info.end_time,
                "lifecycle_stage": self.info.lifecycle_stage,
                "artifact_uri": self.info.artifact_uri,
            },
            "data": {
                "metrics": dict(self.data.metrics),
                "params": dict(self.data.params),
                "tags": dict(self.data.tags),
            },
            "inputs": self.inputs.to_dictionary(),
            "outputs": self.outputs.to_dictionary(),
        }


T = TypeVar("T")


class PagedList(list[T], Generic[T]):
    """A list of results with the token that fetches the next page (``None`` on the last)."""

    def __init__(self, items: Iterable[T], token: str | None) -> None:
        super().__init__(items)
        self.token = token
