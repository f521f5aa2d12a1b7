"""``SourceType``: what started a run (MLflow's ``mlflow.entities.SourceType``).

The tag ``mlflow.source.type`` holds the name; this class maps names and MLflow's ints.

>>> SourceType.to_string(SourceType.LOCAL), SourceType.from_string("NOTEBOOK")
('LOCAL', 1)
"""

from __future__ import annotations

from labtrack.errors import InvalidParameterError

__all__ = ["SourceType"]


class SourceType:
    NOTEBOOK = 1
    JOB = 2
    PROJECT = 3
    LOCAL = 4
    UNKNOWN = 5

    _STRING_TO_SOURCETYPE = {
        "NOTEBOOK": NOTEBOOK,
        "JOB": JOB,
        "PROJECT": PROJECT,
        "LOCAL": LOCAL,
        "UNKNOWN": UNKNOWN,
    }
    SOURCETYPE_TO_STRING = {v: k for k, v in _STRING_TO_SOURCETYPE.items()}

    @staticmethod
    def from_string(status_str: str) -> int:
        if status_str not in SourceType._STRING_TO_SOURCETYPE:
            raise InvalidParameterError(
                f"Unknown source type {status_str!r}: use one of "
                f"{', '.join(SourceType._STRING_TO_SOURCETYPE)}."
            )
        return SourceType._STRING_TO_SOURCETYPE[status_str]

    @staticmethod
    def to_string(status: int) -> str:
        if status not in SourceType.SOURCETYPE_TO_STRING:
            raise InvalidParameterError(
                f"Unknown source type {status!r}: use SourceType.NOTEBOOK, JOB, PROJECT, LOCAL "
                "or UNKNOWN."
            )
        return SourceType.SOURCETYPE_TO_STRING[status]
