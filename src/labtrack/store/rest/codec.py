"""The REST store's wire form: store-contract arguments and results as JSON, both ways.

Entities travel as objects tagged with their class (``{"__entity__": "Run", "info": ...}``),
tuples and paged lists keep their type, bytes are base64. Only the classes in
:data:`ENTITIES` are built on reading, so a message cannot make either side construct
anything else. Non-finite floats use Python's JSON spelling (``NaN``, ``Infinity``), which both
ends read.

Artifact locations are the one thing that differs between the two ends: the server's store
names them by its own paths, a client reaches them through the server's artifact proxy. On the
wire they are ``mlflow-artifacts:/<path below the artifact root>``, as MLflow's protocol has
them; each end maps them with the ``uri`` function it passes (the fields are listed in
:data:`URI_FIELDS`, the arguments in :data:`URI_ARGS`).
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from labtrack.entities import (
    Experiment,
    Metric,
    PagedList,
    Param,
    Run,
    RunData,
    RunInfo,
    RunTag,
)
from labtrack.entities.dataset import Dataset, DatasetInput, InputTag, RunInputs, RunOutputs
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
)
from labtrack.entities.model_registry import ModelVersion, ModelVersionTransition, RegisteredModel
from labtrack.entities.transition_requests import Activity, Comment, TransitionRequest
from labtrack.errors import InvalidParameterError
from labtrack.store.contract import NotebookSession

__all__ = ["ENTITIES", "URI_ARGS", "URI_FIELDS", "decode", "encode"]

UriMap = Callable[[str], str]

ENTITIES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Experiment,
        Run,
        RunInfo,
        RunData,
        Metric,
        Param,
        RunTag,
        RegisteredModel,
        ModelVersion,
        ModelVersionTransition,
        TransitionRequest,
        Activity,
        Comment,
        NotebookSession,
        LoggedModel,
        LoggedModelTag,
        LoggedModelParameter,
        LoggedModelInput,
        LoggedModelOutput,
        Dataset,
        DatasetInput,
        InputTag,
        RunInputs,
        RunOutputs,
    )
}
# Entity fields that hold artifact locations.
URI_FIELDS: dict[str, str] = {
    "Experiment": "artifact_location",
    "RunInfo": "artifact_uri",
    "ModelVersion": "source",
    "LoggedModel": "artifact_location",
}
# Contract arguments that are artifact locations.
URI_ARGS: dict[str, tuple[str, ...]] = {
    "create_experiment": ("artifact_location",),
    "create_model_version": ("source",),
}
_ENTITY, _TUPLE, _PAGED, _BYTES, _DICT = (
    "__entity__",
    "__tuple__",
    "__paged__",
    "__bytes__",
    "__dict__",
)
_TAGS = (_ENTITY, _TUPLE, _PAGED, _BYTES, _DICT)


def encode(value: Any, uri: UriMap | None = None) -> Any:
    """``value`` as JSON-ready data (artifact locations passed through ``uri``)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, PagedList):
        return {_PAGED: [encode(v, uri) for v in value], "token": value.token}
    if isinstance(value, list):
        return [encode(v, uri) for v in value]
    if isinstance(value, tuple) and ENTITIES.get(type(value).__name__) is not type(value):
        return {_TUPLE: [encode(v, uri) for v in value]}  # an entity may be a tuple (Metric)
    if isinstance(value, dict):
        out = {str(k): encode(v, uri) for k, v in value.items()}
        return {_DICT: out} if any(k in _TAGS for k in out) else out
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    name = type(value).__name__
    if ENTITIES.get(name) is type(value):
        out = {_ENTITY: name}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if uri is not None and URI_FIELDS.get(name) == field.name and item:
                item = uri(item)
            out[field.name] = encode(item, uri)
        return out
    raise TypeError(f"labtrack's REST store cannot send a {type(value).__name__}")


def decode(data: Any, uri: UriMap | None = None) -> Any:
    """The value :func:`encode` wrote (artifact locations passed through ``uri``)."""
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    if isinstance(data, list):
        return [decode(v, uri) for v in data]
    if not isinstance(data, dict):
        raise InvalidParameterError(f"Unexpected {type(data).__name__} in a store message.")
    if _ENTITY in data:
        return _entity(data, uri)
    if _TUPLE in data:
        return tuple(decode(v, uri) for v in _list(data[_TUPLE]))
    if _PAGED in data:
        token = data.get("token")
        return PagedList([decode(v, uri) for v in _list(data[_PAGED])], token)
    if _BYTES in data:
        try:
            return base64.b64decode(str(data[_BYTES]), validate=True)
        except ValueError:
            raise InvalidParameterError("Invalid base64 bytes in a store message.") from None
    if _DICT in data:
        data = data[_DICT]
        if not isinstance(data, dict):
            raise InvalidParameterError("Invalid dict in a store message.")
    return {k: decode(v, uri) for k, v in data.items()}


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidParameterError("Invalid list in a store message.")
    return value


def _entity(data: Mapping[str, Any], uri: UriMap | None) -> Any:
    name = data[_ENTITY]
    cls = ENTITIES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise InvalidParameterError(f"Unknown entity {name!r} in a store message.")
    names = {f.name for f in dataclasses.fields(cls)}
    values = {}
    for key, item in data.items():
        if key == _ENTITY:
            continue
        if key not in names:
            raise InvalidParameterError(f"{name} has no field {key!r}.")
        value = decode(item, uri)
        if uri is not None and URI_FIELDS.get(name) == key and isinstance(value, str) and value:
            value = uri(value)
        values[key] = value
    if cls is LoggedModel and isinstance(values.get("status"), str):
        values["status"] = LoggedModelStatus.parse(values["status"])  # sent as its name
    try:
        return cls(**values)
    except TypeError as exc:
        raise InvalidParameterError(f"Invalid {name} in a store message: {exc}") from None
