"""The scikit-learn flavor itself: save, log and load estimators (see :mod:`labtrack.sklearn`).

``loader_module`` in the ``MLmodel`` files it writes stays ``labtrack.sklearn``, which re-exports
everything here.
"""

from __future__ import annotations

import os
import platform
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from labtrack.errors import InvalidParameterError
from labtrack.models.environment import (
    default_requirements,
    installed_version,
    resolve_requirements,
    write_environment,
)
from labtrack.models.mlmodel_io import new_model_folder
from labtrack.models.model import MLMODEL_FILE_NAME, Model, ModelInfo, save_input_example
from labtrack.models.pickle_policy import pickle_save_warning
from labtrack.models.signature import ModelSignature, infer_signature
from labtrack.models.uri import download_model
from labtrack.sklearn import serialize
from labtrack.sklearn.serialize import (
    MODEL_FILES,
    SERIALIZATION_FORMAT_PICKLE,
    SERIALIZATION_FORMAT_SKOPS,
    check_format,
)
from labtrack.utils import gc as _gc

FLAVOR_NAME = "sklearn"
PYFUNC_FLAVOR = "python_function"
LOADER_MODULE = "labtrack.sklearn"


def get_default_pip_requirements(
    serialization_format: str = SERIALIZATION_FORMAT_SKOPS,
) -> list[str]:
    """labtrack, scikit-learn, numpy, scipy and the serializer, at their installed versions."""
    extra = {"skops": ["skops"], "cloudpickle": ["cloudpickle"], "pickle": []}
    return default_requirements(
        ["scikit-learn", "numpy", "scipy", *extra[check_format(serialization_format)]]
    )


def save_model(
    sk_model: Any,
    path: str | os.PathLike[str],
    serialization_format: str = SERIALIZATION_FORMAT_SKOPS,
    signature: ModelSignature | Literal[False] | None = None,
    input_example: Any = None,
    pip_requirements: Iterable[str] | str | None = None,
    extra_pip_requirements: Iterable[str] | str | None = None,
    pyfunc_predict_fn: str = "predict",
    labtrack_model: Model | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Save a scikit-learn model into the new folder ``path``.

    Writes ``MLmodel``, the model (``model.skops``, or ``model.pkl`` for the pickle formats),
    ``requirements.txt``, ``python_env.yaml`` and, when given, ``input_example.json``. Without
    a ``signature``, one is inferred from ``input_example`` and the model's predictions on it
    (``signature=False``: none at all).

    >>> save_model(model, "my_model", input_example=X_train[:5])  # doctest: +SKIP
    """

    check_format(serialization_format)
    _predict_fn(pyfunc_predict_fn, "pyfunc_predict_fn")
    if serialization_format != SERIALIZATION_FORMAT_SKOPS:
        pickle_save_warning("scikit-learn")
    if signature not in (None, False) and not isinstance(signature, ModelSignature):
        raise InvalidParameterError(
            "signature must be a ModelSignature; build one with "
            "labtrack.models.infer_signature(X, model.predict(X))."
        )
    folder = new_model_folder(path)
    model = labtrack_model if labtrack_model is not None else Model()
    model_file = MODEL_FILES[serialization_format]
    serialize.dump(sk_model, folder / model_file, serialization_format)
    if input_example is not None:
        model.saved_input_example_info = save_input_example(folder, input_example)
        if signature is None and hasattr(sk_model, pyfunc_predict_fn):
            try:
                output = getattr(sk_model, pyfunc_predict_fn)(input_example)
                signature = infer_signature(input_example, output)
            except Exception as exc:  # an example the model cannot take: no signature
                warnings.warn(
                    f"No signature was inferred from the input example ({exc}).", stacklevel=2
                )
    model.signature = signature or None
    requirements = resolve_requirements(
        get_default_pip_requirements(serialization_format),
        pip_requirements,
        extra_pip_requirements,
    )
    env = write_environment(folder, requirements)
    if hasattr(sk_model, pyfunc_predict_fn):
        model.add_flavor(
            PYFUNC_FLAVOR,
            loader_module=LOADER_MODULE,
            model_path=model_file,
            predict_fn=pyfunc_predict_fn,
            python_version=platform.python_version(),
            env=env,
        )
    model.add_flavor(
        FLAVOR_NAME,
        pickled_model=model_file,
        sklearn_version=installed_version("scikit-learn"),
        serialization_format=serialization_format,
        code=None,
    )
    if metadata:
        model.extra["metadata"] = metadata
    model.save(folder / MLMODEL_FILE_NAME)


def log_model(
    sk_model: Any,
    artifact_path: str | None = None,
    signature: ModelSignature | Literal[False] | None = None,
    input_example: Any = None,
    registered_model_name: str | None = None,
    serialization_format: str = SERIALIZATION_FORMAT_SKOPS,
    pip_requirements: Iterable[str] | str | None = None,
    extra_pip_requirements: Iterable[str] | str | None = None,
    pyfunc_predict_fn: str = "predict",
    metadata: dict[str, Any] | None = None,
    *,
    name: str | None = None,
    params: dict[str, Any] | None = None,
    tags: dict[str, Any] | None = None,
    model_type: str | None = None,
    step: int = 0,
    model_id: str | None = None,
    await_registration_for: int = 300,
) -> ModelInfo:
    """Log a scikit-learn model as a logged model of the active run (MLflow 3).

    Returns a :class:`~labtrack.models.ModelInfo`; ``info.model_uri`` is
    ``models:/<model_id>``, and ``runs:/<run_id>/<name>`` finds it too. ``params`` and ``tags``
    go on the logged model; ``registered_model_name`` also registers it.
    ``artifact_path`` is MLflow 2's spelling of ``name`` (deprecated).

    >>> with labtrack.start_run():                                      # doctest: +SKIP
    ...     info = log_model(model, name="model", input_example=X[:5])
    """
    flavor = sys.modules[__name__]
    check_format(serialization_format)
    return Model.log(
        artifact_path=artifact_path,
        flavor=flavor,
        registered_model_name=registered_model_name,
        name=name,
        params=params,
        tags=tags,
        model_type=model_type,
        step=step,
        model_id=model_id,
        sk_model=sk_model,
        serialization_format=serialization_format,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        pyfunc_predict_fn=pyfunc_predict_fn,
        metadata=metadata,
    )


def _model_file(folder: str, conf: dict[str, Any]) -> Path:
    name = conf.get("pickled_model") or conf.get("model_path")
    root = Path(folder).resolve()
    target = (root / str(name)).resolve()
    if not name or root not in target.parents:
        raise InvalidParameterError(
            f"The MLmodel file in {folder!r} names the model file {name!r}, which is not a file "
            "inside the model folder."
        )
    return target


def _load_from_folder(folder: str, allow_unsafe: bool | None, meta: Model | None = None) -> Any:
    """The estimator saved in ``folder``; ``meta`` is its ``MLmodel`` if already read."""

    if meta is None:
        meta = Model.load(folder)
    conf = meta.flavors.get(FLAVOR_NAME)
    if not isinstance(conf, dict):
        raise InvalidParameterError(
            f"The model in {folder!r} has no {FLAVOR_NAME!r} flavor (it has "
            f"{sorted(meta.flavors)}); load it with labtrack.pyfunc.load_model instead."
        )
    fmt = conf.get("serialization_format", SERIALIZATION_FORMAT_PICKLE)
    _warn_version(conf.get("sklearn_version"))
    return serialize.load(_model_file(folder, conf), fmt, allow_unsafe=allow_unsafe)


def _warn_version(saved: Any) -> None:
    now = installed_version("scikit-learn")
    if saved and now and str(saved) != now:
        warnings.warn(
            f"This model was saved with scikit-learn {saved}; scikit-learn {now} is installed. "
            "Predictions may differ; requirements.txt in the model folder lists the versions "
            "it was saved with.",
            stacklevel=3,
        )


def load_model(
    model_uri: str, dst_path: str | None = None, allow_unsafe: bool | None = None
) -> Any:
    """Load a scikit-learn model from ``runs:/<run_id>/<path>``, ``models:/...`` or a folder.

    Pickle-format models (``serialization_format="cloudpickle"``) run code from the file when
    loaded: they load with a warning (your call, as with ``pickle.load``); ``allow_unsafe=False``
    refuses them, ``True`` loads them silently (:mod:`labtrack.models.pickle_policy`).

    >>> model = load_model("runs:/0123456789abcdef0123456789abcdef/model")  # doctest: +SKIP
    """

    folder = download_model(model_uri, dst_path)
    with _gc.paused():  # imports scikit-learn and builds the model: long-lived objects
        return _load_from_folder(folder, allow_unsafe)


# The estimator methods an MLmodel may name as its pyfunc ``predict_fn`` (MLflow's list):
# the name comes from a file anyone with write access to the store can edit, and must not
# reach ``fit``, ``set_params`` or a dunder.
PREDICT_FNS = ("predict", "predict_proba", "predict_log_proba", "predict_joint_log_proba", "score")


def _predict_fn(name: Any, where: str) -> str:
    if name not in PREDICT_FNS:
        raise InvalidParameterError(
            f"{where} names predict_fn {name!r}; it must be one of {', '.join(PREDICT_FNS)}."
        )
    return str(name)


class _SklearnPyfunc:
    """What ``labtrack.pyfunc`` calls: the estimator's predict function."""

    def __init__(self, sk_model: Any, predict_fn: str) -> None:
        self.sk_model = sk_model
        self.predict_fn = predict_fn

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        return getattr(self.sk_model, self.predict_fn)(data)


def _load_pyfunc(
    path: str, allow_unsafe: bool | None = None, model_meta: Model | None = None
) -> _SklearnPyfunc:
    """What ``labtrack.pyfunc.load_model`` calls; it passes the ``MLmodel`` it has read."""
    meta = Model.load(path) if model_meta is None else model_meta
    named = meta.flavors.get(PYFUNC_FLAVOR, {}).get("predict_fn", "predict")
    predict_fn = _predict_fn(named, f"The MLmodel file in {path!r}")  # before loading anything
    return _SklearnPyfunc(_load_from_folder(path, allow_unsafe, meta), predict_fn)
