"""Paging: one helper reads max_results and page tokens for every search of the SQL store."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, insert, select

from labtrack.entities import PagedList, RunTag
from labtrack.errors import InvalidParameterError
from labtrack.store.sql import tables
from labtrack.store.sql.database import Page, decode_page_token, encode_page_token
from labtrack.store.sql.store import SqlTrackingStore


def _token(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def test_a_token_stands_for_the_offset_it_was_made_from() -> None:
    assert decode_page_token(encode_page_token(1234)) == 1234
    assert decode_page_token(None) == decode_page_token("") == 0


@pytest.mark.parametrize(
    "token",
    [
        "garbage!",
        _token({"offset": -1}),
        _token({"offset": "3"}),
        _token({"start": 3}),
        _token([3]),
    ],
)
def test_a_token_no_search_returned_is_refused(token: str) -> None:
    with pytest.raises(InvalidParameterError, match="page_token"):
        Page(10, token)


@pytest.mark.parametrize("max_results", [0, -1, 100_001, "10", 2.0, None])
def test_max_results_outside_1_to_100000_is_refused(max_results: Any) -> None:
    with pytest.raises(InvalidParameterError, match="max_results must be an integer from 1"):
        Page(max_results, None)


def test_max_results_is_read_before_the_token() -> None:
    with pytest.raises(InvalidParameterError, match="max_results"):
        Page(0, "garbage!")


@pytest.fixture
def connection() -> Any:
    engine = create_engine("sqlite://")
    tables.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(tables.experiments),
            [
                {"name": f"e{i}", "artifact_location": "", "lifecycle_stage": "active"}
                for i in range(5)
            ],
        )
        yield conn
    engine.dispose()


def _names(conn: Connection, rows: Any) -> list[str]:
    return [row.name for row in rows]


def _pages(conn: Connection, max_results: int) -> list[PagedList[str]]:
    query = select(tables.experiments).order_by(tables.experiments.c.name)
    pages, token = [], None
    while True:
        page = Page(max_results, token).fetch(conn, query, _names)
        pages.append(page)
        token = page.token
        if token is None:
            return pages


def test_pages_cover_every_row_once_and_the_last_has_no_token(connection: Connection) -> None:
    pages = _pages(connection, 2)
    assert [list(page) for page in pages] == [["e0", "e1"], ["e2", "e3"], ["e4"]]
    assert [page.token is None for page in pages] == [False, False, True]


def test_a_page_that_ends_with_the_rows_has_no_token(connection: Connection) -> None:
    (page,) = _pages(connection, 5)
    assert list(page) == ["e0", "e1", "e2", "e3", "e4"] and page.token is None


def test_a_token_past_the_end_gives_an_empty_last_page(connection: Connection) -> None:
    query = select(tables.experiments)
    page = Page(2, encode_page_token(50)).fetch(connection, query, _names)
    assert list(page) == [] and page.token is None


# -- every search of the store pages the same way ---------------------------------------------
def _fill(store: SqlTrackingStore) -> None:
    for name in ("a", "b", "c"):
        store.create_experiment(name)
        store.create_run("0", "alice", 1000, [RunTag("k", name)], name)
        store.create_registered_model(name)
        store.create_model_version(name, f"{store.artifact_root}/models/{name}")


SEARCHES: dict[str, Callable[..., PagedList[Any]]] = {
    "experiments": lambda store, **page: store.search_experiments(**page),
    "runs": lambda store, **page: store.search_runs(["0"], **page),
    "registered models": lambda store, **page: store.search_registered_models(**page),
    "model versions": lambda store, **page: store.search_model_versions(**page),
}


@pytest.mark.parametrize("search", SEARCHES.values(), ids=list(SEARCHES))
def test_every_search_pages_through_all_it_finds(store: SqlTrackingStore, search: Any) -> None:
    _fill(store)
    everything = list(search(store))
    seen, token = [], None
    while True:
        page = search(store, max_results=1, page_token=token)
        assert len(page) <= 1
        seen += page
        token = page.token
        if token is None:
            break
    assert len(everything) >= 3 and seen == everything


@pytest.mark.parametrize("search", SEARCHES.values(), ids=list(SEARCHES))
def test_every_search_refuses_bad_pages(store: SqlTrackingStore, search: Any) -> None:
    with pytest.raises(InvalidParameterError, match="max_results"):
        search(store, max_results=0)
    with pytest.raises(InvalidParameterError, match="page_token"):
        search(store, page_token="garbage!")
