"""``FileInfo``: one entry of an artifact listing (MLflow's ``mlflow.entities.FileInfo``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labtrack.entities._mlflow_object import MlflowObject

__all__ = ["FileInfo"]


@dataclass(frozen=True, slots=True, repr=False)
class FileInfo(MlflowObject):
    """A file or folder of a run's artifacts.

    ``path`` is relative to the run's artifact root; ``file_size`` is ``None`` for folders.
    """

    path: str
    is_dir: bool
    file_size: int | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "is_dir": self.is_dir}
        if self.file_size is not None:
            out["file_size"] = self.file_size
        return out
