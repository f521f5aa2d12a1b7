"""Datasets as a run records them: the dataset's identity (name, digest), where it came from
(source), its schema and profile, and how the run used it (input tags such as
``mlflow.data.context``). These are the stored records (MLflow's ``mlflow.entities.Dataset``);
the objects users build from data are :mod:`labtrack.data`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from labtrack.entities.logged_model import LoggedModelInput, LoggedModelOutput

__all__ = ["Dataset", "DatasetInput", "InputTag", "RunInputs", "RunOutputs"]


class _Fields:
    """``dict(entity)`` and iteration over its fields, as MLflow's entities allow."""

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        for f in fields(self):  # type: ignore[arg-type]
            yield f.name, getattr(self, f.name)


@dataclass(frozen=True, slots=True)
class Dataset(_Fields):
    """A dataset's stored record. ``source``, ``schema`` and ``profile`` are JSON strings."""

    name: str
    digest: str
    source_type: str
    source: str
    schema: str | None = None
    profile: str | None = None

    def to_dictionary(self) -> dict[str, Any]:
        return dict(self)


@dataclass(frozen=True, slots=True)
class InputTag(_Fields):
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class DatasetInput(_Fields):
    """A dataset used by a run, with the tags of that use (``mlflow.data.context``...)."""

    dataset: Dataset
    tags: list[InputTag] = field(default_factory=list)

    def to_dictionary(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.to_dictionary(),
            "tags": [dict(t) for t in self.tags],
        }


@dataclass(slots=True)
class RunInputs(_Fields):
    """What a run used: datasets and (MLflow 3) logged models."""

    dataset_inputs: list[DatasetInput] = field(default_factory=list)
    model_inputs: list[LoggedModelInput] = field(default_factory=list)

    def to_dictionary(self) -> dict[str, Any]:
        return {
            "model_inputs": [{"model_id": m.model_id} for m in self.model_inputs],
            "dataset_inputs": [d.to_dictionary() for d in self.dataset_inputs],
        }


@dataclass(slots=True)
class RunOutputs(_Fields):
    """What a run produced: logged models, each at a step."""

    model_outputs: list[LoggedModelOutput] = field(default_factory=list)

    def to_dictionary(self) -> dict[str, Any]:
        return {
            "model_outputs": [{"model_id": m.model_id, "step": m.step} for m in self.model_outputs]
        }
