"""Saved models: the ``MLmodel`` descriptor, signatures, model URIs and environments.

>>> from labtrack.models import infer_signature
>>> signature = infer_signature(X_train, model.predict(X_train))  # doctest: +SKIP

Nothing here imports numpy, pandas or scikit-learn until it is used.
"""

from labtrack.errors import RegistryUnavailableError, UnsafeModelError
from labtrack.models.model import MLMODEL_FILE_NAME, Model, ModelInfo, get_model_info
from labtrack.models.signature import (
    ColSpec,
    DataType,
    ModelSignature,
    Schema,
    TensorSpec,
    infer_signature,
)
from labtrack.models.uri import download_model, register_scheme

__all__ = [
    "MLMODEL_FILE_NAME",
    "ColSpec",
    "DataType",
    "Model",
    "ModelInfo",
    "ModelSignature",
    "RegistryUnavailableError",
    "Schema",
    "TensorSpec",
    "UnsafeModelError",
    "download_model",
    "get_model_info",
    "infer_signature",
    "register_scheme",
]
