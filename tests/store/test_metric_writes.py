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
from labtrack.store.sql.driver import Cursor, chunk_rows
from labtrack.store.sql.store import SqlTrackingStore

# Sizes around the padding's powers of two and across a statement's chunk of rows.
SIZES = [1, 15, 16, 17, 100, 1_000, chunk_rows(5) - 1, chunk_rows(5) + 1, 2 * chunk_rows(5) + 3]


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
