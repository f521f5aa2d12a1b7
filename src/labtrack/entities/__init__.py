"""Plain data objects handed out by the store: experiments, runs and their data.

They mirror MLflow's entities (``mlflow.entities``: ``Run.info``, ``Run.data``, ``Metric``, ...)
so code that reads them keeps working: ``dict(run.info)``, iteration over properties,
``run.to_dictionary()``, equality by content. They hold no database state; the store builds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from labtrack.entities._mlflow_object import MlflowObject
from labtrack.entities.dataset import Dataset, DatasetInput, InputTag, RunInputs, RunOutputs
from labtrack.entities.file_info import FileInfo
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
)
from labtrack.entities.source_type import SourceType
from labtrack.errors import InvalidParameterError

__all__ = [
    "RUN_STATUSES",
    "TERMINATED_STATUSES",
    "Dataset",
    "DatasetInput",
    "Experiment",
    "ExperimentTag",
    "FileInfo",
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
    "SourceType",
    "ViewType",
    "status_name",
]


class RunStatus:
    """MLflow's run states: ints, as ``mlflow.entities.RunStatus`` has them.

    ``run.info.status`` holds the name (``"FINISHED"``); convert with :meth:`to_string` and
    :meth:`from_string`.

    >>> RunStatus.to_string(RunStatus.FINISHED), RunStatus.from_string("KILLED")
    ('FINISHED', 5)
    """

    RUNNING = 1
    SCHEDULED = 2
    FINISHED = 3
    FAILED = 4
    KILLED = 5

    _STRING_TO_STATUS = {
        "RUNNING": RUNNING,
        "SCHEDULED": SCHEDULED,
        "FINISHED": FINISHED,
        "FAILED": FAILED,
        "KILLED": KILLED,
    }
    _STATUS_TO_STRING = {v: k for k, v in _STRING_TO_STATUS.items()}

    @staticmethod
    def from_string(status_str: str) -> int:
        if status_str not in RunStatus._STRING_TO_STATUS:
            raise InvalidParameterError(
                f"Unknown run status {status_str!r}: use one of {', '.join(RUN_STATUSES)}."
            )
        return RunStatus._STRING_TO_STATUS[status_str]

    @staticmethod
    def to_string(status: int) -> str:
        if status not in RunStatus._STATUS_TO_STRING:
            raise InvalidParameterError(
                f"Unknown run status {status!r}: use RunStatus.RUNNING, SCHEDULED, FINISHED, "
                "FAILED or KILLED."
            )
        return RunStatus._STATUS_TO_STRING[status]

    @staticmethod
    def is_terminated(status: int | str) -> bool:
        """FINISHED, FAILED or KILLED (the int, or its name as ``run.info.status`` holds it)."""
        return status in (3, 4, 5) or status in TERMINATED_STATUSES

    @staticmethod
    def all_status() -> list[int]:
        return list(RunStatus._STATUS_TO_STRING)


# Run states as runs hold them (``run.info.status``), and the ones a run ends in.
RUN_STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
TERMINATED_STATUSES = frozenset({"FINISHED", "FAILED", "KILLED"})


def status_name(status: int | str) -> str:
    """A run status as runs hold it, from its name (any case) or a :class:`RunStatus` int.

    >>> status_name("killed"), status_name(RunStatus.FAILED)
    ('KILLED', 'FAILED')
    """
    if isinstance(status, int) and not isinstance(status, bool):
        return RunStatus.to_string(status)
    upper = str(status).upper()
    if upper not in RUN_STATUSES:
        raise InvalidParameterError(
            f"Unknown run status {status!r}: use one of {', '.join(RUN_STATUSES)}."
        )
    return upper


class LifecycleStage:
    ACTIVE = "active"
    DELETED = "deleted"
    _VALID_STAGES = frozenset({ACTIVE, DELETED})

    @classmethod
    def view_type_to_stages(cls, view_type: int = 3) -> list[str]:
        return list(ViewType.stages(view_type))

    @classmethod
    def is_valid(cls, lifecycle_stage: str) -> bool:
        return lifecycle_stage in cls._VALID_STAGES

    @classmethod
    def matches_view_type(cls, view_type: int, lifecycle_stage: str) -> bool:
        if not cls.is_valid(lifecycle_stage):
            raise InvalidParameterError(f"Invalid lifecycle stage {lifecycle_stage!r}.")
        return lifecycle_stage in ViewType.stages(view_type)


class ViewType:
    """Which objects a search returns: active ones, deleted ones, or both."""

    ACTIVE_ONLY = 1
    DELETED_ONLY = 2
    ALL = 3
    _VIEW_TO_STRING = {ACTIVE_ONLY: "active_only", DELETED_ONLY: "deleted_only", ALL: "all"}
    _STRING_TO_VIEW = {v: k for k, v in _VIEW_TO_STRING.items()}

    @classmethod
    def from_string(cls, view_str: str) -> int:
        if view_str not in cls._STRING_TO_VIEW:
            raise InvalidParameterError(
                f"Unknown view type {view_str!r}: use one of {', '.join(cls._STRING_TO_VIEW)}."
            )
        return cls._STRING_TO_VIEW[view_str]

    @classmethod
    def to_string(cls, view_type: int) -> str:
        if view_type not in cls._VIEW_TO_STRING:
            raise InvalidParameterError(
                f"Unknown view_type {view_type!r}: use ViewType.ACTIVE_ONLY, DELETED_ONLY or ALL."
            )
        return cls._VIEW_TO_STRING[view_type]

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


@dataclass(frozen=True)
class _MetricFields:
    """Metric's fields, for the dataclass protocol (``dataclasses.fields``, ``asdict``,
    ``replace``, pandas' ``DataFrame(metrics)``): Metric lends this class's field list."""

    key: str
    value: float
    timestamp: int
    step: int = 0
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None
    run_id: str | None = None


def _unordered(self: object, other: object) -> Any:
    return NotImplemented  # MLflow's Metric has no order: ``<`` raises TypeError


class Metric(MlflowObject, tuple[Any, ...]):
    """A metric point. MLflow 3 links a point to a logged model (``model_id``) and to the
    dataset it was computed on (``dataset_name``, ``dataset_digest``).

    An immutable object with read-only attributes, equal to another Metric with the same
    fields, as MLflow's ``Metric`` is. It is a tuple underneath, because a history is read as
    a million of them and a tuple subclass is made in C from a database row (:meth:`_of_rows`)
    with no Python code per point. The tuple holds value, timestamp, step (a history row's
    columns, first, so a row needs one concatenation), then key, run_id, model_id,
    dataset_name, dataset_digest; the constructor takes MLflow 3's order (key, value,
    timestamp, step, model_id, dataset_name, dataset_digest, run_id).

    >>> m = Metric("loss", 0.5, 1700000000000, 3)
    >>> (m.key, m.value, m.step, m.run_id), m == Metric("loss", 0.5, 1700000000000, 3)
    (('loss', 0.5, 3, None), True)
    """

    __slots__ = ()
    __dataclass_fields__ = _MetricFields.__dataclass_fields__

    if TYPE_CHECKING:
        key: str
        value: float
        timestamp: int
        step: int
        run_id: str | None
        model_id: str | None
        dataset_name: str | None
        dataset_digest: str | None
    else:  # C-level getters of the tuple's items: m.value costs what a slot read does
        value = property(itemgetter(0), doc="The point's value (a float).")
        timestamp = property(itemgetter(1), doc="When it was logged, ms since the epoch.")
        step = property(itemgetter(2), doc="Its step (x position).")
        key = property(itemgetter(3), doc="The metric's name.")
        run_id = property(itemgetter(4), doc="The run it belongs to (None when not known).")
        model_id = property(itemgetter(5), doc="The logged model it measured, if any.")
        dataset_name = property(itemgetter(6), doc="The dataset it was computed on, if any.")
        dataset_digest = property(itemgetter(7), doc="That dataset's digest.")

    def __new__(
        cls,
        key: str,
        value: float,
        timestamp: int,
        step: int = 0,
        model_id: str | None = None,
        dataset_name: str | None = None,
        dataset_digest: str | None = None,
        run_id: str | None = None,
    ) -> Metric:
        values = (value, timestamp, step, key, run_id, model_id, dataset_name, dataset_digest)
        return tuple.__new__(cls, values)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return tuple.__eq__(self, other)
        # Not equal to a plain tuple of the same values (tuple's own == would say it is).
        return False if isinstance(other, tuple) else NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = tuple.__hash__
    __lt__ = __le__ = __gt__ = __ge__ = _unordered

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle and copy through the constructor (tuple's own reduce would pass the raw
        # tuple as the key), in the constructor's order.
        return (Metric, (self[3], *self[:3], *self[5:], self[4]))

    @classmethod
    def _of_rows(cls, key: str, run_id: str, rows: Iterable[Sequence[Any]]) -> list[Metric]:
        """Points of one series from ``(value, timestamp, step)`` rows (a database cursor),
        each made in C: the row plus the fields it does not hold, as this class's tuple."""
        rest = (key, run_id, None, None, None)  # key, run_id, model_id, dataset_name, digest
        # map with two iterables calls tuple.__new__ directly (a partial is ~15% slower)
        return list(map(tuple.__new__, repeat(cls), map(tuple.__add__, rows, repeat(rest))))  # type: ignore[arg-type]

    def to_dictionary(self) -> dict[str, Any]:
        """The point as MLflow's ``Metric.to_dictionary()`` gives it."""
        return {name: getattr(self, name) for name in _MetricFields.__dataclass_fields__}


@dataclass(frozen=True, slots=True, repr=False)
class Param(MlflowObject):
    key: str
    value: str


@dataclass(frozen=True, slots=True, repr=False)
class RunTag(MlflowObject):
    key: str
    value: str


@dataclass(frozen=True, slots=True, repr=False)
class ExperimentTag(MlflowObject):
    key: str
    value: str


@dataclass(slots=True, repr=False)
class Experiment(MlflowObject):
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str = LifecycleStage.ACTIVE
    tags: dict[str, str] = field(default_factory=dict)
    creation_time: int | None = None
    last_update_time: int | None = None


@dataclass(slots=True, repr=False)
class RunInfo(MlflowObject):
    run_id: str
    experiment_id: str
    run_name: str
    user_id: str
    status: str
    start_time: int
    end_time: int | None
    lifecycle_stage: str
    artifact_uri: str

    # MLflow 2's name for run_id; MLflow 3 dropped it from dict(run.info).
    _NOT_ITERATED = ("run_uuid",)

    @property
    def run_uuid(self) -> str:
        return self.run_id


def _as_dict(values: Any) -> dict[str, Any]:
    # MLflow's RunData takes lists of Metric / Param / RunTag; the store passes dicts.
    if isinstance(values, dict):
        return values
    return {item.key: item.value for item in values or ()}


@dataclass(slots=True, repr=False)
class RunData(MlflowObject):
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if type(self.metrics) is not dict or type(self.params) is not dict:
            self.metrics, self.params = _as_dict(self.metrics), _as_dict(self.params)
        if type(self.tags) is not dict:
            self.tags = _as_dict(self.tags)

    def to_dictionary(self) -> dict[str, Any]:
        return {"metrics": self.metrics, "params": self.params, "tags": self.tags}


@dataclass(slots=True, repr=False)
class Run(MlflowObject):
    """A run: ``info`` (ids, status, times), ``data`` (metrics, params, tags), and in MLflow 3
    its ``inputs`` (datasets, logged models) and ``outputs`` (logged models)."""

    info: RunInfo
    data: RunData
    # What the run used (datasets, logged models) and produced (logged models).
    inputs: RunInputs = field(default_factory=RunInputs)
    outputs: RunOutputs = field(default_factory=RunOutputs)

    def to_dictionary(self) -> dict[str, Any]:
        """MLflow's form: ``{"info": {...}, "data": {...}}`` (and inputs, outputs if any)."""
        out: dict[str, Any] = {"info": dict(self.info)}
        if self.data:
            out["data"] = self.data.to_dictionary()
        # As a run read from MLflow's store: its inputs and outputs, empty or not.
        out["inputs"] = self.inputs.to_dictionary()
        out["outputs"] = self.outputs.to_dictionary()
        return out


T = TypeVar("T")


class PagedList(list[T], Generic[T]):
    """A list of results with the token that fetches the next page (``None`` on the last)."""

    def __init__(self, items: Iterable[T], token: str | None) -> None:
        super().__init__(items)
        self.token = token
