"""Model signatures: what a model takes and returns, and the check ``predict`` runs on its input.

A signature has MLflow's shape and JSON form, so an ``MLmodel`` file reads the same in both:
column-based schemas (``ColSpec``: a name and one of MLflow's type names ``boolean``,
``integer``, ``long``, ``float``, ``double``, ``string``, ``binary``, ``datetime``) for pandas
DataFrames and lists of records, tensor schemas (``TensorSpec``: a numpy dtype and a shape, -1
for any size) for numpy arrays.

>>> import pandas as pd
>>> sig = infer_signature(pd.DataFrame({"age": [31, 45], "bmi": [22.5, 27.1]}))
>>> [(c["name"], c["type"]) for c in sig.inputs.to_dict()]
[('age', 'long'), ('bmi', 'double')]

:func:`labtrack.models.schema_check.enforce_schema` is what ``PyFuncModel.predict`` calls: a
missing column or a column of the wrong type is named in the error; safe widenings (int ->
double, float -> double) are applied; extra columns are dropped.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from labtrack.errors import InvalidParameterError

__all__ = [
    "ColSpec",
    "DataType",
    "ModelSignature",
    "ParamSchema",
    "ParamSpec",
    "Schema",
    "TensorSpec",
    "infer_signature",
]


class DataType(str, Enum):
    """MLflow's column types, named as in the ``MLmodel`` JSON."""

    boolean = "boolean"
    integer = "integer"
    long = "long"
    float = "float"
    double = "double"
    string = "string"
    binary = "binary"
    datetime = "datetime"

    def to_numpy(self) -> Any:
        import numpy as np

        return {
            "boolean": np.dtype("bool"),
            "integer": np.dtype("int32"),
            "long": np.dtype("int64"),
            "float": np.dtype("float32"),
            "double": np.dtype("float64"),
            "string": np.dtype("object"),
            "binary": np.dtype("object"),
            "datetime": np.dtype("datetime64[ns]"),
        }[self.value]


@dataclass(frozen=True)
class ColSpec:
    """One named (or unnamed) column of a column-based schema."""

    type: DataType
    name: str | None = None
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.value}
        if self.name is not None:
            out["name"] = self.name
        out["required"] = self.required
        return out


@dataclass(frozen=True)
class TensorSpec:
    """A numpy array of one dtype; ``shape`` uses -1 for a dimension of any size."""

    dtype: Any  # numpy.dtype
    shape: tuple[int, ...]
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # The name first, as MLflow writes it, so the JSON text is the same as MLflow's.
        out: dict[str, Any] = {} if self.name is None else {"name": self.name}
        out["type"] = "tensor"
        out["tensor-spec"] = {"dtype": _dtype_name(self.dtype), "shape": list(self.shape)}
        return out


def _dtype_name(dtype: Any) -> str:
    return "str" if dtype.kind == "U" else ("bytes" if dtype.kind == "S" else str(dtype))


class Schema:
    """An ordered list of ``ColSpec`` or of ``TensorSpec`` (never both)."""

    def __init__(self, inputs: Sequence[ColSpec | TensorSpec]) -> None:
        specs: list[ColSpec | TensorSpec] = list(inputs)
        kinds = {type(s) for s in specs}
        if len(kinds) > 1:
            raise InvalidParameterError(
                "A schema holds either columns (ColSpec) or tensors (TensorSpec), not both."
            )
        names = [s.name for s in specs]
        if any(n is not None for n in names) and any(n is None for n in names):
            raise InvalidParameterError("Name every column of a schema, or none of them.")
        if len({n for n in names if n is not None}) < len([n for n in names if n is not None]):
            raise InvalidParameterError(f"A schema's column names must be unique; got {names}.")
        self.inputs = specs

    def is_tensor_spec(self) -> bool:
        return bool(self.inputs) and isinstance(self.inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        return bool(self.inputs) and self.inputs[0].name is not None

    def input_names(self) -> list[str | int]:
        return [s.name if s.name is not None else i for i, s in enumerate(self.inputs)]

    def input_types(self) -> list[Any]:
        """Each input's :class:`DataType` (columns) or numpy dtype (tensors)."""
        return [s.dtype if isinstance(s, TensorSpec) else s.type for s in self.inputs]

    def numpy_types(self) -> list[Any]:
        return [s.dtype if isinstance(s, TensorSpec) else s.type.to_numpy() for s in self.inputs]

    def required_input_names(self) -> list[str | int]:
        return [
            s.name if s.name is not None else i
            for i, s in enumerate(self.inputs)
            if not isinstance(s, ColSpec) or s.required
        ]

    def optional_input_names(self) -> list[str | int]:
        return [
            s.name if s.name is not None else i
            for i, s in enumerate(self.inputs)
            if isinstance(s, ColSpec) and not s.required
        ]

    def input_dict(self) -> dict[str | int, ColSpec | TensorSpec]:
        return dict(zip(self.input_names(), self.inputs, strict=True))

    def to_dict(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.inputs]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Schema:
        return cls([_spec_from_dict(d) for d in json.loads(text)])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Schema({self.to_dict()!r})"


def _spec_from_dict(d: dict[str, Any]) -> ColSpec | TensorSpec:
    import numpy as np

    if d.get("type") == "tensor":
        spec = d["tensor-spec"]
        name = spec["dtype"]
        dtype = np.dtype(str) if name == "str" else np.dtype(bytes if name == "bytes" else name)
        return TensorSpec(dtype, tuple(int(x) for x in spec["shape"]), d.get("name"))
    try:
        kind = DataType(d["type"])
    except (KeyError, ValueError):
        raise InvalidParameterError(
            f"Unknown column type {d.get('type')!r} in a signature; expected one of "
            f"{', '.join(t.value for t in DataType)}."
        ) from None
    return ColSpec(kind, d.get("name"), bool(d.get("required", True)))


@dataclass(frozen=True)
class ParamSpec:
    """One inference parameter (``predict(data, params={...})``): name, type, default."""

    name: str
    type: DataType
    default: Any
    shape: tuple[int, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        default = self.default
        if isinstance(default, (datetime.date, datetime.datetime)):
            default = default.isoformat()
        return {
            "name": self.name,
            "default": default,
            "shape": list(self.shape) if self.shape is not None else None,
            "type": self.type.value,
        }

    def __repr__(self) -> str:
        shape = f" (shape: {self.shape})" if self.shape is not None else ""
        return f"{self.name!r}: {self.type.value} (default: {self.default}){shape}"


class ParamSchema:
    """The inference parameters a model takes (MLflow's ``ParamSchema``)."""

    def __init__(self, params: Sequence[ParamSpec]) -> None:
        names = [p.name for p in params]
        if len(set(names)) < len(names):
            raise InvalidParameterError(f"Parameter names must be unique; got {names}.")
        self.params = list(params)

    def to_dict(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.params]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> ParamSchema:
        specs = []
        for d in json.loads(text):
            shape = d.get("shape")
            specs.append(
                ParamSpec(
                    d["name"],
                    DataType(d["type"]),
                    d.get("default"),
                    tuple(shape) if shape else None,
                )
            )
        return cls(specs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamSchema) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return "[" + ", ".join(repr(p) for p in self.params) + "]"


_PARAM_TYPES = (
    (bool, DataType.boolean),
    (int, DataType.long),
    (float, DataType.double),
    (str, DataType.string),
    (bytes, DataType.binary),
    (datetime.date, DataType.datetime),
)


def _param_type(name: str, value: Any) -> DataType:
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    for kind, data_type in _PARAM_TYPES:
        if isinstance(value, kind):
            return data_type
    raise InvalidParameterError(
        f"Parameter {name!r} has a value of type {type(value).__name__}; inference parameters "
        "are bools, ints, floats, strings, bytes, datetimes, or lists of one of those."
    )


def infer_param_schema(params: dict[str, Any]) -> ParamSchema:
    """A :class:`ParamSchema` from default values (a list value has shape ``(-1,)``)."""
    if not isinstance(params, dict):
        raise InvalidParameterError(
            f"params must be a dict of name -> default value; got {type(params).__name__}."
        )
    specs = []
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            types = {_param_type(name, v) for v in value}
            if len(types) != 1:
                raise InvalidParameterError(
                    f"Parameter {name!r} is a list of mixed or no types; give one type."
                )
            specs.append(ParamSpec(str(name), types.pop(), list(value), (-1,)))
        else:
            specs.append(ParamSpec(str(name), _param_type(name, value), value))
    return ParamSchema(specs)


class ModelSignature:
    """The input schema, and optionally the output schema and parameters, of a model."""

    def __init__(
        self,
        inputs: Schema,
        outputs: Schema | None = None,
        params: ParamSchema | None = None,
    ) -> None:
        if not isinstance(inputs, Schema) or not (outputs is None or isinstance(outputs, Schema)):
            raise InvalidParameterError(
                "ModelSignature takes Schema objects; build one with infer_signature(X, y)."
            )
        if params is not None and not isinstance(params, ParamSchema):
            raise InvalidParameterError(
                "ModelSignature's params is a ParamSchema; build one with "
                "infer_signature(X, y, params={'name': default})."
            )
        self.inputs = inputs
        self.outputs = outputs
        self.params = params

    def to_dict(self) -> dict[str, Any]:
        """The form stored in ``MLmodel``: each schema as a JSON string."""
        return {
            "inputs": self.inputs.to_json(),
            "outputs": self.outputs.to_json() if self.outputs is not None else None,
            "params": self.params.to_json() if self.params is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSignature:
        outputs, params = d.get("outputs"), d.get("params")
        return cls(
            Schema.from_json(d["inputs"]),
            Schema.from_json(outputs) if outputs else None,
            ParamSchema.from_json(params) if params else None,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSignature) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"inputs:\n  {self.inputs!r}\noutputs:\n  {self.outputs!r}"


# -- inference --------------------------------------------------------------------------
def infer_signature(
    model_input: Any, model_output: Any = None, params: Any = None
) -> ModelSignature:
    """A signature from example input (and output) data, and inference ``params`` defaults.

    Takes pandas DataFrames and Series, numpy arrays, lists of dicts (records), dicts of
    columns and scipy sparse matrices.

    >>> import numpy as np
    >>> infer_signature(np.zeros((3, 4)), np.zeros(3)).to_dict()["inputs"]
    '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
    """
    inputs = infer_schema(model_input)
    outputs = infer_schema(model_output) if model_output is not None else None
    return ModelSignature(inputs, outputs, infer_param_schema(params) if params else None)


def infer_schema(data: Any) -> Schema:
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return Schema([ColSpec(series_type(data[c], str(c)), str(c)) for c in data.columns])
    if isinstance(data, pd.Series):
        name = None if data.name is None else str(data.name)
        return Schema([ColSpec(series_type(data, name or "0"), name)])
    if isinstance(data, dict) or (
        isinstance(data, list) and data and all(isinstance(r, dict) for r in data)
    ):
        return infer_schema(records_frame(data))
    if isinstance(data, np.ndarray):
        return Schema([TensorSpec(_clean_dtype(data), (-1, *data.shape[1:]))])
    if hasattr(data, "tocsr") and hasattr(data, "shape") and hasattr(data, "dtype"):
        return Schema([TensorSpec(np.dtype(data.dtype), (-1, *data.shape[1:]))])
    if isinstance(data, (list, tuple)):
        return infer_schema(np.asarray(data))
    raise InvalidParameterError(
        f"Cannot infer a schema from a {type(data).__name__}. Give a pandas DataFrame, a numpy "
        "array, a list of dicts or a dict of columns."
    )


def records_frame(data: Any) -> Any:
    import pandas as pd

    if isinstance(data, dict):
        return pd.DataFrame(
            {
                k: v if hasattr(v, "__len__") and not isinstance(v, (str, bytes)) else [v]
                for k, v in data.items()
            }
        )
    return pd.DataFrame.from_records(data)


def _clean_dtype(arr: Any) -> Any:
    import numpy as np

    if arr.dtype.kind == "O":
        flat = arr.ravel()
        if flat.size and all(isinstance(v, str) for v in flat):
            return np.dtype(str)
    return arr.dtype


def _numpy_type(dtype: Any, what: str) -> DataType:
    kind, size = dtype.kind, dtype.itemsize
    if kind == "b":
        return DataType.boolean
    if kind == "i":
        return DataType.integer if size <= 4 else DataType.long
    if kind == "u":
        return DataType.integer if size <= 2 else DataType.long
    if kind == "f":
        return DataType.float if size <= 4 else DataType.double
    if kind == "M":
        return DataType.datetime
    if kind == "U":
        return DataType.string
    if kind == "S":
        return DataType.binary
    raise InvalidParameterError(
        f"Column {what!r} has dtype {dtype}, which has no signature type; convert it to a "
        "number, bool, string, bytes or datetime column."
    )


_INFERRED = {
    "string": DataType.string,
    "bytes": DataType.binary,
    "boolean": DataType.boolean,
    "integer": DataType.long,
    "floating": DataType.double,
    "mixed-integer-float": DataType.double,
    "datetime64": DataType.datetime,
    "datetime": DataType.datetime,
}


def series_type(s: Any, what: str) -> DataType:
    import numpy as np
    import pandas as pd
    from pandas.api import types as pt

    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return series_type(pd.Series(dtype.categories), what)
    if pt.is_bool_dtype(dtype):
        return DataType.boolean
    if pt.is_datetime64_any_dtype(dtype):
        return DataType.datetime
    if pt.is_numeric_dtype(dtype):
        return _numpy_type(getattr(dtype, "numpy_dtype", dtype), what)
    if pt.is_string_dtype(dtype) and not isinstance(dtype, np.dtype):  # pandas' str dtype
        return DataType.string
    inferred = pd.api.types.infer_dtype(s, skipna=True)
    if inferred in _INFERRED:
        return _INFERRED[inferred]
    raise InvalidParameterError(
        f"Column {what!r} holds values of mixed or unsupported types ({inferred}); give it "
        "one type (numbers, bools, strings, bytes or datetimes)."
    )
