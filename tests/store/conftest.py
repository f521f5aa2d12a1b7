"""A fresh store per test, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from labtrack.store.sql.store import SqlTrackingStore


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[SqlTrackingStore]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'labtrack.db'}"
    else:
        uri = request.getfixturevalue("fresh_postgres_url")
    s = SqlTrackingStore(uri, str(tmp_path / "artifacts"))
    yield s
    s.close()
