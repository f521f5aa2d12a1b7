"""Read and update the ``MLmodel`` of a saved model without loading the model itself.

>>> get_model_info("runs:/<run_id>/model").signature  # doctest: +SKIP
>>> set_signature("runs:/<run_id>/model", infer_signature(X, y))  # doctest: +SKIP

Only the small ``MLmodel`` file is downloaded, never the model's weights.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from labtrack.errors import InvalidParameterError
from labtrack.models.model import MLMODEL_FILE_NAME, Model, ModelInfo
from labtrack.models.signature import ModelSignature
from labtrack.models.uri import download_model
from labtrack.registry.uri import parse_runs_uri
from labtrack.tracking import _state

__all__ = ["get_model_info", "new_model_folder", "set_signature"]


def new_model_folder(path: str | os.PathLike[str]) -> Path:
    """The folder a ``save_model`` writes into: created, or an empty one that exists."""
    folder = Path(path)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidParameterError(
            f"{str(folder)!r} already exists and is not an empty folder; save the model to a "
            "new path (save_model never overwrites)."
        )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _read(model_uri: str, tmp: str) -> tuple[Model, Path]:
    """The model's ``MLmodel`` and the local file it was read from."""
    uri = os.fspath(model_uri)
    if urlparse(uri).scheme.lower() == "runs":
        run_id, path = parse_runs_uri(uri)
        name = f"{path}/{MLMODEL_FILE_NAME}" if path else MLMODEL_FILE_NAME
        local = Path(_state.client().download_artifacts(run_id, name, tmp))
    else:
        local = Path(download_model(uri, None)) / MLMODEL_FILE_NAME
    return Model.load(local), local


def get_model_info(model_uri: str) -> ModelInfo:
    """What ``log_model`` returned for the model at ``model_uri``: flavors, signature, run id,
    ``model_uri``..., read from its ``MLmodel``."""
    with tempfile.TemporaryDirectory(prefix="labtrack-mlmodel-") as tmp:
        model, _ = _read(model_uri, tmp)
    return model.get_model_info(os.fspath(model_uri))


def set_signature(model_uri: str, signature: ModelSignature) -> None:
    """Give a saved model a signature (or replace it): a local folder or ``runs:/`` URI.

    Registered versions (``models:/``) are refused, as in MLflow: set the signature on the
    run's model, then register it again.
    """
    if not isinstance(signature, ModelSignature):
        raise InvalidParameterError(
            "set_signature takes a ModelSignature; build one with infer_signature(X, y)."
        )
    uri = os.fspath(model_uri)
    scheme = urlparse(uri).scheme.lower()
    if scheme == "models":
        raise InvalidParameterError(
            "set_signature cannot change a registered model version (models:/...): set it on "
            "the run's model (runs:/<run_id>/<path>), then register that again."
        )
    if scheme not in ("", "file", "runs") and len(scheme) > 1:
        raise InvalidParameterError(
            f"set_signature takes a local model folder or a runs:/ URI; got {uri!r}."
        )
    with tempfile.TemporaryDirectory(prefix="labtrack-mlmodel-") as tmp:
        model, local = _read(uri, tmp)
        model.signature = signature
        model.save(local)
        if scheme == "runs":
            run_id, path = parse_runs_uri(uri)
            _state.client().log_artifact(run_id, str(local), path or None)
