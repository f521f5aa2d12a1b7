"""The model registry in the SQL store: registered models, their tags and aliases.

Semantics follow MLflow's SQL registry store:

- version numbers are 1, 2, ... per model and never reused: a deleted version keeps its row
  with the internal stage ``Deleted_Internal`` (hidden from every read), so ``models:/m/3``
  can never come to mean another model;
- every write holds the registered model's row (``FOR UPDATE`` on PostgreSQL; SQLite's
  ``BEGIN IMMEDIATE`` already serializes writers), so concurrent registrations number
  versions without gaps or duplicates and concurrent "archive existing" transitions agree;
- every change to a model, its versions, tags or aliases moves ``last_updated_time``
  forward (strictly): :meth:`RegisteredModelRepository.registered_model_marker` is what
  serving processes poll;
- a version made from a run sets the run's ``labtrack.registeredModels`` tag (a JSON list of
  model names) in the same transaction, and deletes and renames keep it current.

Versions and stages are in :mod:`~labtrack.store.sql.model_versions`, the shared row helpers
in :mod:`~labtrack.store.sql.registry_rows`, filters in
:mod:`~labtrack.store.sql.registry_search`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from labtrack.entities import PagedList, RunTag
from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.errors import ResourceAlreadyExistsError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, Page, now_ms
from labtrack.store.sql.registry_rows import (
    build_models,
    get_model,
    get_version,
    lock_model,
    model_exists,
    sync_run_tags,
    touch,
    version_row,
)
from labtrack.utils import registry_validation as check


class RegisteredModelRepository:
    """Registered models, their tags and their aliases."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- registered models -------------------------------------------------------------------
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RunTag] | None,
        description: str | None,
    ) -> RegisteredModel:
        models = tables.registered_models
        name = check.model_name(name)
        description = check.description(description)
        tag_rows = [(check.tag_key(tag.key), tag.value) for tag in tags or ()]

        def work(connection: Connection) -> RegisteredModel:
            if model_exists(connection, name):
                raise ResourceAlreadyExistsError(
                    f"Registered model {name!r} already exists. Register a new version of it "
                    "with create_model_version / register_model, or choose another name."
                )
            now = now_ms()
            connection.execute(
                models.insert().values(
                    name=name, creation_time=now, last_updated_time=now, description=description
                )
            )
            if tag_rows:
                connection.execute(
                    tables.registered_model_tags.insert(),
                    [
                        {"name": name, "key": key, "value": check.tag_value(key, value)}
                        for key, value in tag_rows
                    ],
                )
            return get_model(connection, name)

        try:
            return self.database.write(work)
        except IntegrityError:  # created by another process between our check and insert
            raise ResourceAlreadyExistsError(
                f"Registered model {name!r} already exists; choose another name."
            ) from None

    def get_registered_model(self, name: str) -> RegisteredModel:
        name = check.model_name(name)
        return self.database.read(lambda connection: get_model(connection, name))

    def registered_model_marker(self, name: str) -> int | None:
        """The model's ``last_updated_time`` (moves on every change), ``None`` if it is gone."""
        models = tables.registered_models
        marker: int | None = self.database.read(
            lambda connection: connection.execute(
                select(models.c.last_updated_time).where(models.c.name == name)
            ).scalar()
        )
        return marker

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        models, versions = tables.registered_models, tables.model_versions
        name, new_name = check.model_name(name), check.model_name(new_name)

        def work(connection: Connection) -> RegisteredModel:
            lock_model(connection, name)
            if new_name == name:
                return get_model(connection, name)
            if model_exists(connection, new_name):
                raise ResourceAlreadyExistsError(
                    f"Cannot rename {name!r} to {new_name!r}: a registered model with that name "
                    "exists. Choose another name."
                )
            # ON UPDATE CASCADE carries versions, tags, aliases and transitions along.
            connection.execute(update(models).where(models.c.name == name).values(name=new_name))
            grants = tables.permission_grants  # no foreign key to cascade (team mode)
            connection.execute(
                update(grants)
                .where(grants.c.resource_kind == "registered_model", grants.c.resource_id == name)
                .values(resource_id=new_name)
            )
            touch(connection, new_name)
            run_ids = connection.execute(
                select(versions.c.run_id).where(versions.c.name == new_name)
            ).scalars()
            sync_run_tags(connection, list(run_ids))
            return get_model(connection, new_name)

        return self.database.write(work)

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        models = tables.registered_models
        name, text = check.model_name(name), check.description(description)

        def work(connection: Connection) -> RegisteredModel:
            lock_model(connection, name)
            connection.execute(update(models).where(models.c.name == name).values(description=text))
            touch(connection, name)
            return get_model(connection, name)

        return self.database.write(work)

    def delete_registered_model(self, name: str) -> None:
        models, versions = tables.registered_models, tables.model_versions
        name = check.model_name(name)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            run_ids = list(
                connection.execute(
                    select(versions.c.run_id).where(versions.c.name == name)
                ).scalars()
            )
            # Cascades to the versions, tags, aliases and transitions; grants by hand.
            connection.execute(delete(models).where(models.c.name == name))
            grants = tables.permission_grants
            connection.execute(
                delete(grants).where(
                    grants.c.resource_kind == "registered_model", grants.c.resource_id == name
                )
            )
            sync_run_tags(connection, run_ids)

        self.database.write(work)

    def search_registered_models(
        self,
        filter_string: str | None,
        max_results: int,
        order_by: Sequence[str] | None,
        page_token: str | None,
        readable: ColumnElement[bool] | None = None,
    ) -> PagedList[RegisteredModel]:
        # lazy: loaded on the first search, so a process that only logs never loads the
        # filter language (13-38 ms of a cold start).
        from labtrack.store.sql import registry_search

        page = Page(max_results, page_token)
        query = select(tables.registered_models).where(registry_search.model_where(filter_string))
        if readable is not None:  # team mode: only what the caller may read
            query = query.where(readable)
        query = registry_search.order_models(query, order_by)
        return self.database.read_page(page, query, build_models)

    def set_registered_model_tag(self, name: str, tag: RunTag) -> None:
        model_tags = tables.registered_model_tags
        name, key = check.model_name(name), check.tag_key(tag.key)
        value = check.tag_value(key, tag.value)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            connection.execute(
                delete(model_tags).where(model_tags.c.name == name, model_tags.c.key == key)
            )
            connection.execute(model_tags.insert().values(name=name, key=key, value=value))
            touch(connection, name)

        self.database.write(work)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        model_tags = tables.registered_model_tags
        name = check.model_name(name)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            gone = connection.execute(
                delete(model_tags).where(model_tags.c.name == name, model_tags.c.key == key)
            ).rowcount
            if not gone:
                raise ResourceNotFoundError(
                    f"Registered model {name!r} has no tag {key!r}; its tags are in "
                    f"get_registered_model({name!r}).tags."
                )
            touch(connection, name)

        self.database.write(work)

    # -- aliases -----------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        aliases = tables.registered_model_aliases
        name, alias = check.model_name(name), check.alias_name(alias)
        number = check.version_number(version)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            version_row(connection, name, number)
            connection.execute(
                delete(aliases).where(aliases.c.name == name, aliases.c.alias == alias)
            )
            connection.execute(aliases.insert().values(name=name, alias=alias, version=number))
            touch(connection, name)

        self.database.write(work)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; removing one that is not set does nothing (as in MLflow)."""
        aliases = tables.registered_model_aliases
        name, alias = check.model_name(name), check.alias_name(alias)

        def work(connection: Connection) -> None:
            lock_model(connection, name)
            gone = connection.execute(
                delete(aliases).where(aliases.c.name == name, aliases.c.alias == alias)
            ).rowcount
            if gone:
                touch(connection, name)

        self.database.write(work)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        aliases = tables.registered_model_aliases
        name, alias = check.model_name(name), check.alias_name(alias)

        def work(connection: Connection) -> ModelVersion:
            number = connection.execute(
                select(aliases.c.version).where(aliases.c.name == name, aliases.c.alias == alias)
            ).scalar()
            if number is None:
                get_model(connection, name)
                raise ResourceNotFoundError(
                    f"Registered model {name!r} has no alias {alias!r}. Set it with "
                    f"set_registered_model_alias({name!r}, {alias!r}, <version>)."
                )
            return get_version(connection, name, number)

        return self.database.read(work)
