"""Errors of the model layer: unsafe model files and features that are not there yet."""

from __future__ import annotations

from labtrack.errors import InvalidParameterError, LabtrackError

__all__ = ["RegistryUnavailableError", "UnsafeModelError"]


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
