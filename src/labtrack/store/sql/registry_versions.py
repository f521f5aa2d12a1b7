"""Model versions in the SQL store: create, read, search, stages and transitions, tags.

Mixed into :class:`~labtrack.store.sql.registry.RegistryStoreMixin`. Version numbers are taken
while the registered model's row is held (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` serializes writers), so concurrent registrations never collide, and a
deleted version keeps its row in a hidden stage so its number is never given again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select, update

from labtrack.entities import PagedList, RunTag
from labtrack.entities.model_registry import (
    ModelVersion,
    ModelVersionStages,
    ModelVersionStatus,
    ModelVersionTransition,
)
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.registry_rows import (
    AL,
    DELETED,
    LIVE,
    MV,
    MVT,
    TR,
    build_versions,
    get_model,
    get_version,
    lock_model,
    now_ms,
    sync_run_tags,
    touch,
    version_row,
)
from labtrack.utils import registry_validation as check
from labtrack.utils import validation

Stages = ModelVersionStages


class ModelVersionsMixin:
    """Relies on SqlTrackingStore's ``_write`` / ``_read``."""

    _write: Callable[[Callable[[Connection], Any]], Any]
    _read: Callable[[Callable[[Connection], Any]], Any]

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
            lock_model(conn, name)
            if run_id is not None:
                runs = tables.runs
                if not conn.execute(
                    select(runs.c.run_uuid).where(runs.c.run_uuid == run_id)
                ).first():
                    raise ResourceNotFoundError(
                        f"No run with id {run_id!r}: a model version's run_id must name a run "
                        "of this store."
                    )
            last = conn.execute(select(func.max(MV.c.version)).where(MV.c.name == name)).scalar()
            version = (last or 0) + 1
            now = now_ms()
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
            touch(conn, name)
            sync_run_tags(conn, [run_id])
            return get_version(conn, name, version)

        return self._write(txn)  # type: ignore[no-any-return]

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        return self._read(lambda conn: get_version(conn, name, number))  # type: ignore[no-any-return]

    def update_model_version(
        self, name: str, version: int | str, description: str | None
    ) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        text = check.description(description)

        def txn(conn: Connection) -> ModelVersion:
            lock_model(conn, name)
            version_row(conn, name, number)
            conn.execute(
                update(MV)
                .where(MV.c.name == name, MV.c.version == number)
                .values(description=text, last_updated_time=now_ms())
            )
            touch(conn, name)
            return get_version(conn, name, number)

        return self._write(txn)  # type: ignore[no-any-return]

    def delete_model_version(self, name: str, version: int | str) -> None:
        name, number = check.model_name(name), check.version_number(version)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            row = version_row(conn, name, number)
            where = and_(MV.c.name == name, MV.c.version == number)
            conn.execute(delete(AL).where(AL.c.name == name, AL.c.version == number))
            conn.execute(delete(MVT).where(MVT.c.name == name, MVT.c.version == number))
            conn.execute(
                update(MV)
                .where(where)
                .values(current_stage=DELETED, description=None, last_updated_time=now_ms())
            )
            touch(conn, name)
            sync_run_tags(conn, [row.run_id])

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
        stmt = select(MV).where(LIVE, registry_search.version_where(filter_string))
        stmt = registry_search.order_versions(stmt, order_by).offset(offset).limit(max_results + 1)

        def txn(conn: Connection) -> PagedList[ModelVersion]:
            rows = conn.execute(stmt).all()
            token = encode_page_token(offset + max_results) if len(rows) > max_results else None
            return PagedList(build_versions(conn, rows[:max_results]), token)

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
            lock_model(conn, name)
            row = version_row(conn, name, number)
            now = now_ms()
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
            touch(conn, name)
            return get_version(conn, name, number)

        return self._write(txn)  # type: ignore[no-any-return]

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each stage asked (all four by default), in that order."""
        name = check.model_name(name)
        wanted = [Stages.canonical(s) for s in stages] if stages else list(Stages.ALL)

        def txn(conn: Connection) -> list[ModelVersion]:
            by_stage = {v.current_stage: v for v in get_model(conn, name).latest_versions}
            return [by_stage[s] for s in dict.fromkeys(wanted) if s in by_stage]

        return self._read(txn)  # type: ignore[no-any-return]

    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]:
        name, number = check.model_name(name), check.version_number(version)

        def txn(conn: Connection) -> list[ModelVersionTransition]:
            version_row(conn, name, number)
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
            lock_model(conn, name)
            version_row(conn, name, number)
            where = and_(MVT.c.name == name, MVT.c.version == number, MVT.c.key == key)
            conn.execute(delete(MVT).where(where))
            conn.execute(MVT.insert().values(name=name, version=number, key=key, value=value))
            touch(conn, name)

        self._write(txn)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        name, number = check.model_name(name), check.version_number(version)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            version_row(conn, name, number)
            where = and_(MVT.c.name == name, MVT.c.version == number, MVT.c.key == key)
            if not conn.execute(delete(MVT).where(where)).rowcount:
                raise ResourceNotFoundError(
                    f"Version {number} of {name!r} has no tag {key!r}; its tags are in "
                    f"get_model_version({name!r}, {number}).tags."
                )
            touch(conn, name)

        self._write(txn)
