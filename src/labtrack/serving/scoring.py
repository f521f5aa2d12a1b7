"""MLflow's scoring protocol, without HTTP: request bodies in, ``{"predictions": ...}`` out.

A JSON body holds exactly one of ``dataframe_split`` (``{"columns": [...], "data": [[...]]}``),
``dataframe_records`` (``[{"col": value}, ...]``), ``instances`` or ``inputs`` (arrays, records,
or ``{"col": [values]}``), plus optional ``params`` passed to ``predict``. A ``text/csv`` body
is a table with a header row.

>>> data, params = parse_request(b'{"dataframe_split": {"columns": ["a"], "data": [[1]]}}',
...                              "application/json")
>>> list(data.columns), params
(['a'], None)
>>> predictions_json([1.5, float("nan")])
'{"predictions": [1.5, null]}'

Everything a client can get wrong raises :class:`ScoringError` with a message that names the
problem; the HTTP layer turns it into a 400.
"""

from __future__ import annotations

import io
import json
import math
import sys
from typing import Any

__all__ = ["INPUT_KEYS", "ScoringError", "parse_request", "predictions_json"]

INPUT_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
# Only types a web page cannot send cross-origin without the browser asking first (a CORS
# preflight, which this server never grants): form encoding, text/plain or no type at all would
# let any page a user visits post to a model on their machine. curl needs `-H 'Content-Type:
# application/json'`, as MLflow's scoring server asks too.
_JSON_TYPES = ("application/json",)


class ScoringError(Exception):
    """A request the model cannot score; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400, error_code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code

    def to_json(self) -> str:
        return json.dumps({"error_code": self.error_code, "message": self.message})


def parse_request(body: bytes, content_type: str | None) -> tuple[Any, dict[str, Any] | None]:
    """(model input, params) for a request body and its ``Content-Type``."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "text/csv":
        return _parse_csv(body), None
    if kind not in _JSON_TYPES:
        what = f"Unsupported Content-Type {content_type!r}" if kind else "No Content-Type"
        raise ScoringError(
            f"{what}: send application/json (one of {', '.join(INPUT_KEYS)}) or text/csv, "
            "e.g. curl -H 'Content-Type: application/json' -d '{\"inputs\": [[1.0]]}'.",
            status=415,
        )
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise ScoringError(f"The request body is not valid JSON: {err}.") from None
    except RecursionError:
        # Nested deeper than the parser can follow: no model input is shaped like that.
        raise ScoringError(
            "The request body is JSON nested too deep to be a model input."
        ) from None
    if not isinstance(payload, dict):
        raise ScoringError(
            "The JSON body must be an object with exactly one of "
            f"{', '.join(INPUT_KEYS)}, for example "
            '{"dataframe_split": {"columns": ["x"], "data": [[1.0]]}}.'
        )
    given = [k for k in INPUT_KEYS if k in payload]
    unknown = sorted(set(payload) - set(INPUT_KEYS) - {"params"})
    if len(given) != 1 or unknown:
        found = ", ".join(given + unknown) or "none of them"
        raise ScoringError(
            f"The JSON body must have exactly one of {', '.join(INPUT_KEYS)} (and optionally "
            f"params); it has {found}."
        )
    params = payload.get("params")
    if params is not None and not isinstance(params, dict):
        raise ScoringError("params must be a JSON object of name -> value.")
    key = given[0]
    return _PARSERS[key](payload[key]), params


def _frame(**kwargs: Any) -> Any:
    import pandas as pd

    try:
        return pd.DataFrame(**kwargs)
    except (ValueError, TypeError) as err:
        raise ScoringError(f"The input does not form a table: {err}.") from None


def _dataframe_split(value: Any) -> Any:
    if not isinstance(value, dict) or "data" not in value:
        raise ScoringError(
            'dataframe_split must be an object with "data" (a list of rows) and usually '
            '"columns", for example {"columns": ["x"], "data": [[1.0]]}.'
        )
    extra = sorted(set(value) - {"columns", "data", "index"})
    if extra:
        raise ScoringError(f"dataframe_split has unknown fields {extra}; use columns, data, index.")
    data = value["data"]
    if not isinstance(data, list):
        raise ScoringError('dataframe_split "data" must be a list of rows.')
    columns, index = value.get("columns"), value.get("index")
    fast = _numeric_frame(data, columns) if index is None else None
    return fast if fast is not None else _frame(data=data, columns=columns, index=index)


def _numeric_frame(data: list[Any], columns: Any) -> Any:
    """The frame of rows that are all floats or all ints, built through one numpy array: the
    same columns and dtypes pandas gives, a few times faster. None for anything else."""
    if not data or not isinstance(columns, list) or not isinstance(data[0], list) or not data[0]:
        return None
    kind = type(data[0][0])
    if kind is not float and kind is not int:
        return None
    width = len(columns)
    for row in data:
        if type(row) is not list or len(row) != width:
            return None
        for v in row:
            if type(v) is not kind:
                return None
    import numpy as np
    import pandas as pd

    try:
        array = np.array(data, dtype=np.float64 if kind is float else np.int64)
    except OverflowError:  # ints beyond 64 bits: pandas keeps them as objects
        return None
    return pd.DataFrame(array, columns=_column_index(columns))


_COLUMN_INDEXES: dict[tuple[Any, ...], Any] = {}
_MAX_COLUMN_INDEXES = 256
# The cache is bounded by the bytes its names hold, not only by its count: each request can
# name new columns, and 256 sets of a million names were tens of gigabytes. An index whose
# names are larger than the first bound is built for its request and not kept.
CACHED_INDEX_MAX_BYTES = 1024 * 1024
CACHED_MAX_BYTES = 16 * 1024 * 1024
_cached_bytes = 0


def _column_index(columns: list[Any]) -> Any:
    """The ``pd.Index`` of these column names, made once and shared (an Index never changes):
    building it from a list, with pandas inferring its dtype, cost more than the rest of a
    1-row frame (~0.2 ms of ~0.3 ms right after a predict has left the caches cold)."""
    import pandas as pd

    global _cached_bytes
    # Each name's own size plus its share of the key tuple, the index and its hash table.
    size = sum(sys.getsizeof(c) for c in columns) + 64 * len(columns)
    if size > CACHED_INDEX_MAX_BYTES:
        return pd.Index(columns)  # too big to keep: built for this request only
    key = tuple((type(c), c) for c in columns)  # 1 and 1.0 are equal keys, not equal indexes
    try:
        found = _COLUMN_INDEXES.get(key)
    except TypeError:  # unhashable names: pandas decides what they mean
        return columns
    if found is None:
        if len(_COLUMN_INDEXES) >= _MAX_COLUMN_INDEXES or _cached_bytes + size > CACHED_MAX_BYTES:
            _COLUMN_INDEXES.clear()
            _cached_bytes = 0
        found = _COLUMN_INDEXES[key] = pd.Index(columns)
        _cached_bytes += size
    return found


def _dataframe_records(value: Any) -> Any:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ScoringError(
            'dataframe_records must be a list of objects, for example [{"x": 1.0}, {"x": 2.0}].'
        )
    return _frame(data=value)


def _tensor(value: Any) -> Any:
    import numpy as np

    if isinstance(value, dict):
        if all(isinstance(v, list) for v in value.values()):
            return _frame(data=value)
        return _frame(data=[value])
    if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
        return _frame(data=value)
    if not isinstance(value, list):
        raise ScoringError("instances / inputs must be a list (rows or values) or an object.")
    try:
        arr = np.asarray(value)
    except ValueError as err:
        raise ScoringError(f"instances / inputs must be a rectangular array: {err}.") from None
    if arr.dtype == object:
        raise ScoringError(
            "instances / inputs must be a rectangular array of numbers or strings (rows of the "
            "same length)."
        )
    return arr


_PARSERS = {
    "dataframe_split": _dataframe_split,
    "dataframe_records": _dataframe_records,
    "instances": _tensor,
    "inputs": _tensor,
}


def _parse_csv(body: bytes) -> Any:
    import pandas as pd

    if not body.strip():
        raise ScoringError("The CSV body is empty: send a header row and at least one row.")
    try:
        return pd.read_csv(io.BytesIO(body))
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ScoringError(f"The CSV body could not be read: {err}.") from None


def _plain(value: Any) -> Any:
    """JSON-ready predictions: arrays and frames to lists, NaN and infinities to null."""
    import numpy as np

    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # DataFrame
        value = value.to_dict(orient="records")
    elif hasattr(value, "to_numpy") and hasattr(value, "index"):  # Series
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            fixed = value.astype(object)
            fixed[~np.isfinite(value)] = None
            value = fixed
        return value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def predictions_json(predictions: Any) -> str:
    """The response body: ``{"predictions": [...]}``."""
    import numpy as np

    if isinstance(predictions, np.ndarray) and predictions.dtype.kind in "fiub":
        try:  # the common case, without looking for NaN first
            return '{"predictions": ' + json.dumps(predictions.tolist(), allow_nan=False) + "}"
        except ValueError:  # NaN or an infinity: null, below
            pass
    return json.dumps({"predictions": _plain(predictions)}, allow_nan=False)
