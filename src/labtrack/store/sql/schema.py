"""Create a fresh store, or bring an older one up to date with alembic.

A new database gets the current tables in one step (no alembic import: a first
``log_metric`` in a cold process stays fast) and is stamped with ``SCHEMA_VERSION``. An
existing one at that version costs one query. An older one is migrated in place.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, select, text

from labtrack.errors import StoreError
from labtrack.store.sql import tables
from labtrack.utils.redact import redact
from labtrack.utils.version import __version__

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_EXPERIMENT_ID = 0
DEFAULT_EXPERIMENT_NAME = "Default"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _alembic_config(conn: Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _lock(conn: Connection) -> None:
    """Serialize schema work between processes (SQLite's BEGIN IMMEDIATE already does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7261001)"))


def _create_fresh(conn: Connection, artifact_root: str) -> None:
    tables.metadata.create_all(conn)
    conn.execute(
        text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    )
    conn.execute(
        text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
        {"v": tables.SCHEMA_VERSION},
    )
    insert_default_experiment(conn, artifact_root)


def insert_default_experiment(conn: Connection, artifact_root: str) -> None:
    exists = conn.execute(
        select(tables.experiments.c.experiment_id).where(
            tables.experiments.c.experiment_id == DEFAULT_EXPERIMENT_ID
        )
    ).first()
    if exists:
        return
    now = int(time.time() * 1000)
    conn.execute(
        tables.experiments.insert().values(
            experiment_id=DEFAULT_EXPERIMENT_ID,
            name=DEFAULT_EXPERIMENT_NAME,
            artifact_location=f"{artifact_root.rstrip('/')}/{DEFAULT_EXPERIMENT_ID}",
            lifecycle_stage="active",
            creation_time=now,
            last_update_time=now,
        )
    )
    # Where MLflow clients log when no experiment is set: open to everyone for EDIT in team
    # mode (a shared scratch space, owned by nobody; an admin may remove the grant). A schema
    # older than the grants gets it from their migration.
    if not inspect(conn).has_table("permission_grants"):
        return
    conn.execute(
        tables.permission_grants.insert().values(
            resource_kind="experiment",
            resource_id=str(DEFAULT_EXPERIMENT_ID),
            principal_kind="group",
            principal="*",
            permission="EDIT",
        )
    )


def upgrade(conn: Connection, artifact_root: str | None = None) -> None:
    """Run pending alembic migrations on this connection (inside its transaction).

    With ``artifact_root``, also make sure the Default experiment exists.
    """
    from alembic import command

    command.upgrade(_alembic_config(conn), "head")
    if artifact_root is not None:
        insert_default_experiment(conn, artifact_root)


def _known_revision(revision: str) -> bool:
    """Whether this labtrack has the migration ``revision`` (else a newer one wrote it)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        ScriptDirectory.from_config(_alembic_config(None)).get_revision(revision)
    except CommandError:
        return False
    return True


def newer_store_message(revision: str) -> str:
    """What to say about a store whose schema this labtrack does not know."""
    return (
        f"This store was written by a newer labtrack (schema {revision!r}; this labtrack, "
        f"{__version__}, knows schemas up to {tables.SCHEMA_VERSION!r}). Upgrade labtrack "
        "(pip install -U labtrack) to open it; `labtrack db upgrade` cannot take a store back "
        "to an older schema."
    )


def ensure_schema(engine: Engine, artifact_root: str) -> None:
    """Make the database at ``engine`` hold the current schema, creating or migrating it."""
    with engine.connect() as conn:
        if current_revision(conn) == tables.SCHEMA_VERSION:
            return
    try:
        with engine.begin() as conn:
            _lock(conn)
            revision = current_revision(conn)
            if revision == tables.SCHEMA_VERSION:
                return
            if revision is None and not inspect(conn).has_table("runs"):
                _create_fresh(conn, artifact_root)
            else:
                if revision is not None and not _known_revision(revision):
                    raise StoreError(newer_store_message(revision))
                upgrade(conn, artifact_root)
    except StoreError:
        raise
    except Exception as exc:  # surfaced with what to do, never half-written (one transaction)
        raise StoreError(
            f"Could not prepare the store schema ({type(exc).__name__}: {redact(str(exc))}). "
            "Check that the database is reachable and writable; `labtrack db upgrade` "
            "migrates an older store by hand."
        ) from exc
