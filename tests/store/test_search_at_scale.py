"""Searches over many runs: filters as sets, the columnar run table, key lists by index walk.

Past ``run_data.MANY_RUNS`` runs in scope the store changes how it searches (``run_uuid IN
(SELECT ...)`` sets instead of a probe per run; the keys' indexes walked instead of the runs'
rows). Both ways must give the same answers: each test here runs a search both ways and compares.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtrack.entities import Metric, Param, RunTag
from labtrack.store.search_filter import Node, parse_filter
from labtrack.store.sql import run_data, tables
from labtrack.store.sql.filter_sql import where_clause
from labtrack.store.sql.store import SqlTrackingStore
from tests.store.test_filter_fuzz import RUNS, engine, filters, reference, render  # noqa: F401

FILTERS = [
    "",
    "metrics.m0 > 0.5 and params.p1 = 'a'",
    "metrics.m0 > 0.5 or params.p1 = 'a'",
    "not metrics.m1 < 0.3",
    "params.p2 != 'b'",
    "params.p3 IN ('a', 'c') and tags.kind = 'odd'",
    "metrics.nan_sometimes = NaN",
    "metrics.nan_sometimes != NaN",
    "metrics.m4 IS NULL",
    "tags.kind IS NOT NULL and not params.p0 LIKE 'a%'",
    "attributes.run_name LIKE 'r1%' or metrics.m2 >= 0.9",
]
ORDERS: list[list[str] | None] = [
    None,
    ["metrics.m1 DESC"],
    ["params.p1", "metrics.nan_sometimes DESC"],
    ["tags.kind DESC", "attributes.start_time"],
]


@pytest.fixture
def populated(store: SqlTrackingStore) -> tuple[SqlTrackingStore, str]:
    rng = random.Random(7)
    experiment = store.create_experiment("scale")
    other = store.create_experiment("other")
    for i in range(120):
        run = store.create_run(
            experiment if i % 6 else other,
            "u",
            1000 + i,
            [RunTag("kind", "odd")] * (i % 2),
            f"r{i}",
        )
        metrics = [Metric(f"m{k}", rng.random(), 1, 0) for k in range(4 if i % 5 else 5)]
        metrics.append(Metric("nan_sometimes", math.nan if i % 3 == 0 else rng.random(), 1, 0))
        params = [Param(f"p{k}", rng.choice("abcd")) for k in range(4)]
        store.log_batch(run.info.run_id, metrics=metrics, params=params)
    store.delete_run(store.search_runs([experiment], max_results=1)[0].info.run_id)
    return store, experiment


def _both_ways(monkeypatch: pytest.MonkeyPatch, fn: Any) -> tuple[Any, Any]:
    monkeypatch.setattr(run_data, "MANY_RUNS", 10**9)  # probe each run
    probed = fn()
    monkeypatch.setattr(run_data, "MANY_RUNS", 1)  # sets
    return probed, fn()


def test_searching_by_sets_finds_what_probing_finds(
    populated: tuple[SqlTrackingStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, experiment = populated
    for text in FILTERS:
        for order_by in ORDERS:
            for view in (1, 3):

                def ids(view: int = view, text: str = text, order: Any = order_by) -> list[str]:
                    found = store.search_runs([experiment], text, view, 1000, order)
                    return [run.info.run_id for run in found]

                probed, by_sets = _both_ways(monkeypatch, ids)
                assert by_sets == probed, (text, order_by, view)


def test_the_run_table_holds_what_search_runs_gives(
    populated: tuple[SqlTrackingStore, str],
) -> None:
    store, experiment = populated
    for text in FILTERS:
        for order_by in ORDERS:
            _same_runs(store, experiment, text, order_by)


def _same_runs(
    store: SqlTrackingStore, experiment: str, text: str, order_by: list[str] | None
) -> None:
    runs = store.search_runs([experiment], text, 1, 1000, order_by)
    table = store.search_run_table([experiment], text, 1, 1000, order_by)
    assert [row[0] for row in table["runs"]] == [r.info.run_id for r in runs]
    by_id = {r.info.run_id: r for r in runs}
    for run_id, name, experiment_id, user, status, start, end, stage, uri in table["runs"]:
        info = by_id[run_id].info
        assert (name, str(experiment_id), user, status, start, end, stage, uri) == (
            info.run_name, info.experiment_id, info.user_id, info.status, info.start_time,
            info.end_time, info.lifecycle_stage, info.artifact_uri,
        )  # fmt: skip
    assert {(r, k, v) for r, k, v in table["params"]} == {
        (i, k, v) for i, run in by_id.items() for k, v in run.data.params.items()
    }
    assert {(r, k, v) for r, k, v in table["tags"]} == {
        (i, k, v) for i, run in by_id.items() for k, v in run.data.tags.items()
    }
    stored = {(r, k): math.nan if nan else v for r, k, v, nan in table["metrics"]}
    expected = {(i, k): v for i, run in by_id.items() for k, v in run.data.metrics.items()}
    assert stored.keys() == expected.keys()
    for key, value in expected.items():
        assert (math.isnan(value) and math.isnan(stored[key])) or stored[key] == value


def test_many_runs_counts_the_scope_up_to_the_bound(
    populated: tuple[SqlTrackingStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, experiment = populated
    key = int(experiment)
    with store.database.write_engine.connect() as conn:
        for bound, expected in ((99, True), (100, True), (101, False)):  # 100 runs, 1 deleted
            monkeypatch.setattr(run_data, "MANY_RUNS", bound)
            assert run_data.many_runs(conn, [key]) is expected, bound


def test_a_run_table_is_cut_at_max_results(populated: tuple[SqlTrackingStore, str]) -> None:
    store, experiment = populated
    table = store.search_run_table([experiment], "", 1, 7, ["metrics.m1 DESC"])
    assert len(table["runs"]) == 7
    assert {row[0] for row in table["params"]} <= {row[0] for row in table["runs"]}


def test_key_lists_by_index_walk_match_the_scope_rows(
    populated: tuple[SqlTrackingStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, experiment = populated
    store.log_batch(
        store.create_run(store.create_experiment("elsewhere"), "u", 1, [], None).info.run_id,
        params=[Param("only_elsewhere", "x")],
    )
    probed, walked = _both_ways(monkeypatch, lambda: store.list_keys([experiment]))
    assert walked == probed
    assert "only_elsewhere" not in walked["params"]
    assert walked["metrics"] == ["m0", "m1", "m2", "m3", "m4", "nan_sometimes"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters, st.data())
def test_generated_filters_as_sets_match_the_reference(
    engine: sa.Engine,  # noqa: F811
    node: Node,
    data: st.DataObject,
) -> None:
    parsed = parse_filter(render(node, data.draw))  # type: ignore[arg-type]
    stmt = sa.select(tables.runs.c.run_uuid).where(where_clause(parsed, membership=True))
    with engine.connect() as conn:
        found = set(conn.scalars(stmt))
    assert found == {run["run_uuid"] for run in RUNS if reference(run, node)}
