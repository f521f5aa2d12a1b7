"""The store's password never leaves the process as text (issue 19, item 13): not in REST
error bodies, the server log, ``StoreError`` messages, the metric writer's warnings or
``labtrack db upgrade`` output, and not on a model process's command line."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from labtrack.cli import cli
from labtrack.errors import StoreError
from labtrack.store.sql.database import Database
from labtrack.tracking.client import TrackingClient
from labtrack.tracking.writer import MetricWriter
from labtrack.utils.redact import redact, redact_uri
from tests.server.helpers import api
from tests.services import _connect, free_port

SECRET = "Pw-s3cr3t-9371"


def unreachable(form: str = "userinfo") -> str:
    """A PostgreSQL URL with the password, on a port where nothing listens."""
    port = free_port()
    if form == "query":
        return f"postgresql+psycopg://me@127.0.0.1:{port}/lt?password={SECRET}&connect_timeout=2"
    return f"postgresql+psycopg://me:{SECRET}@127.0.0.1:{port}/lt?connect_timeout=2"


def with_password(url: str) -> str:
    """The test server trusts every login, so any password connects."""
    return url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:{SECRET}@")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://me:pw@db:5432/x", "postgresql://me:***@db:5432/x"),
        ("postgresql://me:p:w/x@db/x and more", "postgresql://me:***@db/x and more"),
        (
            "postgresql://me@db/x?password=pw&sslmode=require",
            "postgresql://me@db/x?password=***&sslmode=require",
        ),
        (
            "postgresql://me@db/x?sslmode=require&PASSWORD=pw",
            "postgresql://me@db/x?sslmode=require&PASSWORD=***",
        ),
        ("host=db user=me password='p w' dbname=x", "host=db user=me password=*** dbname=x"),
        ("s3://bucket/prefix", "s3://bucket/prefix"),
        ("http://127.0.0.1:8080/path", "http://127.0.0.1:8080/path"),
    ],
)
def test_redact_masks_every_form_of_a_password(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_uri_masks_query_passwords() -> None:
    assert SECRET not in redact_uri(unreachable("query"))
    assert redact_uri("/home/me/.labtrack") == "/home/me/.labtrack"


@pytest.mark.parametrize("form", ["userinfo", "query"])
def test_store_errors_do_not_show_the_password(form: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError) as refused:
        Database(unreachable(form), str(tmp_path))
    assert SECRET not in str(refused.value) and SECRET not in refused.value.message
    assert "127.0.0.1" in refused.value.message  # still says which store


@pytest.fixture
def labtrack_config() -> dict[str, object]:
    return {"tracking_uri": unreachable()}


async def test_rest_errors_and_the_server_log_hide_the_password(
    jp_fetch: Any, jp_serverapp: Any, labtrack_home: Path
) -> None:
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    keep = Keep()
    loggers = [jp_serverapp.log, logging.getLogger("tornado.application")]
    for logger in loggers:
        logger.addHandler(keep)
    try:
        code, body = await api(jp_fetch, "GET", "experiments")
        store_code, store = await api(jp_fetch, "GET", "store")
    finally:
        for logger in loggers:
            logger.removeHandler(keep)
    assert code == 503, body
    assert SECRET not in str(body) and "***" in body["message"]
    assert store_code == 200 and SECRET not in str(store)
    assert records and not [r for r in records if SECRET in r]


def test_writer_warnings_hide_the_password(
    postgres_server: Any, fresh_postgres_url: str, tmp_path: Path
) -> None:
    client = TrackingClient(with_password(fresh_postgres_url), str(tmp_path))
    run_id = client.create_run("0").info.run_id
    writer = MetricWriter(client.store)
    # The database disappears under the writer: its next commit fails, and it warns.
    name = make_url(fresh_postgres_url).database
    with _connect(postgres_server.admin_url) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    writer.queue.append((run_id, "loss", 1.0, 0, 0))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            writer.flush(raise_errors=False)
    finally:
        writer.queue.clear()
        writer.close()
    assert caught, "the writer did not warn"
    assert all(SECRET not in str(w.message) for w in caught), caught[0].message


def test_db_upgrade_output_hides_the_password(fresh_postgres_url: str) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["db", "upgrade", with_password(fresh_postgres_url)])
    assert done.exit_code == 0, done.output
    assert SECRET not in done.output and "***" in done.output
    again = runner.invoke(cli, ["db", "upgrade", with_password(fresh_postgres_url)])
    assert again.exit_code == 0 and SECRET not in again.output
    failed = runner.invoke(cli, ["db", "upgrade", unreachable()])
    assert failed.exit_code != 0
    assert SECRET not in failed.output and "127.0.0.1" in failed.output
