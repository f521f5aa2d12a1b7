"""First pages of a search ordered by a metric, narrowed to a cut (store/sql/search_page.py).

Over many runs, a page ordered by a metric is read from the runs whose value is at least as
good as the cut found in a window of the metric's index. The pages must be the ones the
unnarrowed search gives: same runs, same order (ties, NaN and missing values included), same
page tokens.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from labtrack.entities import Metric
from labtrack.store.sql import run_data, search_page
from labtrack.store.sql.store import SqlTrackingStore
from tests.store.test_search_at_scale import populated  # noqa: F401

ORDERS = [
    ["metrics.tied DESC"],
    ["metrics.tied ASC", "params.p1"],
    ["metrics.m1 DESC"],
    ["metrics.m0"],
    ["metrics.nan_sometimes DESC"],
]
FILTERS = ["", "params.p1 = 'a' or params.p1 = 'b'", "metrics.m0 > 0.2 and tags.kind = 'odd'"]


@pytest.fixture
def tied(populated: tuple[SqlTrackingStore, str]) -> tuple[SqlTrackingStore, str]:  # noqa: F811
    """The populated store plus a metric with few distinct values (ties), NaN and gaps."""
    store, experiment = populated
    for i, run in enumerate(store.search_runs([experiment], "", 3, 1000, None)):
        if i % 7 == 0:
            continue  # no value: sorts last
        value = math.nan if i % 11 == 0 else float(i % 3)
        store.log_batch(run.info.run_id, metrics=[Metric("tied", value, 1, 0)])
    return store, experiment


def _pages(store: SqlTrackingStore, experiment: str, text: str, order: list[str]) -> list[Any]:
    """Every page of 7, with the token that came with it."""
    pages: list[Any] = []
    token = None
    while True:
        found = store.search_runs([experiment], text, 1, 7, order, token)
        pages.append(([run.info.run_id for run in found], found.token is not None))
        token = found.token
        if token is None:
            return pages


def test_narrowed_pages_are_the_unnarrowed_ones(
    tied: tuple[SqlTrackingStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, experiment = tied
    cuts: list[bool] = []
    metric_cut = search_page.metric_cut

    def counted(*args: Any) -> Any:
        found = metric_cut(*args)
        cuts.append(found is not None)
        return found

    monkeypatch.setattr(search_page, "metric_cut", counted)
    for text in FILTERS:
        for order in ORDERS:
            monkeypatch.setattr(run_data, "MANY_RUNS", 10**9)  # no cut
            plain = _pages(store, experiment, text, order)
            monkeypatch.setattr(run_data, "MANY_RUNS", 1)
            for windows in ((1, 2), (8, 64), (1000,)):
                monkeypatch.setattr(search_page, "WINDOWS_PER_MATCH", windows)
                assert _pages(store, experiment, text, order) == plain, (text, order, windows)
    assert True in cuts and False in cuts  # both ways were taken


def test_pages_past_the_limit_are_read_unnarrowed(
    tied: tuple[SqlTrackingStore, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, experiment = tied
    monkeypatch.setattr(run_data, "MANY_RUNS", 1)
    monkeypatch.setattr(search_page, "MAX_NEEDED", 10)
    calls: list[Any] = []
    original = search_page._cut
    monkeypatch.setattr(search_page, "_cut", lambda *a: calls.append(a) or original(*a))
    first = store.search_runs([experiment], "", 1, 7, ["metrics.m1 DESC"])
    assert len(calls) == 1  # 8 runs needed: narrowed
    store.search_runs([experiment], "", 1, 7, ["metrics.m1 DESC"], first.token)
    assert len(calls) == 1  # 15 needed, past MAX_NEEDED: not narrowed
