"""The scikit-learn flavor: save, log and load estimators, and autologging.

>>> import labtrack as mlflow
>>> import labtrack.sklearn
>>> with mlflow.start_run():                                          # doctest: +SKIP
...     info = labtrack.sklearn.log_model(model, "model", input_example=X[:5])
>>> labtrack.sklearn.load_model(info.model_uri).predict(X[:5])      # doctest: +SKIP

Models are saved with skops by default: loading one never runs code from the file, and tree
models are checked node by node before they are trusted (:mod:`labtrack.models.tree_check`).
``serialization_format="cloudpickle"`` saves any object; loading it runs code from the file, so
it loads with a warning in your own process and never in a server that was not told to
(:mod:`labtrack.models.pickle_policy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labtrack.errors import UnsafeModelError
from labtrack.sklearn import autologging
from labtrack.sklearn.flavor import (
    FLAVOR_NAME,
    LOADER_MODULE,
    PYFUNC_FLAVOR,
    _load_pyfunc,  # noqa: F401 - the loader_module entry point MLmodel files name
    get_default_pip_requirements,
    load_model,
    log_model,
    save_model,
)
from labtrack.sklearn.serialize import (
    SERIALIZATION_FORMAT_CLOUDPICKLE,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_SKOPS,
    SUPPORTED_SERIALIZATION_FORMATS,
)

__all__ = [
    "FLAVOR_NAME",
    "LOADER_MODULE",
    "PYFUNC_FLAVOR",
    "AutologgingWarning",
    "SERIALIZATION_FORMAT_CLOUDPICKLE",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_SKOPS",
    "SUPPORTED_SERIALIZATION_FORMATS",
    "UnsafeModelError",
    "autolog",
    "configured_directly",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]

if TYPE_CHECKING:
    from labtrack.sklearn.autologging import AutologgingWarning, autolog, configured_directly


def __getattr__(name: str) -> Any:
    # Autologging (and the patching machinery under it) loads on first use: loading or
    # serving a model never needs it (PEP 562).
    if name in ("autolog", "AutologgingWarning", "configured_directly"):
        value = getattr(autologging, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
