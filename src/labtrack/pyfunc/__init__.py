"""Generic models: load any saved model as a ``PyFuncModel`` with one ``predict``.

>>> import labtrack.pyfunc
>>> model = labtrack.pyfunc.load_model("runs:/<run_id>/model")  # doctest: +SKIP
>>> model.predict(df)  # doctest: +SKIP

``predict`` takes a pandas DataFrame, a numpy array or a list of records, and checks it against
the model's signature first: a missing column or a column of the wrong type is named in the
error; safe widenings (int -> double) are applied; extra columns are ignored.

Only flavors labtrack knows are loaded (``labtrack.sklearn`` and custom
:class:`PythonModel` folders, and the same folders MLflow wrote): the loader named in
``MLmodel`` is looked up, never imported from the file.

Custom models: subclass :class:`PythonModel`, then :func:`save_model` / :func:`log_model`
(:mod:`labtrack.pyfunc.model`).
"""

from __future__ import annotations

import importlib
from typing import Any

from labtrack.errors import InvalidParameterError
from labtrack.models.model import Model
from labtrack.models.schema_check import enforce_schema
from labtrack.models.uri import download_model
from labtrack.pyfunc.model import (
    PythonModel,
    PythonModelContext,
    get_default_pip_requirements,
    log_model,
    save_model,
)
from labtrack.utils import gc as _gc

__all__ = [
    "FLAVOR_NAME",
    "PyFuncModel",
    "PythonModel",
    "PythonModelContext",
    "get_default_pip_requirements",
    "load_model",
    "log_model",
    "save_model",
]

FLAVOR_NAME = "python_function"

# loader_module written in MLmodel -> the labtrack module that loads it.
_LOADERS = {
    "labtrack.sklearn": "labtrack.sklearn",
    "mlflow.sklearn": "labtrack.sklearn",
    "labtrack.pyfunc.model": "labtrack.pyfunc.model",
    "mlflow.pyfunc.model": "labtrack.pyfunc.model",
}


class PyFuncModel:
    """A loaded model with a schema-checked ``predict``."""

    def __init__(self, model_meta: Model, model_impl: Any) -> None:
        self._meta = model_meta
        self._impl = model_impl

    @property
    def metadata(self) -> Model:
        """The model's ``MLmodel`` contents (flavors, signature, run id...)."""
        return self._meta

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Predict on ``data`` after checking it against the model's input signature.

        >>> model.predict(pd.DataFrame({"age": [42], "bmi": [23.1]}))  # doctest: +SKIP
        """
        schema = self._meta.get_input_schema()
        if schema is not None:
            data = enforce_schema(data, schema)
        elif isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
            import pandas as pd

            data = pd.DataFrame.from_records(data)
        return self._impl.predict(data, self._params(params))

    def _params(self, params: dict[str, Any] | None) -> dict[str, Any] | None:
        """``params`` over the signature's defaults; names it does not declare are dropped
        with a warning (MLflow's rule)."""
        schema = self._meta.signature.params if self._meta.signature is not None else None
        if schema is None:
            return params
        import warnings

        merged = {p.name: p.default for p in schema.params}
        for key, value in (params or {}).items():
            if key in merged:
                merged[key] = value
            else:
                warnings.warn(
                    f"Unrecognized params {key!r} are ignored: the model's signature declares "
                    f"{sorted(merged)}.",
                    stacklevel=3,
                )
        return merged

    def get_raw_model(self) -> Any:
        """The underlying model object (for scikit-learn, the estimator)."""
        return getattr(self._impl, "sk_model", self._impl)

    def unwrap_python_model(self) -> Any:
        """The :class:`PythonModel` instance of a custom model (MLflow's name)."""
        model = getattr(self._impl, "python_model", None)
        if model is None:
            raise InvalidParameterError(
                "This model is not a custom PythonModel; get_raw_model() gives the model."
            )
        return model

    def __repr__(self) -> str:
        flavors = ", ".join(sorted(self._meta.flavors))
        return f"PyFuncModel(flavors=[{flavors}], run_id={self._meta.run_id!r})"


def load_model(
    model_uri: str,
    suppress_warnings: bool = False,
    dst_path: str | None = None,
    allow_unsafe: bool | None = None,
) -> PyFuncModel:
    """Load a model saved by any supported flavor as a :class:`PyFuncModel`.

    ``model_uri`` is ``runs:/<run_id>/<path>``, ``models:/...`` or a local folder. A model
    saved as a pickle loads with a warning (your call, the same trust as ``pickle.load``);
    ``allow_unsafe=False`` refuses it, ``True`` loads it silently
    (:mod:`labtrack.models.pickle_policy`).
    """

    local = download_model(model_uri, dst_path)
    # Reading and building the model imports its libraries: long-lived objects, no garbage.
    with _gc.paused():
        return _load_local(model_uri, local, suppress_warnings, allow_unsafe)


def _load_local(
    model_uri: str, local: str, suppress_warnings: bool, allow_unsafe: bool | None
) -> PyFuncModel:
    import warnings

    meta = Model.load(local)
    conf = meta.flavors.get(FLAVOR_NAME)
    if not isinstance(conf, dict):
        raise InvalidParameterError(
            f"The model at {model_uri!r} has no {FLAVOR_NAME} flavor (its flavors: "
            f"{sorted(meta.flavors)}), so it cannot be loaded as a generic model. Load it "
            "with its own flavor's load_model."
        )
    loader = _LOADERS.get(str(conf.get("loader_module")))
    if loader is None:
        raise InvalidParameterError(
            f"The model at {model_uri!r} needs the loader {conf.get('loader_module')!r}, which "
            f"labtrack does not provide (known: {', '.join(sorted(_LOADERS))})."
        )
    with warnings.catch_warnings():
        if suppress_warnings:
            warnings.simplefilter("ignore")
        impl = importlib.import_module(loader)._load_pyfunc(
            local, allow_unsafe=allow_unsafe, model_meta=meta
        )
    return PyFuncModel(meta, impl)
