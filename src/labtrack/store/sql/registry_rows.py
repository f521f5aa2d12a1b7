"""Rows of the registry tables turned into entities, and the steps every registry write shares.

Used by :mod:`labtrack.store.sql.registry` (registered models, aliases) and
:mod:`labtrack.store.sql.model_versions` (versions, stages); nothing here opens a
transaction: every function works on the caller's connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, case, delete, func, select, update

from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.errors import ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import now_ms
from labtrack.store.sql.run_data import touch_runs
from labtrack.utils.mlflow_tags import REGISTERED_MODELS

# A deleted version keeps its row (so its number is never reused) in this hidden stage.
DELETED = "Deleted_Internal"
LIVE_VERSIONS = tables.model_versions.c.current_stage != DELETED


def model_missing(name: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"Registered model {name!r} not found. Create it with create_registered_model({name!r}) "
        "or register a model under that name; list models with search_registered_models()."
    )


def version_missing(name: str, version: int) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"Model version {version} of registered model {name!r} not found. List its versions "
        f"with search_model_versions(\"name = '{name}'\")."
    )


def model_exists(connection: Connection, name: str) -> bool:
    models = tables.registered_models
    return (
        connection.execute(select(models.c.name).where(models.c.name == name)).first() is not None
    )


def lock_model(connection: Connection, name: str) -> Row[Any]:
    """The model's row, held until the transaction ends; ResourceNotFoundError if none."""
    models = tables.registered_models
    row = connection.execute(select(models).where(models.c.name == name).with_for_update()).first()
    if row is None:
        raise model_missing(name)
    return row


def touch(connection: Connection, name: str) -> int:
    """Move the model's ``last_updated_time`` strictly forward; return it."""
    models = tables.registered_models
    now = now_ms()
    connection.execute(
        update(models)
        .where(models.c.name == name)
        .values(
            last_updated_time=case(
                (models.c.last_updated_time >= now, models.c.last_updated_time + 1), else_=now
            )
        )
    )
    return now


def version_row(connection: Connection, name: str, version: int) -> Row[Any]:
    """A live version's row; ResourceNotFoundError for the model or the version."""
    versions = tables.model_versions
    row = connection.execute(
        select(versions).where(
            versions.c.name == name, versions.c.version == version, LIVE_VERSIONS
        )
    ).first()
    if row is None:
        if not model_exists(connection, name):
            raise model_missing(name)
        raise version_missing(name, version)
    return row


def _aliases(connection: Connection, names: Sequence[str]) -> Sequence[Row[Any, Any, Any]]:
    """(name, alias, version) of every alias of these models, by alias."""
    aliases = tables.registered_model_aliases
    return connection.execute(
        select(aliases.c.name, aliases.c.alias, aliases.c.version)
        .where(aliases.c.name.in_(names))
        .order_by(aliases.c.alias)
    ).all()


def build_versions(connection: Connection, rows: Sequence[Row[Any]]) -> list[ModelVersion]:
    """Versions (with their tags and aliases) of these rows of ``model_versions``."""
    version_tags = tables.model_version_tags
    keys = {(row.name, row.version) for row in rows}
    names = sorted({row.name for row in rows})
    tags: dict[tuple[str, int], dict[str, str]] = {key: {} for key in keys}
    aliases: dict[tuple[str, int], list[str]] = {key: [] for key in keys}
    if names:
        for name, version, key, value in connection.execute(
            select(
                version_tags.c.name,
                version_tags.c.version,
                version_tags.c.key,
                version_tags.c.value,
            ).where(version_tags.c.name.in_(names))
        ):
            if (name, version) in tags:
                tags[(name, version)][key] = value
        for name, alias, version in _aliases(connection, names):
            if (name, version) in aliases:
                aliases[(name, version)].append(alias)
    return [
        ModelVersion(
            name=row.name,
            version=row.version,
            creation_timestamp=row.creation_time,
            last_updated_timestamp=row.last_updated_time,
            user_id=row.user_id,
            current_stage=row.current_stage,
            description=row.description,
            source=row.source,
            model_id=row.model_id,
            run_id=row.run_id,
            status=row.status,
            status_message=row.status_message,
            tags=tags[(row.name, row.version)],
            aliases=aliases[(row.name, row.version)],
        )
        for row in rows
    ]


def _latest_versions(connection: Connection, names: Sequence[str]) -> list[ModelVersion]:
    """The newest live version in each stage of these models, oldest first."""
    versions = tables.model_versions
    newest = (
        select(versions.c.name, func.max(versions.c.version).label("version"))
        .where(versions.c.name.in_(names), LIVE_VERSIONS)
        .group_by(versions.c.name, versions.c.current_stage)
        .subquery()
    )
    rows = connection.execute(
        select(versions)
        .join(
            newest, and_(versions.c.name == newest.c.name, versions.c.version == newest.c.version)
        )
        .order_by(versions.c.version)
    ).all()
    return build_versions(connection, rows)


def build_models(connection: Connection, rows: Sequence[Row[Any]]) -> list[RegisteredModel]:
    """Registered models (tags, aliases, latest version per stage) of these rows."""
    model_tags = tables.registered_model_tags
    names = [row.name for row in rows]
    tags: dict[str, dict[str, str]] = {name: {} for name in names}
    aliases: dict[str, dict[str, int]] = {name: {} for name in names}
    latest: dict[str, list[ModelVersion]] = {name: [] for name in names}
    if names:
        for name, key, value in connection.execute(
            select(model_tags.c.name, model_tags.c.key, model_tags.c.value).where(
                model_tags.c.name.in_(names)
            )
        ):
            tags[name][key] = value
        for name, alias, version in _aliases(connection, names):
            aliases[name][alias] = version
        for model_version in _latest_versions(connection, names):
            latest[model_version.name].append(model_version)
    return [
        RegisteredModel(
            name=row.name,
            creation_timestamp=row.creation_time,
            last_updated_timestamp=row.last_updated_time,
            description=row.description,
            latest_versions=latest[row.name],
            tags=tags[row.name],
            aliases=aliases[row.name],
        )
        for row in rows
    ]


def get_model(connection: Connection, name: str) -> RegisteredModel:
    models = tables.registered_models
    row = connection.execute(select(models).where(models.c.name == name)).first()
    if row is None:
        raise model_missing(name)
    return build_models(connection, [row])[0]


def get_version(connection: Connection, name: str, version: int) -> ModelVersion:
    return build_versions(connection, [version_row(connection, name, version)])[0]


def sync_run_tags(connection: Connection, run_ids: Iterable[str | None]) -> None:
    """Set each run's ``labtrack.registeredModels`` tag to the models made from it."""
    runs, run_tags, versions = tables.runs, tables.tags, tables.model_versions
    for run_id in sorted({run_id for run_id in run_ids if run_id}):
        if not connection.execute(select(runs.c.run_uuid).where(runs.c.run_uuid == run_id)).first():
            continue
        names = sorted(
            name
            for (name,) in connection.execute(
                select(versions.c.name).distinct().where(versions.c.run_id == run_id, LIVE_VERSIONS)
            )
        )
        connection.execute(
            delete(run_tags).where(
                run_tags.c.run_uuid == run_id, run_tags.c.key == REGISTERED_MODELS
            )
        )
        if names:
            connection.execute(
                run_tags.insert().values(
                    run_uuid=run_id, key=REGISTERED_MODELS, value=json.dumps(names)
                )
            )
        touch_runs(connection, [run_id])
