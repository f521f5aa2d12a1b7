"""MLflow's ``mlflow.exceptions`` module: the exceptions MLflow code catches.

>>> from labtrack.exceptions import MlflowException
>>> issubclass(MlflowException, Exception)
True

Every error labtrack raises on purpose is a :class:`MlflowException` (labtrack's
:class:`~labtrack.errors.LabtrackError`) with MLflow's ``error_code``; the classes of
:mod:`labtrack.errors` are the specific kinds.
"""

from __future__ import annotations

from labtrack.errors import (
    FilterSyntaxError,
    InvalidParameterError,
    InvalidStateError,
    LabtrackError,
    MlflowException,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
    StoreError,
    UnsafeModelError,
)

__all__ = [
    "ExecutionException",
    "FilterSyntaxError",
    "InvalidParameterError",
    "InvalidStateError",
    "InvalidUrlException",
    "LabtrackError",
    "MissingConfigException",
    "MlflowException",
    "ResourceAlreadyExistsError",
    "ResourceNotFoundError",
    "RestException",
    "StoreError",
    "UnsafeModelError",
]


class RestException(MlflowException):
    """An error answered by a tracking server (MLflow's name)."""


class ExecutionException(MlflowException):
    """A run of a project or a process failed (MLflow's name)."""


class MissingConfigException(MlflowException):
    """A configuration file or setting is missing (MLflow's name)."""


class InvalidUrlException(MlflowException):
    """A URL is malformed (MLflow's name)."""
