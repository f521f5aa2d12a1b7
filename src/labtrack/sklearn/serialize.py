"""Writing and reading scikit-learn models: skops (safe, the default) or pickle (opt-in).

skops rebuilds objects from data without running code from the file; labtrack loads a skops
file only when every type in it is on skops's default trust list or on :func:`trusted_types`
(tree types after :mod:`labtrack.models.tree_check` has checked them, and a few plain
scikit-learn helpers: scorers, CV splitters, metric functions). ``cloudpickle`` and ``pickle``
files run arbitrary code when loaded: :mod:`labtrack.models.pickle_policy` decides when that is
allowed (a user's own call loads them with a warning; serving refuses them unless opted in).

>>> dump(model, "model.skops", "skops")  # doctest: +SKIP
>>> load("model.skops", "skops")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import importlib
import inspect
import io
import json
import os
import pickle
import zipfile
from typing import Any

from labtrack.errors import InvalidParameterError, UnsafeModelError
from labtrack.models import tree_check
from labtrack.models.pickle_policy import check_pickle_load

__all__ = [
    "MODEL_FILES",
    "SERIALIZATION_FORMAT_CLOUDPICKLE",
    "SERIALIZATION_FORMAT_PICKLE",
    "SERIALIZATION_FORMAT_SKOPS",
    "SUPPORTED_SERIALIZATION_FORMATS",
    "dump",
    "load",
    "trusted_types",
]

SERIALIZATION_FORMAT_SKOPS = "skops"
SERIALIZATION_FORMAT_CLOUDPICKLE = "cloudpickle"
SERIALIZATION_FORMAT_PICKLE = "pickle"
SUPPORTED_SERIALIZATION_FORMATS = (
    SERIALIZATION_FORMAT_SKOPS,
    SERIALIZATION_FORMAT_CLOUDPICKLE,
    SERIALIZATION_FORMAT_PICKLE,
)
MODEL_FILES = {
    SERIALIZATION_FORMAT_SKOPS: "model.skops",
    SERIALIZATION_FORMAT_CLOUDPICKLE: "model.pkl",
    SERIALIZATION_FORMAT_PICKLE: "model.pkl",
}


def check_format(serialization_format: str) -> str:
    if serialization_format not in SUPPORTED_SERIALIZATION_FORMATS:
        raise InvalidParameterError(
            f"Unknown serialization_format {serialization_format!r}: use 'skops' (safe, the "
            "default) or 'cloudpickle' / 'pickle' (any object, but loading runs code)."
        )
    return serialization_format


@functools.lru_cache(maxsize=1)
def trusted_types() -> tuple[str, ...]:
    """Types labtrack trusts in skops files beyond skops's own defaults."""
    import sklearn.metrics
    import sklearn.metrics._scorer as scorer
    import sklearn.model_selection._split as split

    def present(module: str, *names: str) -> list[str]:
        try:
            found = importlib.import_module(module)
        except ImportError:
            return []
        return [f"{module}.{n}" for n in names if hasattr(found, n)]

    names = [tree_check.TREE_TYPE, tree_check.PREDICTOR_TYPE]
    # HistGradientBoosting's preprocessing: partial(check_array, ...); the partial's function
    # must itself be trusted, and check_array is the only function added.
    names += ["functools.partial", "sklearn.utils.validation.check_array"]
    names += present(
        scorer.__name__, "_Scorer", "_PassthroughScorer", "_MultimetricScorer", "_CurveScorer"
    )
    # Plain data some scikit-learn versions keep on fitted estimators (metadata routing
    # requests; the list subclass ColumnTransformer uses for remainder columns).
    names += present("sklearn.utils._metadata_requests", "MetadataRequest", "MethodMetadataRequest")
    names += present("sklearn.compose._column_transformer", "_RemainderColsList")
    for name in sklearn.metrics.__all__:
        fn = getattr(sklearn.metrics, name, None)
        if inspect.isfunction(fn):
            names.append(f"{fn.__module__}.{fn.__name__}")
    bases = (split.BaseCrossValidator, split.BaseShuffleSplit)
    for obj in vars(split).values():
        if (
            inspect.isclass(obj)
            and obj.__module__ == split.__name__
            and (issubclass(obj, bases) or obj.__name__ == "_CVIterableWrapper")
        ):
            names.append(f"{obj.__module__}.{obj.__name__}")
    return tuple(sorted(set(names)))


# -- writing ----------------------------------------------------------------------------
def dump(model: Any, path: str | os.PathLike[str], serialization_format: str) -> None:
    """Write ``model`` to ``path`` in ``serialization_format``."""
    check_format(serialization_format)
    if serialization_format == SERIALIZATION_FORMAT_SKOPS:
        data = _skops_bytes(model)
        with open(path, "wb") as f:
            f.write(data)
        return
    module: Any = pickle
    if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
        module = importlib.import_module("cloudpickle")
    with open(path, "wb") as f:
        module.dump(model, f, protocol=pickle.DEFAULT_PROTOCOL)


def _skops_bytes(model: Any) -> bytes:
    sio = importlib.import_module("skops.io")
    try:
        data: bytes = sio.dumps(model)
    except Exception as exc:  # skops raises TypeError / UnsupportedTypeException
        raise InvalidParameterError(
            f"This {type(model).__name__} cannot be saved in the safe skops format ({exc}). "
            "Pass serialization_format='cloudpickle' to save it as a pickle (loading it will "
            "then need allow_unsafe=True)."
        ) from exc
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        untrusted = _untrusted(_node_tree(zf))
    if untrusted:
        raise InvalidParameterError(
            f"This {type(model).__name__} holds types that the safe skops format cannot load "
            f"without trusting them: {', '.join(untrusted)}. Save it with "
            "serialization_format='cloudpickle' if you trust everyone who can write the model "
            "files (loading will need allow_unsafe=True), or use standard scikit-learn "
            "estimators."
        )
    return data


# -- reading ----------------------------------------------------------------------------
def load(
    path: str | os.PathLike[str], serialization_format: str, allow_unsafe: bool | None = None
) -> Any:
    """Read a model written by :func:`dump`.

    Pickle formats run whatever code the file names when read: ``allow_unsafe`` says whether
    that is allowed (:func:`~labtrack.models.pickle_policy.check_pickle_load`).
    """
    check_format(serialization_format)
    if serialization_format != SERIALIZATION_FORMAT_SKOPS:
        check_pickle_load(
            allow_unsafe,
            f"This model (serialization_format={serialization_format!r}, {os.fspath(path)!r})",
        )
        with open(path, "rb") as f:
            if serialization_format == SERIALIZATION_FORMAT_CLOUDPICKLE:
                return importlib.import_module("cloudpickle").load(f)
            return pickle.load(f)  # noqa: S301 - allowed explicitly by the caller
    return _load_skops(path)


def _load_skops(path: str | os.PathLike[str]) -> Any:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UnsafeModelError(
            f"{os.fspath(path)!r} is not a skops file (not a zip archive)."
        ) from None
    with zf:
        root = _node_tree(zf)
        untrusted = _untrusted(root)
        if untrusted:
            raise UnsafeModelError(
                f"Refusing to load {os.fspath(path)!r}: it holds types that are not trusted "
                f"({', '.join(untrusted)}); building them could run code. If you trust the "
                "file, load it yourself with skops.io.load(path, trusted=[...])."
            )
        tree_check.check_node_tree(root)
        model = root.construct()
    tree_check.check_model(model)  # cheap without trees; with them, the built arrays again
    return model


def _node_tree(zf: zipfile.ZipFile) -> Any:
    """skops's parse of the file: nodes hold the data, nothing is constructed yet."""
    importlib.import_module("skops.io")  # registers skops's node types
    get_tree = importlib.import_module("skops.io._audit").get_tree
    load_context = importlib.import_module("skops.io._utils").LoadContext

    try:
        schema = json.loads(zf.read("schema.json"))
        protocol = schema.get("protocol")
        if not isinstance(protocol, int):
            raise ValueError(f"invalid protocol {protocol!r}")
        return get_tree(schema, load_context(src=zf, protocol=protocol), trusted=None)
    except UnsafeModelError:
        raise
    except Exception as exc:
        raise UnsafeModelError(
            f"This skops file could not be read ({type(exc).__name__}: {exc}). It may be "
            "damaged, or written by a newer skops than the one installed."
        ) from exc


def _untrusted(root: Any) -> list[str]:
    return sorted(set(root.get_unsafe_set()) - set(trusted_types()))
