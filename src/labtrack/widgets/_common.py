"""Shared pieces of the inline views: finding runs, and turning them into frames.

Everything here is plain data (pandas, numpy); no widget is built in this module.

>>> from labtrack.widgets._common import format_value
>>> format_value(0.123456789), format_value(None)
('0.123457', '')
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from labtrack.entities import Run, ViewType
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.tracking import _state
from labtrack.tracking.fluent import _resolve_experiment_id, search_experiments
from labtrack.utils.mlflow_tags import USER

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Run ids are hex (or uuid-like) strings; anything else cannot name a run, so it never reaches
# a filter string.
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_IN_CHUNK = 500
ALL_STATUSES = "ALL"
BASE_TABLE_COLUMNS = ["name", "status", "start time", "duration (s)", "user"]
# Notebook front ends reset table cell padding; a rule scoped to our class puts it back.
TABLE_STYLE = (
    "<style>.labtrack-table th,.labtrack-table td{padding:2px 16px 2px 0;"
    "text-align:left;vertical-align:top}</style>"
)


def client() -> Any:

    return _state.client()


def flush_pending() -> None:
    """Make points queued by this kernel's background writer visible to the views."""

    _state.writer().flush(raise_errors=False)


def resolve_experiment_ids(experiment: str | int | None) -> list[str]:
    """Experiment ids for a name or id; ``None`` means the experiment new runs go to."""
    if experiment is None:
        return [_resolve_experiment_id()]
    c = client()
    found = c.get_experiment_by_name(str(experiment))
    if found is not None:
        return [found.experiment_id]
    text = str(experiment)
    if text.isdigit():
        try:
            return [c.get_experiment(text).experiment_id]
        except ResourceNotFoundError:
            pass
    raise ResourceNotFoundError(
        f"No experiment with name or id {text!r}. List them with labtrack.search_experiments()."
    )


def _all_experiment_ids() -> list[str]:

    return [e.experiment_id for e in search_experiments(view_type=ViewType.ALL)]


def fetch_runs(run_ids: Sequence[str]) -> list[Run]:
    """The runs with these ids, in this order; unknown ids raise one error naming them all.

    One search per 500 ids (not one query per run) keeps 1,000 runs fast.
    """
    if isinstance(run_ids, str):
        run_ids = [run_ids]
    wanted = list(dict.fromkeys(str(r) for r in run_ids))
    if not wanted:
        raise InvalidParameterError(
            "No runs to compare. Pass run ids, or select rows in a show_runs() table first."
        )
    flush_pending()
    valid = [r for r in wanted if _ID.match(r)]
    found: dict[str, Run] = {}
    if valid:
        experiments = _all_experiment_ids()
        for i in range(0, len(valid), _IN_CHUNK):
            chunk = valid[i : i + _IN_CHUNK]
            quoted = ", ".join(f"'{r}'" for r in chunk)
            page = client().search_runs(
                experiments,
                f"attributes.run_id IN ({quoted})",
                ViewType.ALL,
                max_results=len(chunk),
            )
            found.update((run.info.run_id, run) for run in page)
    missing = [r for r in wanted if r not in found]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise ResourceNotFoundError(
            f"Unknown run id(s): {shown}{more}. Check the ids with labtrack.search_runs()."
        )
    return [found[r] for r in wanted]


def any_running(runs: Sequence[Run]) -> bool:
    return any(r.info.status == "RUNNING" for r in runs)


def run_label(run: Run) -> str:
    return run.info.run_name or run.info.run_id[:8]


def unique_labels(runs: Sequence[Run]) -> list[str]:
    """One column title per run: its name, with the id prefix added where names repeat."""
    names = [run_label(r) for r in runs]
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    out = [
        n if counts[n] == 1 else f"{n} ({r.info.run_id[:8]})"
        for n, r in zip(names, runs, strict=True)
    ]
    if len(set(out)) != len(out):  # id prefixes collide too: full ids are unique
        out = [f"{n} ({r.info.run_id})" for n, r in zip(names, runs, strict=True)]
    return out


def format_time(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def duration_seconds(run: Run, now_ms: int | None = None) -> float:
    """Seconds from start to end (to now while running); NaN when unknown."""
    start, end = run.info.start_time, run.info.end_time
    if end is None and run.info.status == "RUNNING" and now_ms is not None:
        end = now_ms
    if start is None or end is None:
        return math.nan
    return max(0, end - start) / 1000


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return f"{value:.6g}"
    return str(value)


def table_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """The runs table: run_id as index, then the name, metrics.*, params.*, then status,
    times and user: what a run measured is what the table is read for, so it comes first."""
    import numpy as np
    import pandas as pd

    index = pd.Index([r.info.run_id for r in runs], name="run_id", dtype=object)
    base = pd.DataFrame(
        {
            "name": [r.info.run_name for r in runs],
            "status": [r.info.status for r in runs],
            "start time": [format_time(r.info.start_time) for r in runs],
            "duration (s)": np.array([duration_seconds(r) for r in runs], dtype="float64"),
            "user": [r.data.tags.get(USER, r.info.user_id) for r in runs],
        },
        index=index,
        columns=BASE_TABLE_COLUMNS,
    )
    params = pd.DataFrame.from_records([r.data.params for r in runs], index=index)
    metrics = pd.DataFrame.from_records([r.data.metrics for r in runs], index=index)
    params = params.reindex(sorted(params.columns), axis=1).astype(object)
    metrics = metrics.reindex(sorted(metrics.columns), axis=1).astype("float64")
    params.columns = [f"params.{k}" for k in params.columns]
    metrics.columns = [f"metrics.{k}" for k in metrics.columns]
    frame = pd.concat([base[["name"]], metrics, params, base.drop(columns="name")], axis=1)
    # Text columns as object: the grid's schema then reads them as plain strings.
    for col in ["name", "status", "start time", "user", *params.columns]:
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def values_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """Params (as text) and metrics (as floats) of each run, one row per run."""
    frame = table_frame(runs)
    # Params then metrics, as the compare views read them (the table shows metrics first).
    keep = [c for c in frame.columns if c.startswith("params.")]
    keep += [c for c in frame.columns if c.startswith("metrics.")]
    out = frame[keep].copy()
    out.insert(0, "name", unique_labels(runs))
    return out


def numeric(series: pd.Series) -> np.ndarray | None:
    """The column as floats when every present value is a number, else ``None``."""
    import numpy as np
    import pandas as pd

    values = pd.to_numeric(series, errors="coerce")
    present = series.notna().to_numpy()
    if not present.any() or values[present].isna().any():
        return None
    return np.asarray(values, dtype="float64")


def categories(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Category codes (float, NaN for missing) and the sorted category names."""
    import numpy as np

    present = series.dropna().astype(str)
    names = sorted(set(present))
    lookup = {n: float(i) for i, n in enumerate(names)}
    codes = np.array(
        [lookup[str(v)] if v is not None and v == v else np.nan for v in series], dtype="float64"
    )
    return codes, names


def html_table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A small escaped HTML table (for the handful of rows of one run)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(format_value(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    if not rows:
        body = f"<tr><td colspan='{len(header)}'><i>none</i></td></tr>"
    return (
        f"{TABLE_STYLE}<table class='labtrack-table'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def error_html(message: str) -> str:
    """A red message, laid out as written (filter errors point at a column with ``^``)."""
    if not message:
        return ""
    return (
        f"<pre style='color:#c62828;margin:2px 0;white-space:pre-wrap'>{html.escape(message)}</pre>"
    )


def bind_choice(dropdown: Any, owner: Any, trait: str) -> None:
    """Keep ``dropdown.value`` and ``owner.<trait>`` (a str) equal, both ways.

    Unlike ``traitlets.link`` it tolerates the dropdown's ``None`` while it has no options, and
    ignores the dropdown while ``owner._updating`` is true (its options are being replaced).
    """

    def from_dropdown(change: Any) -> None:
        if getattr(owner, "_updating", False):
            return
        if change["new"] is not None and getattr(owner, trait) != change["new"]:
            setattr(owner, trait, change["new"])

    def from_owner(change: Any) -> None:
        if change["new"] in dropdown.options and dropdown.value != change["new"]:
            dropdown.value = change["new"]

    dropdown.observe(from_dropdown, names="value")
    owner.observe(from_owner, names=trait)


# The table show_runs() built last: compare() with no ids compares its selection.
last_table: Any = None


def last_selection() -> list[str]:
    """The run ids selected in the table ``show_runs`` built last (``[]`` if none)."""
    return list(last_table.selected_run_ids) if last_table is not None else []
