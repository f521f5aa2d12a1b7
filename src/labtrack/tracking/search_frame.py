"""``search_runs``: runs as a pandas DataFrame (MLflow's columns) or a list of ``Run``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from labtrack.entities import Run, ViewType
from labtrack.errors import InvalidParameterError
from labtrack.tracking import _state
from labtrack.tracking.client import experiment_not_found
from labtrack.tracking.fluent import _resolve_experiment_id, search_experiments
from labtrack.utils import validation

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["search_runs", "runs_to_frame"]

PAGE = 10_000
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
