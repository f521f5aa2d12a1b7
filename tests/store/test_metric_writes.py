"""The metric write path: batches of any size arrive whole, and reuse compiled statements.

``Cursor.insert_rows(pad=True)`` fills a batch's last chunk up with NULL rows to a power of two
(so SQLite compiles a handful of statements, not one per batch size); the history insert must
skip them. ``log_batch`` checks every point of a batch before it writes any.
"""

from __future__ import annotations

import math
import sqlite3

import pytest

from labtrack.entities import Metric
from labtrack.errors import InvalidParameterError
from labtrack.store.sql import metric_writes
from labtrack.store.sql.driver import Cursor, chunk_rows
from labtrack.store.sql.store import SqlTrackingStore

# Sizes around the padding's powers of two and across a statement's chunk of rows (a long
# series has statements of its own, with three values a row).
SERIES_ROWS = metric_writes._SERIES_CHUNK_ROWS
SIZES = [1, 15, 16, 17, 100, 1_000, chunk_rows(5) - 1, chunk_rows(5) + 1, 2 * chunk_rows(5) + 3]
SIZES += [4_095, 4_096, SERIES_ROWS - 1, SERIES_ROWS, SERIES_ROWS + 1, 2 * SERIES_ROWS + 3]


def test_batches_of_every_size_store_exactly_their_points(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], "sizes").info.run_id
    step = 0
    expected: list[tuple[float, int, int]] = []
    for size in SIZES:
        batch = []
        for _ in range(size):
            value = math.nan if step % 97 == 0 else step / 7
            batch.append((run_id, "loss", value, 1_000 + step, step))
            expected.append((value, 1_000 + step, step))
            step += 1
        store.log_metric_points(batch)
    history = store.get_metric_history(run_id, "loss")
    got = [(m.value, m.timestamp, m.step) for m in history]
    assert len(got) == len(expected)
    for (value, timestamp, s), (want, want_ts, want_step) in zip(got, expected, strict=True):
        assert (timestamp, s) == (want_ts, want_step)
        assert (math.isnan(value) and math.isnan(want)) or value == want
    latest = store.get_run(run_id).data.metrics["loss"]
    assert latest == expected[-1][0]


def test_a_batch_of_long_and_short_series_stores_each_point_once(store: SqlTrackingStore) -> None:
    """A long series goes in statements of its own (run and key bound once), the short ones
    row by row, in the same batch: every point lands in its own series, NaN kept."""
    run_a = store.create_run("0", "u", 1, [], "a").info.run_id
    run_b = store.create_run("0", "u", 1, [], "b").info.run_id
    batch = [(run_a, "long", math.nan if i % 501 == 0 else i * 0.5, 7 + i, i) for i in range(9_000)]
    batch += [
        (run, f"short{k}", float(k * i), 3 + i, i)
        for run in (run_a, run_b)
        for k in range(3)
        for i in range(40)
    ]
    batch.reverse()  # steps out of order: each series is sorted before its latest value is read
    store.log_metric_points(batch)
    for run, key, count in [(run_a, "long", 9_000), (run_a, "short2", 40), (run_b, "short1", 40)]:
        history = store.get_metric_history(run, key)
        assert [m.step for m in history] == list(range(count))
        want = [p[2] for p in reversed(batch) if p[0] == run and p[1] == key]
        got = [m.value for m in history]
        assert all(
            (math.isnan(g) and math.isnan(w)) or g == w for g, w in zip(got, want, strict=True)
        )
    assert store.get_run(run_a).data.metrics == {
        "long": 8_999 * 0.5,
        "short0": 0.0,
        "short1": 39.0,
        "short2": 78.0,
    }
    assert store.get_run(run_b).data.metrics["short1"] == 39.0


def test_a_long_series_binds_its_run_and_key_once_a_statement(store: SqlTrackingStore) -> None:
    """20,000 points of one series: the run id is bound once in each history statement (four
    of them), not once per row."""
    if store.database.write_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's history insert (PostgreSQL writes a batch in one statement)")
    run_id = store.create_run("0", "u", 1, [], "statements").info.run_id
    batch = [(run_id, "loss", 0.25, 1_000 + i, i) for i in range(20_000)]
    seen: list[str] = []

    def traced(cursor: Cursor) -> None:
        # The trace gives each statement with its values bound in.
        cursor.raw.connection.set_trace_callback(seen.append)
        try:
            metric_writes.write_metric_points(cursor, batch)
        finally:
            cursor.raw.connection.set_trace_callback(None)

    store.database.write_cursor(traced)
    history = [sql for sql in seen if sql.startswith("INSERT INTO metrics ")]
    assert len(history) == 4
    assert sum(sql.count(run_id) for sql in history) == 4
    assert len(store.get_metric_history(run_id, "loss")) == 20_000


def test_padded_chunks_reuse_a_few_statements_and_insert_no_padding() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (a TEXT NOT NULL, b INTEGER NOT NULL)")
    seen: list[str] = []
    con.set_trace_callback(seen.append)
    cursor = Cursor(con.cursor(), "sqlite")
    template = "INSERT INTO t SELECT column1, column2 FROM ({rows}) WHERE column1 IS NOT NULL"
    total = 0
    for rows in range(17, 65):  # 48 batch sizes
        cursor.insert_rows(template, 2, [v for i in range(rows) for v in ("x", i)], pad=True)
        total += rows
    assert con.execute("SELECT count(*), count(a) FROM t").fetchone() == (total, total)
    # The trace shows each statement with its values bound: count its rows.
    shapes = {text.count("),(") + 1 for text in seen if text.startswith("INSERT")}
    assert shapes == {32, 64}


def test_log_batch_checks_values_of_any_type_as_before(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], "types").info.run_id
    store.log_batch(run_id, [Metric("m", 3, 10, 1), Metric("m", 2.5, 11.0, 2)], [], [])
    history = store.get_metric_history(run_id, "m")
    assert [(m.value, type(m.value), m.timestamp, m.step) for m in history] == [
        (3.0, float, 10, 1),
        (2.5, float, 11, 2),
    ]
    with pytest.raises(InvalidParameterError, match="step 1.5"):
        store.log_batch(run_id, [Metric("m", 1.0, 12, 3), Metric("m", 1.0, 12, 1.5)], [], [])
    with pytest.raises(InvalidParameterError, match="must be numbers"):
        store.log_batch(run_id, [Metric("m", 1.0, 12, 3), Metric("m", "high", 12, 4)], [], [])
    with pytest.raises(InvalidParameterError, match="metric key"):
        store.log_batch(run_id, [Metric("m", 1.0, 12, 3), Metric("", 1.0, 12, 4)], [], [])
    assert len(store.get_metric_history(run_id, "m")) == 2  # refused batches wrote nothing
