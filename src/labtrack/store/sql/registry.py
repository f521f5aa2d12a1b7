"""The model registry in the SQL store: registered models, versions, stages, aliases, tags.

Semantics follow MLflow's SQL registry store:

- version numbers are 1, 2, ... per model and never reused: a deleted version keeps its row
  with the internal stage ``Deleted_Internal`` (hidden from every read), so ``models:/m/3``
  can never come to mean another model;
- every write holds the registered model's row (``FOR UPDATE`` on PostgreSQL; SQLite's
  ``BEGIN IMMEDIATE`` already serializes writers), so concurrent registrations number
  versions without gaps or duplicates and concurrent "archive existing" transitions agree;
- every change to a model, its versions, tags or aliases moves ``last_updated_time``
  forward (strictly): :meth:`registered_model_marker` is what serving processes poll;
- a version made from a run sets the run's ``labtrack.registeredModels`` tag (a JSON list of
  model names) in the same transaction, and deletes and renames keep it current.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from labtrack import registry_validation as check
from labtrack import validation
from labtrack.context import REGISTERED_MODELS
from labtrack.entities import PagedList, RunTag
from labtrack.errors import InvalidParameterError, ResourceAlreadyExistsError, ResourceNotFoundError
from labtrack.registry_entities import (
    ModelVersion,
    ModelVersionStages,
    ModelVersionStatus,
    ModelVersionTransition,
    RegisteredModel,
)
from labtrack.store.sql import models

RM, MV = models.registered_models, models.model_versions
RMT, MVT = models.registered_model_tags, models.model_version_tags
AL, TR = models.registered_model_aliases, models.model_version_transitions
DELETED = "Deleted_Internal"
_LIVE = MV.c.current_stage != DELETED
Stages = ModelVersionStages


def _now() -> int:
    return int(time.time() * 1000)


def _model_missing(name: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"Registered model {name!r} not found. Create it with create_registered_model({name!r}) "
        "or register a model under that name; list models with search_registered_models()."
    )


def _version_missing(name: str, version: int) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"Model version {version} of registered model {name!r} not found. List its versions "
        f"with search_model_versions(\"name = '{name}'\")."
    )


class RegistryStoreMixin:
    """Mixed into SqlTrackingStore; relies on its ``_write`` / ``_read``."""

    _write: Callable[[Callable[[Connection], Any]], Any]
    _read: Callable[[Callable[[Connection], Any]], Any]

    # -- rows -> entities --------------------------------------------------------------------
    @staticmethod
    def _lock_model(conn: Connection, name: str) -> Row[Any]:
        row = conn.execute(select(RM).where(RM.c.name == name).with_for_update()).first()
        if row is None:
            raise _model_missing(name)
        return row

    @staticmethod
    def _touch(conn: Connection, name: str) -> int:
        """Move the model's ``last_updated_time`` strictly forward; return it."""
        now = _now()
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

    @staticmethod
    def _version_row(conn: Connection, name: str, version: int) -> Row[Any]:
        row = conn.execute(
            select(MV).where(MV.c.name == name, MV.c.version == version, _LIVE)
        ).first()
        if row is None:
            if conn.execute(select(RM.c.name).where(RM.c.name == name)).first() is None:
                raise _model_missing(name)
            raise _version_missing(name, version)
        return row

    @staticmethod
    def _versions(conn: Connection, rows: Sequence[Row[Any]]) -> list[ModelVersion]:
        keys = {(r.name, r.version) for r in rows}
        names = sorted({r.name for r in rows})
        tags: dict[tuple[str, int], dict[str, str]] = {k: {} for k in keys}
        aliases: dict[tuple[str, int], list[str]] = {k: [] for k in keys}
        if names:
            for n, v, key, value in conn.execute(
                select(MVT.c.name, MVT.c.version, MVT.c.key, MVT.c.value).where(
                    MVT.c.name.in_(names)
                )
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

    def _models(self, conn: Connection, rows: Sequence[Row[Any]]) -> list[RegisteredModel]:
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
                .where(MV.c.name.in_(names), _LIVE)
                .group_by(MV.c.name, MV.c.current_stage)
                .subquery()
            )
            version_rows = conn.execute(
                select(MV)
                .join(newest, and_(MV.c.name == newest.c.name, MV.c.version == newest.c.version))
                .order_by(MV.c.version)
            ).all()
            for v in self._versions(conn, version_rows):
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

    def _model(self, conn: Connection, name: str) -> RegisteredModel:
        row = conn.execute(select(RM).where(RM.c.name == name)).first()
        if row is None:
            raise _model_missing(name)
        return self._models(conn, [row])[0]

    def _version(self, conn: Connection, name: str, version: int) -> ModelVersion:
        return self._versions(conn, [self._version_row(conn, name, version)])[0]

    @staticmethod
    def _sync_run_tags(conn: Connection, run_ids: Iterable[str | None]) -> None:
        """Set each run's ``labtrack.registeredModels`` tag to the models made from it."""
        runs, tag = models.runs, models.tags
        for run_id in sorted({r for r in run_ids if r}):
            if not conn.execute(select(runs.c.run_uuid).where(runs.c.run_uuid == run_id)).first():
                continue
            names = sorted(
                n
                for (n,) in conn.execute(
                    select(MV.c.name).distinct().where(MV.c.run_id == run_id, _LIVE)
                )
            )
            conn.execute(
                delete(tag).where(tag.c.run_uuid == run_id, tag.c.key == REGISTERED_MODELS)
            )
            if names:
                conn.execute(
                    tag.insert().values(
                        run_uuid=run_id, key=REGISTERED_MODELS, value=json.dumps(names)
                    )
                )
            conn.execute(
                update(runs).where(runs.c.run_uuid == run_id).values(last_update_time=_now())
            )

    # -- registered models -------------------------------------------------------------------
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        name = check.model_name(name)
        description = check.description(description)
        tag_rows = [(check.tag_key(t.key), t.value) for t in tags or ()]

        def txn(conn: Connection) -> RegisteredModel:
            if conn.execute(select(RM.c.name).where(RM.c.name == name)).first() is not None:
                raise ResourceAlreadyExistsError(
                    f"Registered model {name!r} already exists. Register a new version of it "
                    "with create_model_version / register_model, or choose another name."
                )
            now = _now()
            conn.execute(
                RM.insert().values(
                    name=name, creation_time=now, last_updated_time=now, description=description
                )
            )
            if tag_rows:
                conn.execute(
                    RMT.insert(),
                    [{"name": name, "key": k, "value": check.tag_value(k, v)} for k, v in tag_rows],
                )
            return self._model(conn, name)

        try:
            return self._write(txn)  # type: ignore[no-any-return]
        except IntegrityError:  # created by another process between our check and insert
            raise ResourceAlreadyExistsError(
                f"Registered model {name!r} already exists; choose another name."
            ) from None

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self._read(lambda conn: self._model(conn, check.model_name(name)))  # type: ignore[no-any-return]

    def registered_model_marker(self, name: str) -> int | None:
        """The model's ``last_updated_time`` (moves on every change), ``None`` if it is gone."""
        return self._read(  # type: ignore[no-any-return]
            lambda conn: conn.execute(
                select(RM.c.last_updated_time).where(RM.c.name == name)
            ).scalar()
        )

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        name, new_name = check.model_name(name), check.model_name(new_name)

        def txn(conn: Connection) -> RegisteredModel:
            self._lock_model(conn, name)
            if new_name == name:
                return self._model(conn, name)
            if conn.execute(select(RM.c.name).where(RM.c.name == new_name)).first():
                raise ResourceAlreadyExistsError(
                    f"Cannot rename {name!r} to {new_name!r}: a registered model with that name "
                    "exists. Choose another name."
                )
            # ON UPDATE CASCADE carries versions, tags, aliases and transitions along.
            conn.execute(update(RM).where(RM.c.name == name).values(name=new_name))
            self._touch(conn, new_name)
            run_ids = conn.execute(select(MV.c.run_id).where(MV.c.name == new_name)).scalars()
            self._sync_run_tags(conn, list(run_ids))
            return self._model(conn, new_name)

        return self._write(txn)  # type: ignore[no-any-return]

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        name, text = check.model_name(name), check.description(description)

        def txn(conn: Connection) -> RegisteredModel:
            self._lock_model(conn, name)
            conn.execute(update(RM).where(RM.c.name == name).values(description=text))
            self._touch(conn, name)
            return self._model(conn, name)

        return self._write(txn)  # type: ignore[no-any-return]

    def delete_registered_model(self, name: str) -> None:
        name = check.model_name(name)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            run_ids = list(conn.execute(select(MV.c.run_id).where(MV.c.name == name)).scalars())
            conn.execute(delete(RM).where(RM.c.name == name))  # cascades to everything below
            self._sync_run_tags(conn, run_ids)

        self._write(txn)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        from labtrack.store.sql import registry_search
        from labtrack.store.sql.store import check_max_results, decode_page_token, encode_page_token

        check_max_results(max_results)
        offset = decode_page_token(page_token)
        stmt = select(RM).where(registry_search.model_where(filter_string))
        stmt = registry_search.order_models(stmt, order_by).offset(offset).limit(max_results + 1)

        def txn(conn: Connection) -> PagedList[RegisteredModel]:
            rows = conn.execute(stmt).all()
            token = encode_page_token(offset + max_results) if len(rows) > max_results else None
            return PagedList(self._models(conn, rows[:max_results]), token)

        return self._read(txn)  # type: ignore[no-any-return]

    def set_registered_model_tag(self, name: str, tag: RunTag) -> None:
        name, key = check.model_name(name), check.tag_key(tag.key)
        value = check.tag_value(key, tag.value)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            conn.execute(delete(RMT).where(RMT.c.name == name, RMT.c.key == key))
            conn.execute(RMT.insert().values(name=name, key=key, value=value))
            self._touch(conn, name)

        self._write(txn)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        name = check.model_name(name)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            gone = conn.execute(delete(RMT).where(RMT.c.name == name, RMT.c.key == key)).rowcount
            if not gone:
                raise ResourceNotFoundError(
                    f"Registered model {name!r} has no tag {key!r}; its tags are in "
                    f"get_registered_model({name!r}).tags."
                )
            self._touch(conn, name)

        self._write(txn)

    # -- model versions ----------------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
        user_id: str | None = None,
    ) -> ModelVersion:
        """Record a version whose files are already in the store at ``source``."""
        name, text = check.model_name(name), check.description(description)
        if run_id is not None:
            run_id = validation.run_id(run_id)
        tag_rows = [(check.tag_key(t.key), t.value) for t in tags or ()]
        if not isinstance(source, str) or not source:
            raise InvalidParameterError("A model version needs a source location in the store.")

        def txn(conn: Connection) -> ModelVersion:
            self._lock_model(conn, name)
            if run_id is not None:
                runs = models.runs
                if not conn.execute(
                    select(runs.c.run_uuid).where(runs.c.run_uuid == run_id)
                ).first():
                    raise ResourceNotFoundError(
                        f"No run with id {run_id!r}: a model version's run_id must name a run "
                        "of this store."
                    )
            last = conn.execute(select(func.max(MV.c.version)).where(MV.c.name == name)).scalar()
            version = (last or 0) + 1
            now = _now()
            conn.execute(
                MV.insert().values(
                    name=name,
                    version=version,
                    creation_time=now,
                    last_updated_time=now,
                    user_id=user_id,
                    current_stage=Stages.NONE,
                    description=text,
                    source=source,
                    run_id=run_id,
                    status=ModelVersionStatus.READY,
                    status_message=None,
                )
            )
            if tag_rows:
                conn.execute(
                    MVT.insert(),
                    [
                        {"name": name, "version": version, "key": k, "value": check.tag_value(k, v)}
                        for k, v in tag_rows
                    ],
                )
            self._touch(conn, name)
            self._sync_run_tags(conn, [run_id])
            return self._version(conn, name, version)

        return self._write(txn)  # type: ignore[no-any-return]

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        return self._read(lambda conn: self._version(conn, name, number))  # type: ignore[no-any-return]

    def update_model_version(
        self, name: str, version: int | str, description: str | None
    ) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        text = check.description(description)

        def txn(conn: Connection) -> ModelVersion:
            self._lock_model(conn, name)
            self._version_row(conn, name, number)
            conn.execute(
                update(MV)
                .where(MV.c.name == name, MV.c.version == number)
                .values(description=text, last_updated_time=_now())
            )
            self._touch(conn, name)
            return self._version(conn, name, number)

        return self._write(txn)  # type: ignore[no-any-return]

    def delete_model_version(self, name: str, version: int | str) -> None:
        name, number = check.model_name(name), check.version_number(version)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            row = self._version_row(conn, name, number)
            where = and_(MV.c.name == name, MV.c.version == number)
            conn.execute(delete(AL).where(AL.c.name == name, AL.c.version == number))
            conn.execute(delete(MVT).where(MVT.c.name == name, MVT.c.version == number))
            conn.execute(
                update(MV)
                .where(where)
                .values(current_stage=DELETED, description=None, last_updated_time=_now())
            )
            self._touch(conn, name)
            self._sync_run_tags(conn, [row.run_id])

        self._write(txn)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10_000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        from labtrack.store.sql import registry_search
        from labtrack.store.sql.store import check_max_results, decode_page_token, encode_page_token

        check_max_results(max_results)
        offset = decode_page_token(page_token)
        stmt = select(MV).where(_LIVE, registry_search.version_where(filter_string))
        stmt = registry_search.order_versions(stmt, order_by).offset(offset).limit(max_results + 1)

        def txn(conn: Connection) -> PagedList[ModelVersion]:
            rows = conn.execute(stmt).all()
            token = encode_page_token(offset + max_results) if len(rows) > max_results else None
            return PagedList(self._versions(conn, rows[:max_results]), token)

        return self._read(txn)  # type: ignore[no-any-return]

    def transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        user_id: str | None = None,
    ) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        target = Stages.canonical(stage)
        if archive_existing_versions and target not in (Stages.STAGING, Stages.PRODUCTION):
            raise InvalidParameterError(
                f"archive_existing_versions=True archives the other versions in the target "
                f"stage, so it applies only to Staging and Production, not {target}."
            )

        def move(conn: Connection, v: int, src: str, now: int) -> None:
            conn.execute(
                update(MV)
                .where(MV.c.name == name, MV.c.version == v)
                .values(
                    current_stage=target if v == number else Stages.ARCHIVED, last_updated_time=now
                )
            )
            conn.execute(
                TR.insert().values(
                    name=name,
                    version=v,
                    from_stage=src,
                    to_stage=target if v == number else Stages.ARCHIVED,
                    user_id=user_id,
                    timestamp=now,
                )
            )

        def txn(conn: Connection) -> ModelVersion:
            self._lock_model(conn, name)
            row = self._version_row(conn, name, number)
            now = _now()
            if row.current_stage != target:
                move(conn, number, row.current_stage, now)
            if archive_existing_versions:
                others = conn.execute(
                    select(MV.c.version).where(
                        MV.c.name == name, MV.c.current_stage == target, MV.c.version != number
                    )
                ).scalars()
                for other in list(others):
                    move(conn, other, target, now)
            self._touch(conn, name)
            return self._version(conn, name, number)

        return self._write(txn)  # type: ignore[no-any-return]

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each stage asked (all four by default), in that order."""
        name = check.model_name(name)
        wanted = [Stages.canonical(s) for s in stages] if stages else list(Stages.ALL)

        def txn(conn: Connection) -> list[ModelVersion]:
            by_stage = {v.current_stage: v for v in self._model(conn, name).latest_versions}
            return [by_stage[s] for s in dict.fromkeys(wanted) if s in by_stage]

        return self._read(txn)  # type: ignore[no-any-return]

    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]:
        name, number = check.model_name(name), check.version_number(version)

        def txn(conn: Connection) -> list[ModelVersionTransition]:
            self._version_row(conn, name, number)
            rows = conn.execute(
                select(TR)
                .where(TR.c.name == name, TR.c.version == number)
                .order_by(TR.c.timestamp, TR.c.id)
            )
            return [
                ModelVersionTransition(
                    r.name, r.version, r.from_stage, r.to_stage, r.user_id, r.timestamp
                )
                for r in rows
            ]

        return self._read(txn)  # type: ignore[no-any-return]

    def set_model_version_tag(self, name: str, version: int | str, tag: RunTag) -> None:
        name, number = check.model_name(name), check.version_number(version)
        key = check.tag_key(tag.key)
        value = check.tag_value(key, tag.value)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            self._version_row(conn, name, number)
            where = and_(MVT.c.name == name, MVT.c.version == number, MVT.c.key == key)
            conn.execute(delete(MVT).where(where))
            conn.execute(MVT.insert().values(name=name, version=number, key=key, value=value))
            self._touch(conn, name)

        self._write(txn)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        name, number = check.model_name(name), check.version_number(version)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            self._version_row(conn, name, number)
            where = and_(MVT.c.name == name, MVT.c.version == number, MVT.c.key == key)
            if not conn.execute(delete(MVT).where(where)).rowcount:
                raise ResourceNotFoundError(
                    f"Version {number} of {name!r} has no tag {key!r}; its tags are in "
                    f"get_model_version({name!r}, {number}).tags."
                )
            self._touch(conn, name)

        self._write(txn)

    # -- aliases -----------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        name, alias = check.model_name(name), check.alias_name(alias)
        number = check.version_number(version)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            self._version_row(conn, name, number)
            conn.execute(delete(AL).where(AL.c.name == name, AL.c.alias == alias))
            conn.execute(AL.insert().values(name=name, alias=alias, version=number))
            self._touch(conn, name)

        self._write(txn)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; removing one that is not set does nothing (as in MLflow)."""
        name, alias = check.model_name(name), check.alias_name(alias)

        def txn(conn: Connection) -> None:
            self._lock_model(conn, name)
            if conn.execute(delete(AL).where(AL.c.name == name, AL.c.alias == alias)).rowcount:
                self._touch(conn, name)

        self._write(txn)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        name, alias = check.model_name(name), check.alias_name(alias)

        def txn(conn: Connection) -> ModelVersion:
            number = conn.execute(
                select(AL.c.version).where(AL.c.name == name, AL.c.alias == alias)
            ).scalar()
            if number is None:
                self._model(conn, name)
                raise ResourceNotFoundError(
                    f"Registered model {name!r} has no alias {alias!r}. Set it with "
                    f"set_registered_model_alias({name!r}, {alias!r}, <version>)."
                )
            return self._version(conn, name, number)

        return self._read(txn)  # type: ignore[no-any-return]
