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

from labtrack.entities.logged_model import is_model_id
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
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


def _read(model_uri: str, tmp: str) -> tuple[Model, Path, str | None]:
    """The model's ``MLmodel``, the local file it was read from, and the id of the logged
    model that holds it (``None`` for a run's own folder or a local one)."""
    uri = os.fspath(model_uri)
    scheme = urlparse(uri).scheme.lower()
    if scheme == "runs":
        client = _state.client()
        run_id, path = parse_runs_uri(uri)
        name = f"{path}/{MLMODEL_FILE_NAME}" if path else MLMODEL_FILE_NAME
        try:  # a 2.x layout: the model folder among the run's own files
            local = Path(client.download_artifacts(run_id, name, tmp))
            return Model.load(local), local, None
        except ResourceNotFoundError:
            logged = client.logged_model_of_run(run_id, path) if path else None
            if logged is None:
                raise
        model_id: str = logged.model_id
    elif scheme == "models" and is_model_id(uri.split(":", 1)[1].strip("/")):
        model_id = uri.split(":", 1)[1].strip("/")
    else:
        local = Path(download_model(uri, None)) / MLMODEL_FILE_NAME
        return Model.load(local), local, None
    local = Path(_state.client().download_logged_model_artifacts(model_id, MLMODEL_FILE_NAME, tmp))
    return Model.load(local), local, model_id


def get_model_info(model_uri: str) -> ModelInfo:
    """What ``log_model`` returned for the model at ``model_uri`` (``models:/<model_id>``,
    ``models:/<name>/<version>``, ``runs:/...`` or a folder): flavors, signature, run id,
    ``model_id``..., read from its ``MLmodel``, with the logged model's name, params, tags and
    metrics when the store has it.

    >>> get_model_info(info.model_uri).model_id == info.model_id      # doctest: +SKIP
    True
    """
    with tempfile.TemporaryDirectory(prefix="labtrack-mlmodel-") as tmp:
        model, _, _ = _read(model_uri, tmp)
    logged = None
    if model.model_id:
        try:
            logged = _state.client().get_logged_model(model.model_id)
        except ResourceNotFoundError:
            logged = None  # a model copied from another store: its MLmodel still tells
    return model.get_model_info(logged_model=logged)


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
    if scheme == "models" and not is_model_id(uri.split(":", 1)[1].strip("/")):
        raise InvalidParameterError(
            "set_signature cannot change a registered model version (models:/<name>/...): set "
            "it on the logged model (models:/<model_id>) or the run's model "
            "(runs:/<run_id>/<path>), then register that again."
        )
    if scheme not in ("", "file", "runs", "models") and len(scheme) > 1:
        raise InvalidParameterError(
            "set_signature takes a local model folder, a runs:/ URI or models:/<model_id>; "
            f"got {uri!r}."
        )
    with tempfile.TemporaryDirectory(prefix="labtrack-mlmodel-") as tmp:
        model, local, model_id = _read(uri, tmp)
        model.signature = signature
        model.save(local)
        if model_id is not None:
            _state.client().log_model_artifact(model_id, local)
        elif scheme == "runs":
            run_id, path = parse_runs_uri(uri)
            _state.client().log_artifact(run_id, str(local), path or None)
