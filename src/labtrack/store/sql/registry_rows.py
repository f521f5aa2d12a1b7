"""Rows of the registry tables turned into entities, and the steps every registry write shares.

Used by :mod:`labtrack.store.sql.registry` (registered models, aliases) and
:mod:`labtrack.store.sql.registry_versions` (versions, stages); nothing here opens a
transaction: every function works on the caller's connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, case, delete, func, select, update

from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.errors import ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.utils.mlflow_tags import REGISTERED_MODELS

RM, MV = tables.registered_models, tables.model_versions
RMT, MVT = tables.registered_model_tags, tables.model_version_tags
AL, TR = tables.registered_model_aliases, tables.model_version_transitions
# A deleted version keeps its row (so its number is never reused) in this hidden stage.
DELETED = "Deleted_Internal"
LIVE = MV.c.current_stage != DELETED


def now_ms() -> int:
    return int(time.time() * 1000)


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


def lock_model(conn: Connection, name: str) -> Row[Any]:
    row = conn.execute(select(RM).where(RM.c.name == name).with_for_update()).first()
    if row is None:
        raise model_missing(name)
    return row


def touch(conn: Connection, name: str) -> int:
    """Move the model's ``last_updated_time`` strictly forward; return it."""
    now = now_ms()
    conn.execute(
        update(RM)
        .where(RM.c.name == name)
        .values(
            last_updated_time=case(
                (RM.c.last_updated_time >= now, RM.c.last_updated_time + 1), else_=now
            )
        )
    )
    return now


def version_row(conn: Connection, name: str, version: int) -> Row[Any]:
    row = conn.execute(select(MV).where(MV.c.name == name, MV.c.version == version, LIVE)).first()
    if row is None:
        if conn.execute(select(RM.c.name).where(RM.c.name == name)).first() is None:
            raise model_missing(name)
        raise version_missing(name, version)
    return row


def build_versions(conn: Connection, rows: Sequence[Row[Any]]) -> list[ModelVersion]:
    keys = {(r.name, r.version) for r in rows}
    names = sorted({r.name for r in rows})
    tags: dict[tuple[str, int], dict[str, str]] = {k: {} for k in keys}
    aliases: dict[tuple[str, int], list[str]] = {k: [] for k in keys}
    if names:
        for n, v, key, value in conn.execute(
            select(MVT.c.name, MVT.c.version, MVT.c.key, MVT.c.value).where(MVT.c.name.in_(names))
        ):
            if (n, v) in tags:
                tags[(n, v)][key] = value
        for n, alias, v in conn.execute(
            select(AL.c.name, AL.c.alias, AL.c.version)
            .where(AL.c.name.in_(names))
            .order_by(AL.c.alias)
        ):
            if (n, v) in aliases:
                aliases[(n, v)].append(alias)
    return [
        ModelVersion(
            name=r.name,
            version=r.version,
            creation_timestamp=r.creation_time,
            last_updated_timestamp=r.last_updated_time,
            user_id=r.user_id,
            current_stage=r.current_stage,
            description=r.description,
            source=r.source,
            run_id=r.run_id,
            status=r.status,
            status_message=r.status_message,
            tags=tags[(r.name, r.version)],
            aliases=aliases[(r.name, r.version)],
        )
        for r in rows
    ]


def build_models(conn: Connection, rows: Sequence[Row[Any]]) -> list[RegisteredModel]:
    names = [r.name for r in rows]
    tags: dict[str, dict[str, str]] = {n: {} for n in names}
    aliases: dict[str, dict[str, int]] = {n: {} for n in names}
    latest: dict[str, list[ModelVersion]] = {n: [] for n in names}
    if names:
        for n, key, value in conn.execute(
            select(RMT.c.name, RMT.c.key, RMT.c.value).where(RMT.c.name.in_(names))
        ):
            tags[n][key] = value
        for n, alias, v in conn.execute(
            select(AL.c.name, AL.c.alias, AL.c.version)
            .where(AL.c.name.in_(names))
            .order_by(AL.c.alias)
        ):
            aliases[n][alias] = v
        newest = (
            select(MV.c.name, func.max(MV.c.version).label("version"))
            .where(MV.c.name.in_(names), LIVE)
            .group_by(MV.c.name, MV.c.current_stage)
            .subquery()
        )
        version_rows = conn.execute(
            select(MV)
            .join(newest, and_(MV.c.name == newest.c.name, MV.c.version == newest.c.version))
            .order_by(MV.c.version)
        ).all()
        for v in build_versions(conn, version_rows):
            latest[v.name].append(v)
    return [
        RegisteredModel(
            name=r.name,
            creation_timestamp=r.creation_time,
            last_updated_timestamp=r.last_updated_time,
            description=r.description,
            latest_versions=latest[r.name],
            tags=tags[r.name],
            aliases=aliases[r.name],
        )
        for r in rows
    ]


def get_model(conn: Connection, name: str) -> RegisteredModel:
    row = conn.execute(select(RM).where(RM.c.name == name)).first()
    if row is None:
        raise model_missing(name)
    return build_models(conn, [row])[0]


def get_version(conn: Connection, name: str, version: int) -> ModelVersion:
    return build_versions(conn, [version_row(conn, name, version)])[0]


def sync_run_tags(conn: Connection, run_ids: Iterable[str | None]) -> None:
    """Set each run's ``labtrack.registeredModels`` tag to the models made from it."""
    runs, tag = tables.runs, tables.tags
    for run_id in sorted({r for r in run_ids if r}):
        if not conn.execute(select(runs.c.run_uuid).where(runs.c.run_uuid == run_id)).first():
            continue
        names = sorted(
            n
            for (n,) in conn.execute(
                select(MV.c.name).distinct().where(MV.c.run_id == run_id, LIVE)
            )
        )
        conn.execute(delete(tag).where(tag.c.run_uuid == run_id, tag.c.key == REGISTERED_MODELS))
        if names:
            conn.execute(
                tag.insert().values(run_uuid=run_id, key=REGISTERED_MODELS, value=json.dumps(names))
            )
        conn.execute(
            update(runs).where(runs.c.run_uuid == run_id).values(last_update_time=now_ms())
        )
