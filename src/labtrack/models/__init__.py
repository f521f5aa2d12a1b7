"""Saved models: the ``MLmodel`` descriptor, signatures, model URIs and environments.

>>> from labtrack.models import infer_signature
>>> signature = infer_signature(X_train, model.predict(X_train))  # doctest: +SKIP

Nothing here imports numpy, pandas or scikit-learn until it is used.
"""

import importlib
from typing import TYPE_CHECKING, Any

from labtrack.errors import RegistryUnavailableError, UnsafeModelError
from labtrack.models.mlmodel_io import get_model_info, set_signature
from labtrack.models.model import MLMODEL_FILE_NAME, Model, ModelInfo
from labtrack.models.pickle_policy import UnsafeModelWarning
from labtrack.models.signature import (
    ColSpec,
    DataType,
    ModelSignature,
    ParamSchema,
    ParamSpec,
    Schema,
    TensorSpec,
    infer_signature,
)
from labtrack.models.uri import download_model, register_scheme

if TYPE_CHECKING:
    from labtrack.models.evaluation import EvaluationResult, evaluate

# Loaded on first use (PEP 562): evaluation brings scikit-learn's metrics and matplotlib.
_LAZY = {
    "evaluate": "labtrack.models.evaluation",
    "EvaluationResult": "labtrack.models.evaluation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'labtrack.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "MLMODEL_FILE_NAME",
    "ColSpec",
    "DataType",
    "EvaluationResult",
    "Model",
    "ModelInfo",
    "ModelSignature",
    "ParamSchema",
    "ParamSpec",
    "RegistryUnavailableError",
    "Schema",
    "TensorSpec",
    "UnsafeModelError",
    "UnsafeModelWarning",
    "download_model",
    "evaluate",
    "get_model_info",
    "infer_signature",
    "register_scheme",
    "set_signature",
]
