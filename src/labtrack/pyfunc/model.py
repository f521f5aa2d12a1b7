"""Custom Python models: subclass :class:`PythonModel`, save or log it, load it as a pyfunc.

MLflow's ``mlflow.pyfunc.PythonModel`` workflow, and MLflow's ``MLmodel`` layout for it: the
instance pickled with cloudpickle as ``python_model.pkl``, its artifacts copied under
``artifacts/``, the flavor ``python_function`` naming this module as the loader.

>>> class AddN(PythonModel):                                          # doctest: +SKIP
...     def __init__(self, n):
...         self.n = n
...     def predict(self, context, model_input, params=None):
...         return model_input.apply(lambda column: column + self.n)
>>> info = log_model(artifact_path="add_n", python_model=AddN(5))   # doctest: +SKIP

The model is a pickle: loading it runs code from the file (see
:mod:`labtrack.models.pickle_policy` for when that is allowed).
"""

from __future__ import annotations

import importlib
import inspect
import os
import platform
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any, Literal

from labtrack import artifacts as artifact_api
from labtrack.errors import InvalidParameterError
from labtrack.models.environment import (
    default_requirements,
    installed_version,
    resolve_requirements,
    write_environment,
)
from labtrack.models.mlmodel_io import new_model_folder
from labtrack.models.model import MLMODEL_FILE_NAME, Model, ModelInfo, save_input_example
from labtrack.models.pickle_policy import check_pickle_load
from labtrack.models.signature import ModelSignature, infer_signature

__all__ = [
    "PythonModel",
    "PythonModelContext",
    "get_default_pip_requirements",
    "log_model",
    "save_model",
]

FLAVOR_NAME = "python_function"
LOADER_MODULE = "labtrack.pyfunc.model"
PYTHON_MODEL_FILE = "python_model.pkl"
ARTIFACTS_DIR = "artifacts"


class PythonModelContext:
    """What ``load_context`` and ``predict`` receive: local paths of the model's artifacts
    (``context.artifacts["model"]``) and its ``model_config``."""

    def __init__(self, artifacts: dict[str, str], model_config: dict[str, Any] | None) -> None:
        self._artifacts = artifacts
        self._model_config = model_config or {}

    @property
    def artifacts(self) -> dict[str, str]:
        return self._artifacts

    @property
    def model_config(self) -> dict[str, Any]:
        return self._model_config


class PythonModel:
    """Base class of a custom model: override ``predict`` (and ``load_context`` to read
    artifacts once when the model loads).

    ``predict(self, context, model_input, params=None)`` is MLflow's form; MLflow 3's
    ``predict(self, model_input, params=None)`` without the context works too.
    """

    def load_context(self, context: PythonModelContext) -> None:
        """Called once after loading, with the local paths of the model's artifacts."""

    def predict(self, context: Any, model_input: Any, params: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must define predict(self, context, model_input, params=None)."
        )


def _takes_context(model: PythonModel) -> bool:
    parameters = list(inspect.signature(model.predict).parameters)
    return (bool(parameters) and parameters[0] == "context") or len(parameters) >= 3


class _PythonModelPyfunc:
    """What :class:`~labtrack.pyfunc.PyFuncModel` calls: the user's ``predict``."""

    def __init__(self, python_model: PythonModel, context: PythonModelContext) -> None:
        self.python_model = python_model
        self.context = context
        self._with_context = _takes_context(python_model)

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        if self._with_context:
            return self.python_model.predict(self.context, data, params=params)
        # MLflow 3's form, predict(model_input, params=None): no context argument.
        predict: Any = self.python_model.predict
        return predict(data, params=params)


def get_default_pip_requirements() -> list[str]:
    """labtrack and cloudpickle at their installed versions (add the model's own libraries
    with ``extra_pip_requirements``)."""
    return default_requirements(["cloudpickle"])


def _copy_artifacts(artifacts: dict[str, str], folder: Path) -> dict[str, dict[str, str]]:
    """Copy each artifact (a local path or an artifact URI) under ``artifacts/``."""
    if not isinstance(artifacts, dict):
        raise InvalidParameterError(
            "artifacts must be a dict of name -> local path or artifact URI, like "
            "{'model': 'linreg.pkl'}."
        )
    out: dict[str, dict[str, str]] = {}
    target = folder / ARTIFACTS_DIR
    for name, uri in artifacts.items():
        source = os.fspath(uri)
        if "://" in source or source.startswith(("runs:/", "models:/")):
            local = artifact_api.download_artifacts(artifact_uri=source)
        else:
            local = source
        path = Path(local)
        if not path.exists():
            raise InvalidParameterError(
                f"Artifact {name!r}: {source!r} does not exist. Give the path of a file or "
                "folder, or an artifact URI (runs:/<run_id>/<path>)."
            )
        target.mkdir(exist_ok=True)
        dest = target / path.name
        if path.is_dir():
            shutil.copytree(path, dest)
        else:
            shutil.copy2(path, dest)
        out[str(name)] = {"path": f"{ARTIFACTS_DIR}/{path.name}", "uri": source}
    return out


def _context(folder: str, conf: dict[str, Any]) -> PythonModelContext:
    root = Path(folder).resolve()
    paths = {}
    for name, entry in (conf.get("artifacts") or {}).items():
        local = (root / str(entry.get("path", ""))).resolve()
        if root not in local.parents:
            raise InvalidParameterError(
                f"The MLmodel file in {folder!r} names artifact {name!r} outside the model folder."
            )
        paths[name] = str(local)
    return PythonModelContext(paths, conf.get("model_config"))


def save_model(
    path: str | os.PathLike[str],
    python_model: PythonModel | None = None,
    artifacts: dict[str, str] | None = None,
    signature: ModelSignature | Literal[False] | None = None,
    input_example: Any = None,
    pip_requirements: list[str] | str | None = None,
    extra_pip_requirements: list[str] | str | None = None,
    metadata: dict[str, Any] | None = None,
    model_config: dict[str, Any] | None = None,
    loader_module: str | None = None,
    data_path: str | None = None,
    labtrack_model: Model | None = None,
    **kwargs: Any,
) -> None:
    """Save ``python_model`` (a :class:`PythonModel`) and its ``artifacts`` into the new
    folder ``path``.

    Without ``signature``, one is inferred from ``input_example`` and the model's predictions
    on it (``signature=False``: none).
    """
    if loader_module is not None or data_path is not None:
        raise InvalidParameterError(
            "labtrack does not load models through a loader_module named in the model folder "
            "(it would import code the folder names). Subclass labtrack.pyfunc.PythonModel and "
            "pass python_model=, with the files it needs as artifacts=."
        )
    unknown = sorted(set(kwargs) - {"code_paths", "conda_env", "streamable", "code_path"})
    if unknown:
        raise InvalidParameterError(f"save_model got unexpected arguments: {', '.join(unknown)}.")
    if not isinstance(python_model, PythonModel):
        raise InvalidParameterError(
            "python_model must be an instance of a labtrack.pyfunc.PythonModel subclass "
            f"(got {type(python_model).__name__})."
        )
    folder = new_model_folder(path)
    cloudpickle = importlib.import_module("cloudpickle")
    with open(folder / PYTHON_MODEL_FILE, "wb") as f:
        cloudpickle.dump(python_model, f)
    model = labtrack_model if labtrack_model is not None else Model()
    artifact_conf = _copy_artifacts(artifacts, folder) if artifacts else None
    if input_example is not None:
        model.saved_input_example_info = save_input_example(folder, input_example)
        if signature is None:
            example = model.load_input_example(folder)
            signature = _infer(folder, python_model, artifact_conf, model_config, example)
    model.signature = signature or None
    env = write_environment(
        folder,
        resolve_requirements(
            get_default_pip_requirements(), pip_requirements, extra_pip_requirements
        ),
    )
    conf: dict[str, Any] = {
        "loader_module": LOADER_MODULE,
        "python_model": PYTHON_MODEL_FILE,
        "cloudpickle_version": installed_version("cloudpickle"),
        "python_version": platform.python_version(),
        "env": env,
    }
    if artifact_conf:
        conf["artifacts"] = artifact_conf
    if model_config:
        conf["model_config"] = model_config
    model.add_flavor(FLAVOR_NAME, **conf)
    if metadata:
        model.extra["metadata"] = metadata
    model.save(folder / MLMODEL_FILE_NAME)


def _infer(
    folder: Path,
    python_model: PythonModel,
    artifact_conf: dict[str, Any] | None,
    model_config: dict[str, Any] | None,
    example: Any,
) -> ModelSignature | None:
    """A signature from the example and the model's output on it: the model is loaded from
    the saved file as ``load_model`` will load it (its ``load_context`` may read artifacts)."""
    import copy

    try:
        fresh = copy.deepcopy(python_model)
        context = _context(str(folder), {"artifacts": artifact_conf, "model_config": model_config})
        fresh.load_context(context)
        output = _PythonModelPyfunc(fresh, context).predict(example)
        return infer_signature(example, output)
    except Exception as exc:  # an example the model cannot take: input schema only
        warnings.warn(
            f"The model's output on the input example could not be computed ({exc}); the "
            "signature has its inputs only.",
            stacklevel=3,
        )
        try:
            return infer_signature(example)
        except InvalidParameterError:
            return None


def log_model(
    artifact_path: str | None = None,
    python_model: PythonModel | None = None,
    artifacts: dict[str, str] | None = None,
    signature: ModelSignature | Literal[False] | None = None,
    input_example: Any = None,
    registered_model_name: str | None = None,
    pip_requirements: list[str] | str | None = None,
    extra_pip_requirements: list[str] | str | None = None,
    metadata: dict[str, Any] | None = None,
    model_config: dict[str, Any] | None = None,
    name: str | None = None,
    **kwargs: Any,
) -> ModelInfo:
    """Save ``python_model`` into the active run's artifacts (a run starts if none is).

    ``name`` (MLflow 3's spelling) and ``artifact_path`` (MLflow 2's) name the folder.

    >>> with labtrack.start_run():                                           # doctest: +SKIP
    ...     info = log_model(artifact_path="add_n", python_model=AddN(5))
    """
    if name is not None and artifact_path is not None and name != artifact_path:
        raise InvalidParameterError("Give name= or artifact_path=, not both.")
    return Model.log(
        artifact_path=name or artifact_path or "model",
        flavor=sys.modules[__name__],
        registered_model_name=registered_model_name,
        python_model=python_model,
        artifacts=artifacts,
        signature=signature,
        input_example=input_example,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        metadata=metadata,
        model_config=model_config,
        **kwargs,
    )


def _load_pyfunc(
    path: str, allow_unsafe: bool | None = None, model_meta: Model | None = None
) -> _PythonModelPyfunc:
    """What ``labtrack.pyfunc.load_model`` calls for a ``python_model`` folder."""
    meta = Model.load(path) if model_meta is None else model_meta
    conf = meta.flavors.get(FLAVOR_NAME, {})
    name = str(conf.get("python_model") or "")
    root = Path(path).resolve()
    target = (root / name).resolve()
    if not name or root not in target.parents:
        raise InvalidParameterError(
            f"The MLmodel file in {path!r} names the python_model file {name!r}, which is not a "
            "file inside the model folder."
        )
    check_pickle_load(allow_unsafe, f"The custom model at {path!r} ({name})")
    saved = conf.get("cloudpickle_version")
    now = installed_version("cloudpickle")
    if saved and now and saved != now:
        warnings.warn(
            f"This model was saved with cloudpickle {saved}; cloudpickle {now} is installed, "
            "and may not read it the same way.",
            stacklevel=3,
        )
    cloudpickle = importlib.import_module("cloudpickle")
    try:
        with open(target, "rb") as f:
            python_model = cloudpickle.load(f)
    except ModuleNotFoundError as exc:
        raise InvalidParameterError(
            f"The custom model at {path!r} needs the module {exc.name!r}, which is not "
            "installed here. Install it (a model saved by MLflow needs mlflow), or load the "
            "model where it was made."
        ) from exc
    context = _context(path, conf)
    python_model.load_context(context)
    return _PythonModelPyfunc(python_model, context)
