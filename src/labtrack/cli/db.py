"""``labtrack db``: create or migrate the store's database."""

from __future__ import annotations

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
