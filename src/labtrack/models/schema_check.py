"""The check ``PyFuncModel.predict`` runs on its input, against the model's signature.

>>> enforce_schema(pd.DataFrame({"age": [42]}), signature.inputs)  # doctest: +SKIP
InvalidParameterError: The input is missing column 'bmi' (double) that the model signature ...

Column schemas: missing columns are named with their type; a column of the wrong type is named
with a way to convert it; safe widenings (integer -> long or double, float -> double) are
applied; extra columns are dropped and the rest put in the signature's order. Tensor schemas:
the shape (``-1`` for any size) and the dtype (safe casts applied) are checked.
"""

from __future__ import annotations

from typing import Any

from labtrack.errors import InvalidParameterError
from labtrack.models.signature import (
    ColSpec,
    DataType,
    Schema,
    TensorSpec,
    records_frame,
    series_type,
)

__all__ = ["enforce_schema"]


def enforce_schema(data: Any, schema: Schema) -> Any:
    """Check ``data`` against ``schema``; return it converted to what the model expects.

    Column schemas return a DataFrame with the schema's columns in order; tensor schemas
    return a numpy array. Errors name the column (or dimension) and say how to fix it.
    """
    if schema.is_tensor_spec():
        return _enforce_tensor(data, schema)
    return _enforce_columns(data, schema)


def _as_frame(data: Any, schema: Schema) -> Any:
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, dict) or (isinstance(data, list) and data and isinstance(data[0], dict)):
        return records_frame(data)
    arr = np.asarray(data)
    if arr.ndim == 1 and len(schema.inputs) == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[1] != len(schema.inputs):
        raise InvalidParameterError(
            f"The model expects {len(schema.inputs)} columns "
            f"({', '.join(str(n) for n in schema.input_names())}); got an array of shape "
            f"{arr.shape}. Pass a DataFrame with those columns, or a list of records."
        )
    return pd.DataFrame(arr, columns=schema.input_names())


def _enforce_columns(data: Any, schema: Schema) -> Any:
    frame = _as_frame(data, schema)
    specs = [s for s in schema.inputs if isinstance(s, ColSpec)]
    if not schema.has_input_names():
        if frame.shape[1] < len(specs):
            raise InvalidParameterError(
                f"The model expects {len(specs)} columns; the input has {frame.shape[1]}."
            )
        frame = frame.iloc[:, : len(specs)]
        frame.columns = list(range(len(specs)))
        names: list[Any] = list(range(len(specs)))
    else:
        names = [s.name for s in specs]
    present = {str(c): c for c in frame.columns}
    missing = [s for s, n in zip(specs, names, strict=True) if str(n) not in present and s.required]
    if missing:
        extra = [c for c in present if c not in {str(n) for n in names}]
        listed = ", ".join(f"{s.name!r} ({s.type.value})" for s in missing)
        hint = f" The input has extra columns {extra}, which are ignored." if extra else ""
        raise InvalidParameterError(
            f"The input is missing column{'s' if len(missing) > 1 else ''} {listed} that the "
            f"model signature requires.{hint}"
        )
    if _already_conforms(frame, specs, names):
        return frame
    import pandas as pd

    out = {}
    for spec, name in zip(specs, names, strict=True):
        if str(name) not in present:
            continue
        out[name] = _convert_column(frame[present[str(name)]], spec, str(name))
    return pd.DataFrame(out, index=frame.index)


def _already_conforms(frame: Any, specs: list[ColSpec], names: list[Any]) -> bool:
    """True when the frame has exactly the signature's columns, in order, each already of its
    numpy type (numbers, bools, datetimes): nothing to convert, so no new frame is built.

    The common case of a serving request; strings and bytes (object columns) always take the
    full check, which looks at their values.
    """
    if list(frame.columns) != names:
        return False
    for dtype, spec in zip(frame.dtypes, specs, strict=True):
        if dtype.kind == "O" or dtype != spec.type.to_numpy():
            return False
    return True


_WIDENING = {
    DataType.integer: {DataType.long, DataType.double},
    DataType.long: {DataType.double},
    DataType.float: {DataType.double},
}


def _convert_column(col: Any, spec: ColSpec, name: str) -> Any:
    try:
        actual = series_type(col, name)
    except InvalidParameterError:
        actual = None
    want = spec.type
    if actual == want:
        return col
    if actual is not None and want in _WIDENING.get(actual, set()):
        return col.astype(want.to_numpy())
    hint = ""
    if want in (DataType.integer, DataType.long) and actual == DataType.double:
        hint = (
            " An integer column with missing values becomes float; fill them, or log the "
            "model with a signature that says double."
        )
    got = actual.value if actual is not None else f"mixed values ({col.dtype})"
    raise InvalidParameterError(
        f"Column {name!r} has type {got}, but the model signature expects {want.value}. "
        f"Convert it first, e.g. df[{name!r}] = df[{name!r}].astype({_astype(want)!r}).{hint}"
    )


def _astype(t: DataType) -> str:
    return {"string": "str", "binary": "object", "datetime": "datetime64[ns]"}.get(
        t.value, str(t.to_numpy())
    )


def _enforce_tensor(data: Any, schema: Schema) -> Any:
    import numpy as np
    import pandas as pd

    spec = schema.inputs[0]
    assert isinstance(spec, TensorSpec)
    if isinstance(data, (pd.DataFrame, pd.Series)):
        arr = data.to_numpy()
    elif hasattr(data, "tocsr") and hasattr(data, "shape"):
        arr = data  # sparse: checked by shape only
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        arr = pd.DataFrame.from_records(data).to_numpy()
    else:
        arr = np.asarray(data)
    shape = tuple(arr.shape)
    if len(shape) != len(spec.shape) or any(
        want not in (-1, got) for want, got in zip(spec.shape, shape, strict=False)
    ):
        raise InvalidParameterError(
            f"The model expects an array of shape {_shape_text(spec.shape)}; got {shape}. "
            "(-1 means any size.)"
        )
    if isinstance(arr, np.ndarray) and spec.dtype.kind not in "OUS":
        if arr.dtype == spec.dtype:
            return arr
        if arr.dtype.kind != "O" and np.can_cast(arr.dtype, spec.dtype, "safe"):
            return arr.astype(spec.dtype)
        raise InvalidParameterError(
            f"The input has dtype {arr.dtype}, but the model signature expects {spec.dtype} "
            f"(an array of shape {_shape_text(spec.shape)}). Convert it first, e.g. "
            f"X.astype({str(spec.dtype)!r})."
        )
    return arr


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
