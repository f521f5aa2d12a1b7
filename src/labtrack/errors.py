"""Errors raised by labtrack.

Every error a user can cause is a :class:`LabtrackError`. Each carries an
``error_code`` (MLflow's names, so code that inspects them keeps working) and an
``http_status`` that the REST layer uses; messages say what to do next.
"""

from __future__ import annotations

import json

__all__ = [
    "LabtrackError",
    "InvalidParameterError",
    "ResourceNotFoundError",
    "ResourceAlreadyExistsError",
    "InvalidStateError",
    "PermissionDeniedError",
    "FilterSyntaxError",
    "StoreError",
    "UnsafeModelError",
    "RegistryUnavailableError",
]


class LabtrackError(Exception):
    """Base class of every error labtrack raises on purpose.

    ``MlflowException`` is an alias, so ``except mlflow.exceptions.MlflowException``
    keeps working after ``import labtrack as mlflow``.
    """

    error_code = "INTERNAL_ERROR"
    http_status = 500

    def __init__(self, message: str, error_code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if error_code is not None:
            self.error_code = error_code

    def to_dict(self) -> dict[str, str]:
        return {"error_code": self.error_code, "message": self.message}

    # MLflow's MlflowException methods, for code that calls them.
    def serialize_as_json(self) -> str:
        return json.dumps(self.to_dict())

    def get_http_status_code(self) -> int:
        return self.http_status

    @classmethod
    def invalid_parameter_value(cls, message: str) -> LabtrackError:
        """An error with code ``INVALID_PARAMETER_VALUE`` (HTTP 400)."""
        return InvalidParameterError(message)


class InvalidParameterError(LabtrackError, ValueError):
    """A key, value, id or argument is not acceptable."""

    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 400


class ResourceNotFoundError(LabtrackError, LookupError):
    """An experiment, run or other object does not exist."""

    error_code = "RESOURCE_DOES_NOT_EXIST"
    http_status = 404


class ResourceAlreadyExistsError(LabtrackError):
    """An object with that name already exists."""

    error_code = "RESOURCE_ALREADY_EXISTS"
    http_status = 409


class PermissionDeniedError(LabtrackError):
    """The caller lacks the permission a request needs (team mode); the message says which
    permission on what."""

    error_code = "PERMISSION_DENIED"
    http_status = 403


class InvalidStateError(LabtrackError):
    """The object is in a state that forbids the operation (a finished or deleted run)."""

    error_code = "INVALID_STATE"
    http_status = 400


class FilterSyntaxError(InvalidParameterError):
    """A search filter or order-by clause could not be parsed.

    ``position`` is the 0-based character offset where the problem was found.
    """

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        if position is not None and text:
            pointer = " " * position + "^"
            message = f"{message} (at character {position + 1})\n  {text}\n  {pointer}"
        super().__init__(message)
        self.text = text
        self.position = position


class StoreError(LabtrackError):
    """The store could not be read or written (disk full, read-only, unreachable)."""

    error_code = "STORE_ERROR"
    http_status = 503


class UnsafeModelError(InvalidParameterError):
    """A model file was refused because loading it could run code or crash the process.

    Raised for pickle files loaded without ``allow_unsafe=True``, for skops files holding types
    labtrack does not trust, and for tree models whose node arrays fail the checks in
    :mod:`labtrack.models.tree_check`.
    """

    error_code = "INVALID_PARAMETER_VALUE"


class RegistryUnavailableError(LabtrackError):
    """``models:/`` URIs and ``registered_model_name`` need the model registry."""

    error_code = "NOT_IMPLEMENTED"
    http_status = 501

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} needs the model registry, which is not available in this version of "
            "labtrack. Refer to the model by its run instead: runs:/<run_id>/<artifact_path> "
            "(ModelInfo.model_uri), or by a local folder."
        )


# MLflow's name, for code written against it.
MlflowException = LabtrackError
