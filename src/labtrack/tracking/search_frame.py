"""``search_runs``: runs as a pandas DataFrame (MLflow's columns) or a list of ``Run``."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from labtrack.entities import Run, ViewType
from labtrack.errors import InvalidParameterError
from labtrack.store.contract import SEARCH_MAX_RESULTS_LIMIT, RunTable
from labtrack.tracking import _state
from labtrack.tracking.client import experiment_not_found
from labtrack.tracking.fluent import _resolve_experiment_id, search_experiments
from labtrack.utils import validation

if TYPE_CHECKING:
    import pandas as pd

    from labtrack.store.contract import KeyColumn, RunKeyTable

__all__ = ["search_runs", "runs_to_frame"]

PAGE = SEARCH_MAX_RESULTS_LIMIT  # one query per 100,000 runs
DEFAULT_MAX_RESULTS = 100_000
BASE_COLUMNS = ["run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time"]


def _experiment_ids(
    experiment_ids: Sequence[str | int] | str | int | None,
    experiment_names: Sequence[str] | None,
    search_all_experiments: bool,
) -> list[str]:
    client = _state.client()
    if experiment_ids is not None and experiment_names is not None:
        raise InvalidParameterError("Give experiment_ids or experiment_names, not both.")
    if isinstance(experiment_ids, (str, int)):
        experiment_ids = [experiment_ids]
    if experiment_ids:
        return [validation.experiment_id(e) for e in experiment_ids]
    if experiment_names:
        ids = []
        for name in experiment_names:
            exp = client.get_experiment_by_name(name)
            if exp is None:
                raise experiment_not_found(name)
            ids.append(exp.experiment_id)
        return ids
    if search_all_experiments:
        return [e.experiment_id for e in search_experiments(view_type=ViewType.ALL)]

    return [_resolve_experiment_id()]


def search_runs(
    experiment_ids: Sequence[str | int] | str | int | None = None,
    filter_string: str = "",
    run_view_type: int = ViewType.ACTIVE_ONLY,
    max_results: int = DEFAULT_MAX_RESULTS,
    order_by: Sequence[str] | None = None,
    output_format: str = "pandas",
    search_all_experiments: bool = False,
    experiment_names: Sequence[str] | None = None,
) -> pd.DataFrame | list[Run]:
    """Find runs with MLflow's filter language (plus OR, NOT and parentheses).

    >>> search_runs(filter_string="metrics.rmse < 1 and params.model = 'rf'",
    ...             order_by=["metrics.rmse ASC"])  # doctest: +SKIP
    """
    if output_format not in ("pandas", "list"):
        raise InvalidParameterError(
            f"output_format must be 'pandas' or 'list'; got {output_format!r}."
        )
    if not isinstance(max_results, int) or max_results <= 0:
        raise InvalidParameterError(f"max_results must be a positive integer; got {max_results!r}.")
    _state.writer().flush(raise_errors=False)
    ids = _experiment_ids(experiment_ids, experiment_names, search_all_experiments)
    client = _state.client()
    if output_format == "pandas" and max_results <= PAGE:
        search = (ids, filter_string or "", run_view_type, max_results, order_by)
        # SQLite: one row per key, split into columns in C (store/sql/search_columns.py).
        key_table = client.store.search_run_key_table(*search)
        if key_table is not None:
            return key_table_to_frame(key_table)
        # Otherwise one query per table, straight into columns: no Run object per row.
        return table_to_frame(client.store.search_run_table(*search))
    runs: list[Run] = []
    token = None
    while len(runs) < max_results:
        page = client.search_runs(
            ids, filter_string, run_view_type, min(PAGE, max_results - len(runs)), order_by, token
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    return runs if output_format == "list" else runs_to_frame(runs)


def _keyed_columns(
    prefix: str, rows: Sequence[Sequence[Any]], position: dict[str, int], numeric: bool
) -> dict[str, Any]:
    """``{prefix.key: column}`` of ``(run_id, key, value[, is_nan])`` rows, filled by key.

    Rows are grouped by key with one hash pass (``pd.factorize``) and a stable sort of the
    codes; each run's row goes to its place through ``position`` (a dict: a C-level lookup
    per row, where ``Index.get_indexer`` builds a hash table per call).
    """
    import numpy as np
    import pandas as pd

    if not rows:
        return {}
    size = len(position)
    at = np.fromiter(
        map(position.__getitem__, map(itemgetter(0), rows)), dtype=np.intp, count=len(rows)
    )
    codes, keys = pd.factorize(np.fromiter(map(itemgetter(1), rows), dtype=object, count=len(rows)))
    dtype = "float64" if numeric else object
    filled = np.fromiter(map(itemgetter(2), rows), dtype=dtype, count=len(rows))
    if numeric:  # NaN is stored as 0 with is_nan
        filled[np.fromiter(map(itemgetter(3), rows), dtype=bool, count=len(rows))] = np.nan
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(keys)))
    out: dict[str, Any] = {}
    for code in np.argsort(keys.astype(str), kind="stable"):  # MLflow's columns: sorted
        where = order[(bounds[code - 1] if code else 0) : bounds[code]]
        column = np.full(size, np.nan if numeric else None, dtype=dtype)
        column[at[where]] = filled[where]
        out[f"{prefix}.{keys[code]}"] = column if numeric else pd.Series(column, dtype="object")
    return out


def _base_columns(runs: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    """The columns of the runs' own fields, from ``RUN_TABLE_COLUMNS`` rows."""
    import pandas as pd

    run_ids, _names, experiments, _users, statuses, starts, ends, _stages, uris = zip(
        *runs, strict=True
    )
    return {
        "run_id": list(run_ids),
        "experiment_id": [str(e) for e in experiments],
        "status": list(statuses),
        "artifact_uri": list(uris),
        "start_time": pd.to_datetime(list(starts), unit="ms", utc=True),
        "end_time": pd.to_datetime(list(ends), unit="ms", utc=True),
    }


def key_table_to_frame(table: RunKeyTable) -> pd.DataFrame:
    """MLflow's layout (as :func:`runs_to_frame`) from one column per key: each filled by
    position into a ready array (missing: NaN for metrics, None otherwise)."""
    import numpy as np
    import pandas as pd

    size = len(table["runs"])
    if not size:
        return pd.DataFrame(columns=BASE_COLUMNS)
    columns = _base_columns(table["runs"])
    for prefix, numeric in (("metrics", True), ("params", False), ("tags", False)):
        kind: list[KeyColumn] = table[prefix]  # type: ignore[literal-required]
        for key, at, values in sorted(kind, key=itemgetter(0)):  # MLflow's columns: sorted
            if numeric:
                column = np.full(size, np.nan)
                column[at] = values
                columns[f"{prefix}.{key}"] = column
            else:
                filled = np.full(size, None, dtype=object)
                filled[at] = values
                columns[f"{prefix}.{key}"] = pd.Series(filled, dtype="object")
    return pd.DataFrame(columns)


def table_to_frame(table: RunTable) -> pd.DataFrame:
    """MLflow's layout (as :func:`runs_to_frame`) from the store's plain rows, column by column."""
    import pandas as pd

    if not table["runs"]:
        return pd.DataFrame(columns=BASE_COLUMNS)
    columns = _base_columns(table["runs"])
    position = dict(zip(columns["run_id"], range(len(columns["run_id"])), strict=True))
    columns.update(_keyed_columns("metrics", table["metrics"], position, numeric=True))
    columns.update(_keyed_columns("params", table["params"], position, numeric=False))
    columns.update(_keyed_columns("tags", table["tags"], position, numeric=False))
    return pd.DataFrame(columns)


def runs_to_frame(runs: Sequence[Run]) -> pd.DataFrame:
    """MLflow's layout: base columns, then ``metrics.*``, ``params.*``, ``tags.*`` (sorted)."""
    import numpy as np
    import pandas as pd

    metric_keys = sorted({k for r in runs for k in r.data.metrics})
    param_keys = sorted({k for r in runs for k in r.data.params})
    tag_keys = sorted({k for r in runs for k in r.data.tags})
    columns: dict[str, Any] = {
        "run_id": [r.info.run_id for r in runs],
        "experiment_id": [r.info.experiment_id for r in runs],
        "status": [r.info.status for r in runs],
        "artifact_uri": [r.info.artifact_uri for r in runs],
        "start_time": pd.to_datetime([r.info.start_time for r in runs], unit="ms", utc=True),
        "end_time": pd.to_datetime([r.info.end_time for r in runs], unit="ms", utc=True),
    }
    for k in metric_keys:
        columns[f"metrics.{k}"] = np.array(
            [r.data.metrics.get(k, np.nan) for r in runs], dtype="float64"
        )
    for k in param_keys:
        columns[f"params.{k}"] = pd.Series([r.data.params.get(k) for r in runs], dtype="object")
    for k in tag_keys:
        columns[f"tags.{k}"] = pd.Series([r.data.tags.get(k) for r in runs], dtype="object")
    frame = pd.DataFrame(columns)
    if not runs:
        frame = pd.DataFrame(columns=BASE_COLUMNS)
    return frame
