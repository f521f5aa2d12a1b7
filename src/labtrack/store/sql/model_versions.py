"""Model versions in the SQL store: create, read, search, stages and transitions, tags.

Version numbers are taken while the registered model's row is held (``FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serializes writers), so concurrent registrations never
collide, and a deleted version keeps its row in a hidden stage so its number is never given
again. The rest of the registry's rules are in :mod:`labtrack.store.sql.registry`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, delete, func, select, update

from labtrack.entities import PagedList, RunTag
from labtrack.entities.model_registry import (
    ModelVersion,
    ModelVersionStages,
    ModelVersionStatus,
    ModelVersionTransition,
)
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, Page, now_ms
from labtrack.store.sql.registry_rows import (
    DELETED,
    LIVE_VERSIONS,
    build_versions,
    get_model,
    get_version,
    lock_model,
    sync_run_tags,
    touch,
    version_row,
)
from labtrack.utils import registry_validation as check
from labtrack.utils import validation


def _one_version(name: str, number: int) -> ColumnElement[bool]:
    """Rows of ``model_versions`` for this version."""
    versions = tables.model_versions
    return and_(versions.c.name == name, versions.c.version == number)


def _tags_of_version(name: str, number: int) -> ColumnElement[bool]:
    """Rows of ``model_version_tags`` for this version."""
    version_tags = tables.model_version_tags
    return and_(version_tags.c.name == name, version_tags.c.version == number)


def transition_target(stage: str, archive_existing_versions: bool) -> str:
    """The canonical target stage, once archiving the others makes sense for it."""
    target = ModelVersionStages.canonical(stage)
    if archive_existing_versions and target not in (
        ModelVersionStages.STAGING,
        ModelVersionStages.PRODUCTION,
    ):
        raise InvalidParameterError(
            f"archive_existing_versions=True archives the other versions in the target "
            f"stage, so it applies only to Staging and Production, not {target}."
        )
    return target


def apply_transition(
    connection: Connection,
    row: Row[Any],
    target: str,
    archive_existing_versions: bool,
    user_id: str | None,
    now: int,
) -> list[int]:
    """Move the version of ``row`` (its model's row held) to ``target``, each move recorded in
    ``model_version_transitions`` at ``now``; with ``archive_existing_versions`` the others in
    that stage go to Archived. Return the numbers of the versions archived so."""
    versions = tables.model_versions
    name, number = row.name, row.version

    def move(moved: int, from_stage: str) -> None:
        to_stage = target if moved == number else ModelVersionStages.ARCHIVED
        connection.execute(
            update(versions)
            .where(_one_version(name, moved))
            .values(current_stage=to_stage, last_updated_time=now)
        )
        connection.execute(
            tables.model_version_transitions.insert().values(
                name=name,
                version=moved,
                from_stage=from_stage,
                to_stage=to_stage,
                user_id=user_id,
                timestamp=now,
            )
        )

    if row.current_stage != target:
        move(number, row.current_stage)
    archived: list[int] = []
    if archive_existing_versions:
        others = connection.execute(
            select(versions.c.version).where(
                versions.c.name == name,
                versions.c.current_stage == target,
                versions.c.version != number,
            )
        ).scalars()
        for other in list(others):
            move(other, target)
            archived.append(other)
    return archived


class ModelVersionRepository:
    """Model versions, their stages (with recorded transitions) and their tags."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None,
        tags: Sequence[RunTag] | None,
        description: str | None,
        user_id: str | None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """Record a version whose files are already in the store at ``source``."""
        versions = tables.model_versions
        name, text = check.model_name(name), check.description(description)
        if run_id is not None:
            run_id = validation.run_id(run_id)
        tag_rows = [(check.tag_key(tag.key), tag.value) for tag in tags or ()]
        if not isinstance(source, str) or not source:
            raise InvalidParameterError("A model version needs a source location in the store.")

        def work(connection: Connection) -> ModelVersion:
            lock_model(connection, name)
            if run_id is not None:
                runs = tables.runs
                if not connection.execute(
                    select(runs.c.run_uuid).where(runs.c.run_uuid == run_id)
                ).first():
                    raise ResourceNotFoundError(
                        f"No run with id {run_id!r}: a model version's run_id must name a run "
                        "of this store."
                    )
            last = connection.execute(
                select(func.max(versions.c.version)).where(versions.c.name == name)
            ).scalar()
            number = (last or 0) + 1
            now = now_ms()
            connection.execute(
                versions.insert().values(
                    name=name,
                    version=number,
                    creation_time=now,
                    last_updated_time=now,
                    user_id=user_id,
                    current_stage=ModelVersionStages.NONE,
                    description=text,
                    source=source,
                    run_id=run_id,
                    status=ModelVersionStatus.READY,
                    status_message=None,
                    model_id=model_id,
                )
            )
            if tag_rows:
                connection.execute(
                    tables.model_version_tags.insert(),
                    [
                        {
                            "name": name,
                            "version": number,
                            "key": key,
                            "value": check.tag_value(key, value),
                        }
                        for key, value in tag_rows
                    ],
                )
            touch(connection, name)
            sync_run_tags(connection, [run_id])
            return get_version(connection, name, number)

        return self.database.write(work)

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        return self.database.read(lambda connection: get_version(connection, name, number))

    def update_model_version(
        self, name: str, version: int | str, description: str | None
    ) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        text = check.description(description)

        def work(connection: Connection) -> ModelVersion:
            lock_model(connection, name)
            version_row(connection, name, number)
            connection.execute(
                update(tables.model_versions)
                .where(_one_version(name, number))
                .values(description=text, last_updated_time=now_ms())
            )
            touch(connection, name)
            return get_version(connection, name, number)

        return self.database.write(work)

    def delete_model_version(self, name: str, version: int | str) -> None:
        aliases = tables.registered_model_aliases
        name, number = check.model_name(name), check.version_number(version)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            row = version_row(connection, name, number)
            connection.execute(
                delete(aliases).where(aliases.c.name == name, aliases.c.version == number)
            )
            connection.execute(
                delete(tables.model_version_tags).where(_tags_of_version(name, number))
            )
            connection.execute(
                update(tables.model_versions)
                .where(_one_version(name, number))
                .values(current_stage=DELETED, description=None, last_updated_time=now_ms())
            )
            touch(connection, name)
            sync_run_tags(connection, [row.run_id])

        self.database.write(work)

    def search_model_versions(
        self,
        filter_string: str | None,
        max_results: int,
        order_by: Sequence[str] | None,
        page_token: str | None,
        readable: ColumnElement[bool] | None = None,
    ) -> PagedList[ModelVersion]:
        # lazy: loaded on the first search, so a process that only logs never loads the
        # filter language (13-38 ms of a cold start).
        from labtrack.store.sql import registry_search

        page = Page(max_results, page_token)
        query = select(tables.model_versions).where(
            LIVE_VERSIONS, registry_search.version_where(filter_string)
        )
        if readable is not None:  # team mode: versions of the models the caller may read
            query = query.where(readable)
        query = registry_search.order_versions(query, order_by)
        return self.database.read_page(page, query, build_versions)

    def transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool,
        user_id: str | None,
    ) -> ModelVersion:
        name, number = check.model_name(name), check.version_number(version)
        target = transition_target(stage, archive_existing_versions)

        def work(connection: Connection) -> ModelVersion:
            lock_model(connection, name)
            row = version_row(connection, name, number)
            apply_transition(connection, row, target, archive_existing_versions, user_id, now_ms())
            touch(connection, name)
            return get_version(connection, name, number)

        return self.database.write(work)

    def get_latest_versions(self, name: str, stages: Sequence[str] | None) -> list[ModelVersion]:
        """The newest version in each stage asked (all four by default), in that order."""
        name = check.model_name(name)
        if stages:
            wanted = [ModelVersionStages.canonical(stage) for stage in stages]
        else:
            wanted = list(ModelVersionStages.ALL)

        def work(connection: Connection) -> list[ModelVersion]:
            model = get_model(connection, name)
            by_stage = {version.current_stage: version for version in model.latest_versions}
            return [by_stage[stage] for stage in dict.fromkeys(wanted) if stage in by_stage]

        return self.database.read(work)

    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]:
        transitions = tables.model_version_transitions
        name, number = check.model_name(name), check.version_number(version)

        def work(connection: Connection) -> list[ModelVersionTransition]:
            version_row(connection, name, number)
            rows = connection.execute(
                select(transitions)
                .where(transitions.c.name == name, transitions.c.version == number)
                .order_by(transitions.c.timestamp, transitions.c.id)
            )
            return [
                ModelVersionTransition(
                    row.name, row.version, row.from_stage, row.to_stage, row.user_id, row.timestamp
                )
                for row in rows
            ]

        return self.database.read(work)

    def set_model_version_tag(self, name: str, version: int | str, tag: RunTag) -> None:
        version_tags = tables.model_version_tags
        name, number = check.model_name(name), check.version_number(version)
        key = check.tag_key(tag.key)
        value = check.tag_value(key, tag.value)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            version_row(connection, name, number)
            connection.execute(
                delete(version_tags).where(
                    _tags_of_version(name, number), version_tags.c.key == key
                )
            )
            connection.execute(
                version_tags.insert().values(name=name, version=number, key=key, value=value)
            )
            touch(connection, name)

        self.database.write(work)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        version_tags = tables.model_version_tags
        name, number = check.model_name(name), check.version_number(version)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            version_row(connection, name, number)
            gone = connection.execute(
                delete(version_tags).where(
                    _tags_of_version(name, number), version_tags.c.key == key
                )
            ).rowcount
            if not gone:
                raise ResourceNotFoundError(
                    f"Version {number} of {name!r} has no tag {key!r}; its tags are in "
                    f"get_model_version({name!r}, {number}).tags."
                )
            touch(connection, name)

        self.database.write(work)
