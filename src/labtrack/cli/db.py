"""``labtrack db``: create, migrate or back up the store's database."""

from __future__ import annotations

import contextlib

import click

from labtrack import config
from labtrack.cli import _common
from labtrack.utils.redact import redact, redact_uri, uri_secrets


@click.group()
def db() -> None:
    """Manage the store's database."""


@db.command("upgrade")
@click.argument("tracking_uri", required=False)
@click.pass_context
@_common.friendly
def db_upgrade(ctx: click.Context, tracking_uri: str | None) -> None:
    """Create the store or migrate it to the current schema (safe to repeat).

    Example: labtrack db upgrade postgresql+psycopg://user@127.0.0.1/labtrack
    """
    from sqlalchemy.exc import OperationalError

    from labtrack.store.sql import schema
    from labtrack.store.sql.engine import make_engines

    location = config.resolve(tracking_uri or ctx.obj.get("tracking_uri"))
    engine, _ = make_engines(location.tracking_uri)
    shown = redact_uri(location.tracking_uri)
    try:
        with engine.connect() as conn:
            before = schema.current_revision(conn)
        schema.ensure_schema(engine, location.artifact_root)
        with engine.connect() as conn:
            after = schema.current_revision(conn)
    except OperationalError as exc:
        detail = redact(str(exc.orig or exc), uri_secrets(location.tracking_uri))
        raise click.ClickException(
            f"Could not reach the store at {shown}: {detail}. Check that the database is "
            "running and the URI is right."
        ) from None
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"{shown} is at the current schema ({after}).")
    else:
        click.echo(f"Upgraded {shown} from {before or 'nothing'} to {after}.")


@db.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False))
@click.argument("tracking_uri", required=False)
@click.pass_context
@_common.friendly
def db_backup(ctx: click.Context, dest: str, tracking_uri: str | None) -> None:
    """Copy a SQLite store's database to DEST, consistently, while it is in use.

    SQLite's backup API copies the database with what its WAL holds (copying labtrack.db
    alone misses the latest writes). Artifacts are files: copy the artifact root as well.
    For PostgreSQL, use pg_dump.

    Example: labtrack db backup ~/backups/labtrack-2026-12-07.db
    """
    import os
    import sqlite3

    from labtrack.store.sql.engine import sqlite_file

    location = config.resolve(tracking_uri or ctx.obj.get("tracking_uri"))
    shown = redact_uri(location.tracking_uri)
    if not location.tracking_uri.startswith("sqlite"):
        raise click.ClickException(
            f"{shown} is not a SQLite store: back up a PostgreSQL store with pg_dump "
            "(pg_dump --format=custom --file=labtrack.dump DATABASE_URL; restore with "
            "pg_restore), and its artifacts with your object store's own tools."
        )
    source = sqlite_file(location.tracking_uri)
    if source is None or not source.is_file():
        raise click.ClickException(f"There is no store database at {shown} to back up.")
    target = os.path.abspath(os.path.expanduser(dest))
    if os.path.lexists(target):
        raise click.ClickException(
            f"{target} already exists; give a new file name (a backup never overwrites)."
        )
    if not os.path.isdir(os.path.dirname(target)):
        raise click.ClickException(f"The folder of {target} does not exist; create it first.")
    partial = f"{target}.partial"
    try:
        _backup(str(source), partial)
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            os.remove(partial)
        raise click.ClickException(f"Could not back up {shown} to {target}: {exc}.") from None
    click.echo(
        f"Backed up {shown} to {target}. Artifacts are not in the database: copy "
        f"{location.artifact_root} too."
    )


def _backup(source: str, target: str) -> None:
    """SQLite's online backup, in steps (other processes keep writing), with a progress bar."""
    import sqlite3

    from tqdm import tqdm

    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        with tqdm(desc="Backing up", unit="page", leave=False, disable=None) as bar:

            def progress(_status: int, remaining: int, total: int) -> None:
                bar.total = total
                bar.n = total - remaining
                bar.refresh()

            src.backup(dst, pages=1024, progress=progress)
    finally:
        dst.close()
        src.close()
