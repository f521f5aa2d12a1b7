"""Params, tags and latest metrics of many runs, one row per key (SQLite): the DataFrame's read.

``search_runs`` -> DataFrame over 100,000 runs reads ~170,000 (run, key) rows; making a Python
tuple, a run id string and a value for each was most of its time. Here SQLite aggregates per
key instead: the runs' positions (``json_each`` over the ordered run ids gives each its index)
and their values, each as one ``group_concat`` text, so Python gets a handful of rows and
splits each text in C (``str.split``, ``np.fromstring``). The positions and values of a key
come from the same aggregate step, so they stay paired whatever order SQLite groups in.

Values travel as text: params and tags joined by U+001F, a key whose values hold that
character (or a NULL tag) is read again as plain rows (the split count tells); metric values
as ``printf('%!.20g', value)``, 20 significant digits, which parse back to the same double
(checked bit for bit over random bit patterns, subnormals and infinities in
``tests/store/test_search_columns.py``), NaN as ``nan``.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from labtrack.store.contract import KeyColumn, RunKeyTable
from labtrack.store.sql.driver import Cursor

__all__ = ["read_key_columns"]

_SEP = "\x1f"  # joins text values; a value holding it sends its key to the row read

# (table, the value as text): metric values with 20 significant digits (exact, see above).
_TABLES = {
    "params": ("params", "d.value"),
    "tags": ("tags", "d.value"),
    "metrics": (
        "latest_metrics",
        "CASE WHEN d.is_nan THEN 'nan' ELSE printf('%!.20g', d.value) END",
    ),
}


def _rows_of_key(
    cursor: Cursor, table: str, value: str, ids: str, key: str
) -> tuple[Any, list[Any]]:
    """Positions and values of one key as plain rows (values a split cannot carry)."""
    import numpy as np

    # CROSS JOIN keeps the run list outside: each run is one seek of the primary key (the other
    # order scans the whole list for every row of the key).
    rows = cursor.execute(
        f"SELECT j.key, {value} FROM json_each(?) AS j CROSS JOIN {table} AS d "
        "ON d.run_uuid = j.value AND d.key = ?",
        (ids, key),
    ).fetchall()
    return np.array([row[0] for row in rows], dtype=np.intp), [row[1] for row in rows]


def read_key_columns(cursor: Cursor, runs: list[tuple[Any, ...]]) -> RunKeyTable:
    """These ``RUN_COLUMNS`` rows with their params, tags and latest metrics (SQLite),
    positions indexing ``runs``."""
    import numpy as np

    out: dict[str, list[KeyColumn]] = {}
    # The runs in id order, so the seeks walk each table's primary key forwards (in the
    # search's order they jump about: ~20 ms more per table over 12,000 runs); ``place`` maps
    # an index in that list back to the run's position.
    by_id = sorted(range(len(runs)), key=[row[0] for row in runs].__getitem__)
    place = np.array(by_id, dtype=np.intp)
    ids = json.dumps([runs[i][0] for i in by_id])
    for kind, (table, value) in _TABLES.items():
        found = cursor.execute(
            f"SELECT d.key, count(*), group_concat(j.key), group_concat({value}, char(31)) "
            f"FROM json_each(?) AS j CROSS JOIN {table} AS d ON d.run_uuid = j.value "
            "GROUP BY d.key",
            (ids,),
        ).fetchall()
        columns: list[KeyColumn] = []
        for key, count, positions, joined in found:
            at = np.fromstring(positions, dtype=np.intp, sep=",")
            values: Any = []
            if kind != "metrics":
                values = joined.split(_SEP) if joined is not None else []
            else:
                with contextlib.suppress(ValueError):  # then the counts differ: rows below
                    values = np.fromstring(joined, dtype=np.float64, sep=_SEP)
            if len(at) != count or len(values) != count:
                at, values = _rows_of_key(cursor, table, value, ids, key)
                if kind == "metrics":  # not expected (a fixed format), but never wrong
                    values = np.array(values, dtype=np.float64)
            columns.append((key, place[at], values))
        out[kind] = columns
    return {"runs": runs, "params": out["params"], "tags": out["tags"], "metrics": out["metrics"]}
