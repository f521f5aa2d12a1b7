"""PostgreSQL's one-statement metric write (``metric_writes.write_points_postgres``), checked
on both databases.

The points travel as text arrays: every float that Python can hold (NaN, infinities, the
extremes, numpy's floats) must come back exactly; a batch bigger than one statement is cut
between statements, even inside a series, and its latest values, counts and summaries are
those of one statement.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sqlalchemy as sa

from labtrack.store.sql import metric_writes
from labtrack.store.sql.metric_writes import LEVELS, SUMMARY_FROM
from labtrack.store.sql.store import SqlTrackingStore

ODD_VALUES = [
    0.0,
    -0.0,
    1 / 3,
    -2.5e-308,
    5e-324,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    math.inf,
    -math.inf,
    math.nan,
    np.float64(0.1),
    7,
]


def test_every_float_comes_back_exactly(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], "odd").info.run_id
    points = [(run_id, "v", value, 1_000 + i, i) for i, value in enumerate(ODD_VALUES)]
    store.log_metric_points(points)
    got = [m.value for m in store.get_metric_history(run_id, "v")]
    assert len(got) == len(ODD_VALUES)
    for value, want in zip(got, ODD_VALUES, strict=True):
        assert (math.isnan(value) and math.isnan(want)) or value == float(want), (value, want)
    assert store.get_run(run_id).data.metrics["v"] == 7.0


def _summaries(store: SqlTrackingStore, run_id: str) -> list[tuple[int, ...]]:
    with store.database.read_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT key, level, bucket, count, min_step, max_step, min_value, max_value "
                "FROM metric_summaries WHERE run_uuid = :r ORDER BY key, level, bucket"
            ),
            {"r": run_id},
        ).all()
    return [tuple(row) for row in rows]


def test_a_batch_cut_into_statements_is_stored_as_one(
    store: SqlTrackingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def batch(run_id: str) -> list[tuple[str, str, float, int, int]]:
        # Two series, one crossing SUMMARY_FROM inside the batch, with a NaN and repeated steps.
        out = [(run_id, "a", float(i % 17), 5_000 + i, i) for i in range(SUMMARY_FROM + 300)]
        out += [(run_id, "b", math.nan if i == 3 else -i / 2, i, i // 2) for i in range(700)]
        return out

    whole = store.create_run("0", "u", 1, [], "whole").info.run_id
    store.log_metric_points(batch(whole))
    monkeypatch.setattr(metric_writes, "POINTS_PER_STATEMENT", 999)
    cut = store.create_run("0", "u", 1, [], "cut").info.run_id
    store.log_metric_points(batch(cut))

    for key in ("a", "b"):
        one = [(m.value, m.timestamp, m.step) for m in store.get_metric_history(whole, key)]
        two = [(m.value, m.timestamp, m.step) for m in store.get_metric_history(cut, key)]
        assert len(one) == len(two) == (SUMMARY_FROM + 300 if key == "a" else 700)
        assert str(one) == str(two)  # NaN compares by its text
    assert store.get_run(whole).data.metrics == store.get_run(cut).data.metrics
    assert store.metric_summaries(whole) == store.metric_summaries(cut)
    summaries = _summaries(store, cut)
    assert summaries == _summaries(store, whole)
    assert {row[1] for row in summaries if row[0] == "a"} == set(LEVELS)
    assert sum(row[3] for row in summaries if row[0] == "a" and row[1] == LEVELS[0]) == (
        SUMMARY_FROM + 300
    )
    assert not [row for row in summaries if row[0] == "b"]  # a short series has none


def test_a_series_that_reached_the_line_exactly_folds_in_its_next_batch(
    store: SqlTrackingStore,
) -> None:
    run_id = store.create_run("0", "u", 1, [], "edge").info.run_id
    store.log_metric_points([(run_id, "a", float(i), i, i) for i in range(SUMMARY_FROM)])
    store.log_metric_points([(run_id, "a", float(i), i, i) for i in range(SUMMARY_FROM, 10_100)])
    finest = [row for row in _summaries(store, run_id) if row[1] == LEVELS[0]]
    assert sum(row[3] for row in finest) == 10_100
    assert finest[-1][5] == 10_099  # the last bucket's max step
