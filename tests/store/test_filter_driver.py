"""Filters driven from their narrowest clause's rows (``filter_driver``) find what the
documented semantics say, once per run, on SQLite."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtrack.store.search_filter import And, Node, parse_filter
from labtrack.store.sql import tables
from labtrack.store.sql.filter_driver import DrivenFilter, driven_filter
from tests.store.test_filter_fuzz import RUNS, engine, filters, reference, render  # noqa: F401


def _found(engine: sa.Engine, text: str) -> tuple[DrivenFilter | None, list[str]]:  # noqa: F811
    runs = tables.runs
    with engine.connect() as conn:
        driven = driven_filter(conn, parse_filter(text))
        if driven is None:
            return None, []
        stmt = sa.select(runs.c.run_uuid).select_from(driven.joined).where(driven.condition)
        return driven, sorted(conn.scalars(stmt))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters, filters, st.data())
def test_driven_filters_match_the_reference(
    engine: sa.Engine,  # noqa: F811
    first: Node,
    second: Node,
    data: st.DataObject,
) -> None:
    node = And((first, second))
    driven, found = _found(engine, render(node, data.draw))
    if driven is not None:
        assert found == sorted(run["run_uuid"] for run in RUNS if reference(run, node))


def _driver_table(driven: DrivenFilter | None) -> Any:
    assert driven is not None
    return driven.joined.left.element  # type: ignore[attr-defined]


def test_the_clause_with_fewest_rows_drives(engine: sa.Engine) -> None:  # noqa: F811
    by_metric = [r["run_uuid"] for r in RUNS if reference(r, parse_filter("metrics.acc > -1e9"))]
    assert by_metric  # the metric clause matches the runs with the metric; the param fewer
    text = "metrics.acc > -1e9 and params.model = 'tree'"
    driven, found = _found(engine, text)
    assert _driver_table(driven) is tables.params
    assert found == sorted(r["run_uuid"] for r in RUNS if reference(r, parse_filter(text)))
    driven, _ = _found(engine, "params.model IS NOT NULL and metrics.acc = 123456.0")
    assert _driver_table(driven) is tables.latest_metrics


def test_filters_no_row_can_drive_are_left_to_the_sets(engine: sa.Engine) -> None:  # noqa: F811
    for text in (
        "metrics.acc > 1 or params.model = 'tree'",
        "params.model IS NULL",
        "not params.model = 'tree'",
        "attributes.status = 'FINISHED'",
    ):
        assert _found(engine, text)[0] is None, text
