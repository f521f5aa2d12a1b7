"""search_runs -> DataFrame from the store's plain rows (``table_to_frame``) is the frame
MLflow's layout gives from Run objects (``runs_to_frame``): same columns, order, values."""

from __future__ import annotations

import math

import pandas as pd

from labtrack.entities import Run, RunData, RunInfo
from labtrack.tracking.search_frame import runs_to_frame, table_to_frame


def _info(run_id: str, start: int, end: int | None) -> tuple[object, ...]:
    return (run_id, f"name-{run_id}", 3, "u", "FINISHED", start, end, "active", f"s3://b/{run_id}")


def test_the_table_frame_is_the_run_frame() -> None:
    runs = [_info("c", 30, None), _info("a", 10, 11), _info("b", 20, 25)]
    table = {
        "runs": runs,
        # keys out of order, a run without some keys, a NaN, a NULL tag value
        "metrics": [
            ("b", "zeta", 2.0, False),
            ("a", "alpha", 0.0, True),
            ("c", "alpha", 1.5, False),
            ("a", "zeta", -1.0, False),
            ("b", "Beta", 4.0, False),
        ],
        "params": [("c", "p", "x"), ("a", "lr", "0.1"), ("a", "p", "y")],
        "tags": [("b", "t", None), ("c", "mlflow.runName", "name-c")],
    }
    objects = []
    for row in runs:
        run_id, name, experiment, user, status, start, end, stage, uri = row
        info = RunInfo(
            run_id=str(run_id),
            experiment_id=str(experiment),
            run_name=str(name),
            user_id=str(user),
            status=str(status),
            start_time=start,  # type: ignore[arg-type]
            end_time=end,  # type: ignore[arg-type]
            lifecycle_stage=str(stage),
            artifact_uri=str(uri),
        )
        data = RunData()
        for rid, key, value, nan in table["metrics"]:  # type: ignore[misc]
            if rid == run_id:
                data.metrics[key] = math.nan if nan else value
        for rid, key, value in table["params"]:  # type: ignore[misc]
            if rid == run_id:
                data.params[key] = value
        for rid, key, value in table["tags"]:  # type: ignore[misc]
            if rid == run_id:
                data.tags[key] = value
        objects.append(Run(info, data))
    frame = table_to_frame(table)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(frame, runs_to_frame(objects))
    assert list(frame.columns[6:]) == [
        "metrics.Beta", "metrics.alpha", "metrics.zeta", "params.lr", "params.p",
        "tags.mlflow.runName", "tags.t",
    ]  # fmt: skip
    assert math.isnan(frame.loc[1, "metrics.alpha"]) and frame.loc[0, "params.lr"] is None


def test_an_empty_table_has_the_base_columns() -> None:
    frame = table_to_frame({"runs": [], "metrics": [], "params": [], "tags": []})
    assert list(frame.columns) == list(runs_to_frame([]).columns)
