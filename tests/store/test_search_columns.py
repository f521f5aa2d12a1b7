"""The DataFrame's read by key (``search_run_key_table``, SQLite) gives the frame the row read
(``search_run_table``) and the Run objects give: same rows, order, columns, dtypes, values to
the bit, over a messy store (missing keys, long and unicode names, the separator and commas in
values, a NULL tag, NaN and infinities, deleted runs, ``max_results``)."""

from __future__ import annotations

import math
import random
import struct

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from labtrack.entities import Metric, Param, RunTag
from labtrack.store.sql import search_columns
from labtrack.store.sql.store import SqlTrackingStore
from labtrack.tracking.search_frame import key_table_to_frame, runs_to_frame, table_to_frame

LONG = "k" * 250
ODD_VALUES = ["", "a,b", "x\x1fy", "\x1f", "line\nbreak", "ünïcødé ✓", "v" * 5000, "tab\tend"]
FILTERS = [
    "",
    "metrics.m0 > 0.5 and params.p1 = 'a'",
    "params.p1 = 'a'",
    "metrics.m0 > 0.5 or tags.kind = 'odd'",
    "metrics.special = NaN",
]
ORDERS: list[list[str] | None] = [None, ["metrics.m1 DESC"], ["params.p1", "metrics.m0"]]


def _bits(rng: random.Random) -> float:
    """A double with random bits: any exponent, subnormals, sometimes NaN or an infinity."""
    return float(struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0])


@pytest.fixture
def messy(store: SqlTrackingStore) -> tuple[SqlTrackingStore, str]:
    if store.search_run_key_table(["0"]) is None:
        pytest.skip("the read by key is SQLite's")
    rng = random.Random(11)
    experiment = store.create_experiment("messy")
    for i in range(90):
        tags = [RunTag("kind", "odd")] * (i % 2) + [RunTag("ключ", ODD_VALUES[i % 8])]
        run = store.create_run(experiment, "u", 1000 + i, tags, f"r{i}")
        specials = [math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.7976931348623157e308]
        metrics = [Metric(f"m{k}", rng.random(), 1, 0) for k in range(3 if i % 4 else 2)]
        metrics += [
            Metric("special", specials[i % 6], 1, 0),
            Metric("bits", _bits(rng), 1, 0),
            Metric(LONG, rng.uniform(-1e300, 1e300), 1, 0),
        ]
        params = [Param(f"p{k}", rng.choice("abcd")) for k in range(3) if (i + k) % 5]
        params += [Param("odd", ODD_VALUES[(i * 3) % 8]), Param("ünï key:1/x.y", str(i))]
        store.log_batch(run.info.run_id, metrics=metrics[: 6 if i % 7 else 3], params=params)
    runs = store.search_runs([experiment], "", 1, 100, None)
    store.delete_run(runs[3].info.run_id)
    # A NULL tag value (the API never writes one; an old or foreign store may hold it).
    with sa.create_engine(store.database.write_engine.url).begin() as conn:
        conn.execute(
            sa.text("INSERT INTO tags VALUES (:r, 'null tag', NULL)"), {"r": runs[5].info.run_id}
        )
    return store, experiment


def _frames(
    store: SqlTrackingStore, experiment: str, text: str, order: list[str] | None, limit: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    by_key = store.search_run_key_table([experiment], text, 1, limit, order)
    assert by_key is not None
    rows = store.search_run_table([experiment], text, 1, limit, order)
    runs = store.search_runs([experiment], text, 1, limit, order)
    return key_table_to_frame(by_key), table_to_frame(rows), runs_to_frame(runs)


def _same_bits(left: pd.DataFrame, right: pd.DataFrame) -> None:
    for name in left.columns:
        if name.startswith("metrics."):
            a, b = left[name].to_numpy(), right[name].to_numpy()
            assert (np.isnan(a) == np.isnan(b)).all(), name
            assert (a[~np.isnan(a)].view("u8") == b[~np.isnan(b)].view("u8")).all(), name


@pytest.mark.parametrize("limit", [100, 7])
def test_the_frame_read_by_key_is_the_frame_read_by_rows(
    messy: tuple[SqlTrackingStore, str], limit: int
) -> None:
    store, experiment = messy
    for text in FILTERS:
        for order in ORDERS:
            by_key, by_rows, by_runs = _frames(store, experiment, text, order, limit)
            pd.testing.assert_frame_equal(by_key, by_rows)
            pd.testing.assert_frame_equal(by_key, by_runs)
            _same_bits(by_key, by_rows)
            assert len(by_key) <= limit


def test_messy_values_come_back_as_stored(messy: tuple[SqlTrackingStore, str]) -> None:
    store, experiment = messy
    frame, _, _ = _frames(store, experiment, "", None, 100)
    assert len(frame) == 89  # one run deleted
    assert set(frame["params.odd"]) == set(ODD_VALUES)
    assert set(frame["tags.ключ"]) == set(ODD_VALUES)
    assert frame["tags.null tag"].isna().sum() == 89 and "metrics." + LONG in frame.columns
    specials = frame["metrics.special"]
    assert specials.isna().any() and np.isinf(specials).sum() > 0
    assert str(frame["params.p0"].dtype) == "object" and frame["params.p0"].isna().any()


def test_metric_text_parses_back_to_the_same_double(store: SqlTrackingStore) -> None:
    """``printf('%!.20g')`` is exact for this SQLite: random bit patterns, read both ways."""
    if store.search_run_key_table(["0"]) is None:
        pytest.skip("the read by key is SQLite's")
    rng = random.Random(5)
    experiment = store.create_experiment("bits")
    run = store.create_run(experiment, "u", 1, [], "r").info.run_id
    values = [_bits(rng) for _ in range(20_000)] + [rng.random() * 10 ** rng.randint(-300, 300)]
    values = [v for v in values if not math.isnan(v)]
    metrics = [Metric(f"k{i}", v, 1, 0) for i, v in enumerate(values)]
    for start in range(0, len(metrics), 1000):
        store.log_batch(run, metrics=metrics[start : start + 1000])
    found = store.search_run_key_table([experiment])
    assert found is not None
    got = {key: values_[0] for key, _, values_ in found["metrics"]}
    stored = {
        k: v for _, k, v, _ in store.search_run_table([experiment])["metrics"]
    }  # what the row read gives (the store's own REAL)
    assert len(got) == len(stored) == len(values)
    assert all(struct.pack("<d", got[k]) == struct.pack("<d", stored[k]) for k in stored)


def test_a_value_holding_the_separator_is_read_as_rows(
    messy: tuple[SqlTrackingStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, experiment = messy
    calls: list[object] = []
    read = search_columns._rows_of_key
    monkeypatch.setattr(
        search_columns, "_rows_of_key", lambda *args: calls.append(args[-1]) or read(*args)
    )
    _frames(store, experiment, "", None, 100)
    assert sorted(calls) == ["null tag", "odd", "ключ"]
