"""The background writer's metric points on the wire: columns of packed numbers, not JSON lists.

A batch of the writer (up to 20,000 points) was one JSON list per point, ``[run_id, key, value,
timestamp, step]``: ``json.dumps`` spends ~1 µs a point (a float's shortest ``repr``, the run id
again in every point) while holding the GIL, which a training loop logging on the main thread
waits for. Here a batch is its distinct series once and three packed columns, each made by one
C-level call (``zip``, ``array``, ``base64``), and read back the same way on the server, whose
checks then cost next to nothing per point: a float64 is a float, an int64 fits the store.

``log_metric_points``'s ``args`` in this form (the ``points`` form stays accepted)::

    {"columns": {
        "series": [[run_id, key], ...],     # distinct (run, key), each named once
        "series_index": "<base64>",         # uint32 per point, index into series; left out
                                            # when there is one series
        "value": "<base64>",                # float64 per point (NaN and +/-inf as they are)
        "timestamp": "<base64>",            # int64 per point, ms
        "step": "<base64>"}}                # int64 per point

Numbers are little-endian. Any other shape is refused with a message that says what is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from labtrack.errors import InvalidParameterError
from labtrack.store.contract import MetricPoint

__all__ = ["COLUMNS", "decode", "encode_body"]

COLUMNS = "columns"
# array typecodes of the packed columns, by name, and the item size each must have.
_PACKED = {"series_index": ("I", 4), "value": ("d", 8), "timestamp": ("q", 8), "step": ("q", 8)}
_RUN, _KEY, _VALUE, _TIMESTAMP, _STEP = (itemgetter(i) for i in range(5))
_NAME = itemgetter(0, 1)
_SWAP = sys.byteorder != "little"
_SHAPE = (
    'A columns batch is {"series": [[run_id, key], ...], "series_index": <base64 uint32>, '
    '"value": <base64 float64>, "timestamp": <base64 int64>, "step": <base64 int64>}'
)


def _packed(typecode: str, items: Sequence[Any]) -> bytes:
    column = array(typecode, items)
    if _SWAP:
        column.byteswap()
    return base64.b64encode(column.tobytes())


def encode_body(points: Sequence[MetricPoint]) -> bytes | None:
    """The request body of ``log_metric_points`` for ``points`` in the columns form, or None
    when a point does not fit it (a value that is no number, a step past 64 bits): the JSON
    form then sends them, and the server says what is wrong."""
    if not points:
        return None
    try:
        # One C-level pass per column (map over itemgetter), ~35 ns a point each; a
        # transposing zip(*points) costs ~165.
        packed = {
            "value": _packed("d", list(map(_VALUE, points))),
            "timestamp": _packed("q", list(map(_TIMESTAMP, points))),
            "step": _packed("q", list(map(_STEP, points))),
        }
        runs = set(map(_RUN, points))
        keys = set(map(_KEY, points))
        if len(runs) == 1 and len(keys) == 1:  # the usual batch: one series
            series = [[*runs, *keys]]
        else:
            names = list(map(_NAME, points))
            numbers = dict.fromkeys(names, 0)
            for i, name in enumerate(numbers):  # distinct series only
                numbers[name] = i
            series = [list(name) for name in numbers]
            packed["series_index"] = _packed("I", list(map(numbers.__getitem__, names)))
    except (TypeError, OverflowError, ValueError, IndexError):
        return None
    # Built as bytes around the packed columns: no decode / re-encode of their text.
    parts = [b'{"args": {"columns": {"series": ', json.dumps(series).encode()]
    for name, data in packed.items():
        parts += [b', "', name.encode(), b'": "', data, b'"']
    parts.append(b"}}}")
    return b"".join(parts)


def _column(data: dict[str, Any], name: str, count: int | None) -> array[Any]:
    typecode, size = _PACKED[name]
    raw = data.get(name)
    if not isinstance(raw, str):
        raise InvalidParameterError(f"{_SHAPE}: {name!r} is missing or not a string.")
    try:
        buffer = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterError(f"{_SHAPE}: {name!r} is not valid base64.") from None
    if len(buffer) % size or (count is not None and len(buffer) != count * size):
        raise InvalidParameterError(
            f"{_SHAPE}: {name!r} holds {len(buffer)} bytes, not {size} per point"
            + (f" for {count} points." if count is not None else ".")
        )
    column = array(typecode)
    column.frombytes(buffer)
    if _SWAP:
        column.byteswap()
    return column


def decode(data: Any) -> tuple[list[tuple[str, str]], list[MetricPoint]]:
    """The distinct (run, key) series of a columns batch and its points (unchecked names:
    the caller checks each series once)."""
    if not isinstance(data, dict) or not set(data) <= {"series", *_PACKED}:
        raise InvalidParameterError(f"{_SHAPE}.")
    series = data.get("series")
    if (
        not isinstance(series, list)
        or not series
        or not all(
            isinstance(s, list) and len(s) == 2 and all(isinstance(p, str) for p in s)
            for s in series
        )
    ):
        raise InvalidParameterError(f"{_SHAPE}: 'series' must list [run_id, key] strings.")
    values = _column(data, "value", None)
    count = len(values)
    stamps = _column(data, "timestamp", count).tolist()
    steps = _column(data, "step", count).tolist()
    pairs = [(str(run), str(key)) for run, key in series]
    if "series_index" in data:
        index = _column(data, "series_index", count)
        if count and max(index) >= len(pairs):
            raise InvalidParameterError(f"{_SHAPE}: a series_index is past the series list.")
        runs = [run for run, _ in pairs]
        keys = [key for _, key in pairs]
        run_of: Any = map(runs.__getitem__, index)
        key_of: Any = map(keys.__getitem__, index)
    elif len(pairs) == 1:
        run_of, key_of = [pairs[0][0]] * count, [pairs[0][1]] * count
    else:
        raise InvalidParameterError(f"{_SHAPE}: 'series_index' is needed for several series.")
    points = list(zip(run_of, key_of, values.tolist(), stamps, steps, strict=True))
    return pairs, points
