"""Long metric series: summaries written with the points, read by downsampled charts.

A series past ``SUMMARY_FROM`` points gets min/max summaries at every level as its points
arrive; a chart over it reads the finest level whose buckets fit, not the history. These tests
check the summaries against the history they summarize, and the charts read from them against
the same charts read from the history (``RAW_READ_LIMIT`` and the level choice patched).
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
import sqlalchemy as sa

from labtrack.store.contract import TrackingStore
from labtrack.store.sql import metrics as metrics_module
from labtrack.store.sql.metric_writes import LEVELS, SUMMARY_FROM
from labtrack.store.sql.store import SqlTrackingStore


def _series(store: SqlTrackingStore, points: list[tuple[float, int, int]]) -> str:
    run_id = store.create_run("0", "u", 1, [], "long").info.run_id
    for start in range(0, len(points), 7_000):  # several batches: summaries are folded in
        store.log_metric_points(
            [(run_id, "loss", v, t, s) for v, t, s in points[start : start + 7_000]]
        )
    return run_id


def _levels(store: SqlTrackingStore, run_id: str) -> dict[int, list[Any]]:
    with store.database.read_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT level, bucket, count, min_step, max_step, min_timestamp, max_timestamp, "
                "min_value, max_value FROM metric_summaries WHERE run_uuid = :r AND key = 'loss' "
                "ORDER BY level, bucket"
            ),
            {"r": run_id},
        ).all()
    out: dict[int, list[Any]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(tuple(row[1:]))
    return out


def _expected_level(points: list[tuple[float, int, int]], level: int) -> list[Any]:
    buckets: dict[int, list[tuple[float, int, int]]] = {}
    for value, timestamp, step in points:
        if not math.isnan(value):
            buckets.setdefault(step >> level, []).append((value, timestamp, step))
    return [
        (
            bucket,
            len(group),
            min(p[2] for p in group),
            max(p[2] for p in group),
            min(p[1] for p in group),
            max(p[1] for p in group),
            min(p[0] for p in group),
            max(p[0] for p in group),
        )
        for bucket, group in sorted(buckets.items())
    ]


def test_summaries_hold_every_level_of_the_history(store: SqlTrackingStore) -> None:
    rng = random.Random(3)
    # Out of order, repeated steps, NaN, a spike, negative steps: all folded in correctly.
    points = [(rng.random(), 1_000 + i, i - 500) for i in range(26_000)]
    points += [(math.nan, 5, 77), (1e9, 6, 12_345), (-1e9, 7, 12_346), (0.5, 8, 3)]
    rng.shuffle(points)
    run_id = _series(store, points)
    levels = _levels(store, run_id)
    assert sorted(levels) == list(LEVELS)
    for level in LEVELS:
        assert levels[level] == _expected_level(points, level), level


def test_a_series_is_summarized_from_its_history_when_it_crosses_the_line(
    store: SqlTrackingStore,
) -> None:
    points = [(float(i % 13), i, i) for i in range(SUMMARY_FROM - 3)]
    run_id = _series(store, points)
    assert _levels(store, run_id) == {}  # short series: none
    more = [(float(i), i, i) for i in range(SUMMARY_FROM - 3, SUMMARY_FROM + 40)]
    store.log_metric_points([(run_id, "loss", v, t, s) for v, t, s in more])
    levels = _levels(store, run_id)
    assert levels[LEVELS[0]] == _expected_level(points + more, LEVELS[0])
    assert sum(row[1] for row in levels[LEVELS[-1]]) == SUMMARY_FROM + 40


@pytest.mark.parametrize("max_points", [50, 400, 2_000])
def test_a_chart_read_from_summaries_keeps_spikes_like_one_read_from_the_history(
    store: SqlTrackingStore, monkeypatch: pytest.MonkeyPatch, max_points: int
) -> None:
    rng = random.Random(5)
    points = [(math.sin(i / 500) + rng.random() / 10, 10 * i, i) for i in range(60_000)]
    points[31_337] = (50.0, 313_370, 31_337)  # a spike
    points[4_242] = (-50.0, 42_420, 4_242)  # a dip
    points[100] = (math.nan, 1_000, 100)
    run_id = _series(store, points)
    summarized = store.metric_downsampled(run_id, "loss", max_points)
    monkeypatch.setattr(metrics_module, "_level_for", lambda *args: None)
    grouped = store.metric_downsampled(run_id, "loss", max_points)
    for chart in (summarized, grouped):
        assert chart["total"] == 60_000 and chart["downsampled"]
        assert len(chart["points"]) <= max_points
        values = [v for _, _, v in chart["points"]]
        assert max(values) == 50.0 and min(values) == -50.0
        steps = [s for s, _, _ in chart["points"]]
        assert steps == sorted(steps)
    width = 60_000 / (max_points // 2)
    spike = next(s for s, _, v in summarized["points"] if v == 50.0)
    assert abs(spike - 31_337) <= width  # moved by less than one bucket
    # Bucket for bucket, the two readings cover the same steps (to within a bucket).
    assert abs(len(summarized["points"]) - len(grouped["points"])) <= 0.1 * max_points + 4


def test_many_points_on_one_step_read_from_the_finest_summary(
    store: SqlTrackingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics_module, "RAW_READ_LIMIT", 1_000)
    points = [(float(i % 101), i, 0) for i in range(SUMMARY_FROM + 500)]  # logged with no step
    run_id = _series(store, points)
    chart = store.metric_downsampled(run_id, "loss", 100)
    assert chart["downsampled"] and chart["total"] == SUMMARY_FROM + 500
    assert [(s, v) for s, _, v in chart["points"]] == [(0, 0.0), (0, 100.0)]


def test_a_history_that_fits_comes_whole(store: SqlTrackingStore) -> None:
    run_id = _series(store, [(float(i), i, i) for i in range(30)] + [(math.nan, 99, 30)])
    chart = store.metric_downsampled(run_id, "loss", 100)
    assert not chart["downsampled"] and chart["total"] == 31
    assert [s for s, _, _ in chart["points"]] == list(range(31))
    assert math.isnan(chart["points"][-1][2])
    assert store.metric_downsampled(run_id, "nothing", 100) == {
        "total": 0,
        "downsampled": False,
        "points": [],
    }


def test_a_full_history_is_the_metrics_as_logged(store: SqlTrackingStore) -> None:
    """The history's objects are built from the rows in C (metrics_from_rows): they must be
    the Metric objects the constructor makes, NaN, infinities and the run id included."""
    from labtrack.entities import Metric

    values = [0.5, -1.0, math.inf, -math.inf, 3.25]
    run_id = _series(store, [(v, 10 + i, i) for i, v in enumerate(values)] + [(math.nan, 99, 5)])
    history = store.get_metric_history(run_id, "loss")
    expected = [Metric("loss", v, 10 + i, i, run_id=run_id) for i, v in enumerate(values)]
    assert history[:5] == expected
    assert [hash(m) for m in history[:5]] == [hash(m) for m in expected]
    last = history[5]
    assert (last.key, last.timestamp, last.step, last.run_id) == ("loss", 99, 5, run_id)
    assert math.isnan(last.value) and type(last) is Metric
    assert repr(history[0]) == repr(expected[0])


def test_latest_metric_steps_read_many_runs_at_once_as_run_by_run(
    store: SqlTrackingStore,
) -> None:
    # more runs than one query takes, some without metrics
    runs = [store.create_run("0", "u", 1, [], f"r{i}").info.run_id for i in range(520)]
    points = [(r, "loss", 1.0 / (i + 1), 100 + i, i) for i, r in enumerate(runs) if i % 3]
    points += [(r, "acc", float("nan"), 7, 2) for r in runs[:50]]
    store.log_metric_points(points)
    batched = store.latest_metric_steps([*runs, "0" * 32])
    assert batched == TrackingStore.latest_metric_steps(store, runs)  # the contract's default
    assert batched[runs[100]] == {"loss": (100, 200)}
    assert batched[runs[1]] == {"loss": (1, 101), "acc": (2, 7)}
    assert runs[300] not in batched and len(batched) == 520 - 174 + 17
