"""Runs as CSV, in the column layout of MLflow's "Download CSV".

Columns: Start Time, Duration, Run ID, Name, Source Type, Source Name, User, Status, then one
column per param, metric and tag. Cells that a spreadsheet would read as a formula
(starting with ``= + - @``, tab or carriage return) get a leading ``'`` (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone

from labtrack.entities import Run
from labtrack.utils.mlflow_tags import SOURCE_NAME, SOURCE_TYPE, USER

HEADER = [
    "Start Time",
    "Duration",
    "Run ID",
    "Name",
    "Source Type",
    "Source Name",
    "User",
    "Status",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: object) -> str:
    """A cell value that a spreadsheet shows as text, never evaluates.

    >>> escape_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        text = repr(value)
    else:
        text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def format_duration(start: int | None, end: int | None) -> str:
    if start is None or end is None:
        return ""
    seconds = max(0, end - start) / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{seconds / 60:.1f}min"
    return f"{seconds / 3600:.1f}h"


def _time(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def csv_header(runs: Sequence[Run]) -> tuple[list[str], list[str], list[str]]:
    params = sorted({k for r in runs for k in r.data.params})
    metrics = sorted({k for r in runs for k in r.data.metrics})
    tags = sorted({k for r in runs for k in r.data.tags})
    return params, metrics, tags


def iter_csv(runs: Sequence[Run]) -> Iterable[str]:
    """Yield the CSV text in chunks (header first), ready to stream."""
    params, metrics, tags = csv_header(runs)
    buf = io.StringIO()
    writer = csv.writer(buf)
    # Keys may start with '-' or '+' too: the header is a row a spreadsheet reads like any other.
    writer.writerow([escape_cell(name) for name in HEADER + params + metrics + tags])
    for i, run in enumerate(runs):
        info, data = run.info, run.data
        row: list[object] = [
            _time(info.start_time),
            format_duration(info.start_time, info.end_time),
            info.run_id,
            info.run_name,
            data.tags.get(SOURCE_TYPE),
            data.tags.get(SOURCE_NAME),
            data.tags.get(USER, info.user_id),
            info.status,
        ]
        row += [data.params.get(k) for k in params]
        row += [data.metrics.get(k) for k in metrics]
        row += [data.tags.get(k) for k in tags]
        writer.writerow([escape_cell(v) for v in row])
        if i % 500 == 499:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def runs_to_csv(runs: Sequence[Run]) -> str:
    return "".join(iter_csv(runs))
