"""1,000 runs: the table and the comparison hold them all, with vectorized state.

Sizes only; no timing assertions (bench/ is where speed is measured).
"""

from __future__ import annotations

import numpy as np

import labtrack
from labtrack.entities import Metric, Param
from labtrack.widgets import compare, show_runs

N = 1000


def make_runs(n: int) -> list[str]:
    client = labtrack.TrackingClient()
    rng = np.random.default_rng(7)
    ids = []
    for i in range(n):
        rid = client.create_run("0", run_name=f"run-{i}").info.run_id
        client.log_batch(
            rid,
            metrics=[
                Metric("rmse", float(rng.uniform(0.1, 1.0)), 1000, 0),
                Metric("r2", float(rng.uniform(0, 1)), 1000, 0),
            ],
            params=[
                Param("alpha", str(round(float(rng.uniform(0, 1)), 4))),
                Param("depth", str(int(rng.integers(1, 12)))),
                Param("model", ["rf", "gb", "lr"][i % 3]),
            ],
        )
        client.set_terminated(rid)
        ids.append(rid)
    return ids


def test_views_over_a_thousand_runs() -> None:
    ids = make_runs(N)

    table = show_runs()
    assert len(table.run_ids) == N
    data = table.grid.get_state()["_data"]["data"]
    assert len(data["run_id"]) == N
    assert data["metrics.rmse"]["shape"] == (N,)  # numbers travel as one binary buffer
    table.filter_string = "params.model = 'rf'"
    assert len(table.run_ids) == (N + 2) // 3
    table.filter_string = ""
    table.grid.selections = [{"r1": 0, "c1": 0, "r2": N - 1, "c2": 0}]
    assert len(table.selected_run_ids) == N

    view = compare(ids)
    assert len(view.run_ids) == N
    assert view.table.shape == (5, N + 1)  # 3 params + 2 metrics; "differs" + one per run
    pc = view.parallel
    assert pc.lines.y.shape == (N, 5)  # ONE Lines mark, 2-D y
    assert pc.lines.get_state()["y"]["shape"] == (N, 5)
    pc.color_by = "rmse"
    assert pc.lines.color.shape == (N,)
    model = pc.dimensions.index("params.model")
    assert set(np.unique(pc.lines.y[:, model])) == {0.0, 0.5, 1.0}
    assert view.scatter.points.x.shape == (N,)
    assert view.contour.heatmap.color.shape == (40, 40)
    assert view.contour.points.x.shape == (N,)
