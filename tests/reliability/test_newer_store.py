"""A store written by a newer labtrack (issue 19, item 9): opening it, or `labtrack db upgrade`,
says the store is newer than this labtrack and to upgrade labtrack, instead of advising
`labtrack db upgrade`, which failed the same way. The store is left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from labtrack.cli import cli
from labtrack.errors import StoreError
from labtrack.store import close_all
from labtrack.tracking.client import TrackingClient

FUTURE = "0099_from_the_future"


def future_store(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    TrackingClient(str(home)).create_experiment("kept")
    close_all()  # the next client opens the store anew, as another process would
    db = home / "labtrack.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (FUTURE,))
    return home


def test_opening_a_newer_store_says_to_upgrade_labtrack(tmp_path: Path) -> None:
    home = future_store(tmp_path)
    with pytest.raises(StoreError) as refused:
        TrackingClient(str(home)).search_experiments()
    message = refused.value.message
    assert "newer labtrack" in message and FUTURE in message and "pip install -U" in message
    assert "migrates an older store" not in message
    with sqlite3.connect(home / "labtrack.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(FUTURE,)]
        names = {row[0] for row in conn.execute("SELECT name FROM experiments")}
    assert names == {"Default", "kept"}


def test_db_upgrade_of_a_newer_store_says_so(tmp_path: Path) -> None:
    home = future_store(tmp_path)
    result = CliRunner().invoke(cli, ["db", "upgrade", str(home)])
    assert result.exit_code == 1, result.output
    assert "newer labtrack" in result.output and "Traceback" not in result.output
