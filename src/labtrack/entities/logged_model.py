"""Logged models (MLflow 3): a model as an object of its own, with params, tags and metrics.

A logged model belongs to an experiment, may come from a run (``source_run_id``), and keeps its
files under ``<experiment artifact location>/models/<model_id>/artifacts``. Its id is ``m-``
and 32 hex digits; ``models:/<model_id>`` names it wherever a model URI is taken.

>>> LoggedModelStatus.from_int(2)
<LoggedModelStatus.READY: 'READY'>
>>> str(LoggedModelStatus.PENDING)
'PENDING'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any

from labtrack.errors import InvalidParameterError

if TYPE_CHECKING:
    from labtrack.entities import Metric

__all__ = [
    "LoggedModel",
    "LoggedModelInput",
    "LoggedModelOutput",
    "LoggedModelParameter",
    "LoggedModelStatus",
    "LoggedModelTag",
    "is_model_id",
]

_MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")


def is_model_id(text: str) -> bool:
    """Whether ``text`` has the shape of a logged model id (``m-`` + 32 hex digits)."""
    return bool(_MODEL_ID.match(text))


class LoggedModelStatus(str, Enum):
    """Where a logged model is in its life: its files are being written, written, or failed."""

    UNSPECIFIED = "UNSPECIFIED"
    PENDING = "PENDING"
    READY = "READY"
    FAILED = "FAILED"

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def is_finalized(status: Any) -> bool:
        """Whether no further status change is expected (READY or FAILED)."""
        return status in (LoggedModelStatus.READY, LoggedModelStatus.FAILED)

    @classmethod
    def from_int(cls, status_int: int) -> LoggedModelStatus:
        try:
            return _BY_INT[status_int]
        except KeyError:
            raise InvalidParameterError(f"Unknown logged model status: {status_int!r}.") from None

    def to_int(self) -> int:
        return _TO_INT[self]

    @classmethod
    def parse(cls, status: Any) -> LoggedModelStatus:
        """A status from its enum, name (``"READY"``, ``"LOGGED_MODEL_READY"``) or number."""
        if isinstance(status, LoggedModelStatus):
            return status
        if isinstance(status, int):
            return cls.from_int(status)
        text = str(status).upper().removeprefix("LOGGED_MODEL_")
        text = {"UPLOAD_FAILED": "FAILED", "STATUS_UNSPECIFIED": "UNSPECIFIED"}.get(text, text)
        try:
            return cls(text)
        except ValueError:
            raise InvalidParameterError(
                f"Unknown logged model status {status!r}: use one of READY, FAILED, PENDING."
            ) from None


_BY_INT = dict(enumerate(LoggedModelStatus))
_TO_INT = {status: number for number, status in _BY_INT.items()}


@dataclass(frozen=True, slots=True)
class LoggedModelTag:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class LoggedModelParameter:
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class LoggedModelInput:
    """A logged model a run used (``run.inputs.model_inputs``)."""

    model_id: str


@dataclass(frozen=True, slots=True)
class LoggedModelOutput:
    """A logged model a run produced, at a step (``run.outputs.model_outputs``)."""

    model_id: str
    step: int = 0


@dataclass(slots=True)
class LoggedModel:
    """A model logged to an experiment (MLflow's ``mlflow.entities.LoggedModel``)."""

    experiment_id: str
    model_id: str
    name: str
    artifact_location: str
    creation_timestamp: int
    last_updated_timestamp: int
    model_type: str | None = None
    source_run_id: str | None = None
    status: LoggedModelStatus = LoggedModelStatus.READY
    status_message: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    metrics: list[Metric] | None = None

    @property
    def model_uri(self) -> str:
        """``models:/<model_id>``: loads and registers this model."""
        return f"models:/{self.model_id}"

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for f in fields(self):
            yield f.name, getattr(self, f.name)
        yield "model_uri", self.model_uri

    def to_dictionary(self) -> dict[str, Any]:
        """The fields (not ``model_uri``), status as its number, as MLflow's gives them."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["status"] = self.status.to_int()
        return out
