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

This module holds registered models and aliases; versions and stages are in
:mod:`~labtrack.store.sql.registry_versions`, the shared row helpers in
:mod:`~labtrack.store.sql.registry_rows`, filters in :mod:`~labtrack.store.sql.registry_search`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from labtrack.entities import PagedList, RunTag
from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.errors import ResourceAlreadyExistsError, ResourceNotFoundError
from labtrack.store.sql.registry_rows import (
    AL,
    MV,
    RM,
    RMT,
    build_models,
    get_model,
    get_version,
    lock_model,
    now_ms,
    sync_run_tags,
    touch,
    version_row,
)
from labtrack.store.sql.registry_versions import ModelVersionsMixin
from labtrack.utils import registry_validation as check


class RegistryStoreMixin(ModelVersionsMixin):
    """Mixed into SqlTrackingStore; relies on its ``_write`` / ``_read``."""

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
            now = now_ms()
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
            return get_model(conn, name)

        try:
            return self._write(txn)  # type: ignore[no-any-return]
        except IntegrityError:  # created by another process between our check and insert
            raise ResourceAlreadyExistsError(
                f"Registered model {name!r} already exists; choose another name."
            ) from None

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self._read(lambda conn: get_model(conn, check.model_name(name)))  # type: ignore[no-any-return]

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
            lock_model(conn, name)
            if new_name == name:
                return get_model(conn, name)
            if conn.execute(select(RM.c.name).where(RM.c.name == new_name)).first():
                raise ResourceAlreadyExistsError(
                    f"Cannot rename {name!r} to {new_name!r}: a registered model with that name "
                    "exists. Choose another name."
                )
            # ON UPDATE CASCADE carries versions, tags, aliases and transitions along.
            conn.execute(update(RM).where(RM.c.name == name).values(name=new_name))
            touch(conn, new_name)
            run_ids = conn.execute(select(MV.c.run_id).where(MV.c.name == new_name)).scalars()
            sync_run_tags(conn, list(run_ids))
            return get_model(conn, new_name)

        return self._write(txn)  # type: ignore[no-any-return]

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        name, text = check.model_name(name), check.description(description)

        def txn(conn: Connection) -> RegisteredModel:
            lock_model(conn, name)
            conn.execute(update(RM).where(RM.c.name == name).values(description=text))
            touch(conn, name)
            return get_model(conn, name)

        return self._write(txn)  # type: ignore[no-any-return]

    def delete_registered_model(self, name: str) -> None:
        name = check.model_name(name)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            run_ids = list(conn.execute(select(MV.c.run_id).where(MV.c.name == name)).scalars())
            conn.execute(delete(RM).where(RM.c.name == name))  # cascades to everything below
            sync_run_tags(conn, run_ids)

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
            return PagedList(build_models(conn, rows[:max_results]), token)

        return self._read(txn)  # type: ignore[no-any-return]

    def set_registered_model_tag(self, name: str, tag: RunTag) -> None:
        name, key = check.model_name(name), check.tag_key(tag.key)
        value = check.tag_value(key, tag.value)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            conn.execute(delete(RMT).where(RMT.c.name == name, RMT.c.key == key))
            conn.execute(RMT.insert().values(name=name, key=key, value=value))
            touch(conn, name)

        self._write(txn)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        name = check.model_name(name)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            gone = conn.execute(delete(RMT).where(RMT.c.name == name, RMT.c.key == key)).rowcount
            if not gone:
                raise ResourceNotFoundError(
                    f"Registered model {name!r} has no tag {key!r}; its tags are in "
                    f"get_registered_model({name!r}).tags."
                )
            touch(conn, name)

        self._write(txn)

    # -- aliases -----------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        name, alias = check.model_name(name), check.alias_name(alias)
        number = check.version_number(version)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            version_row(conn, name, number)
            conn.execute(delete(AL).where(AL.c.name == name, AL.c.alias == alias))
            conn.execute(AL.insert().values(name=name, alias=alias, version=number))
            touch(conn, name)

        self._write(txn)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; removing one that is not set does nothing (as in MLflow)."""
        name, alias = check.model_name(name), check.alias_name(alias)

        def txn(conn: Connection) -> None:
            lock_model(conn, name)
            if conn.execute(delete(AL).where(AL.c.name == name, AL.c.alias == alias)).rowcount:
                touch(conn, name)

        self._write(txn)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        name, alias = check.model_name(name), check.alias_name(alias)

        def txn(conn: Connection) -> ModelVersion:
            number = conn.execute(
                select(AL.c.version).where(AL.c.name == name, AL.c.alias == alias)
            ).scalar()
            if number is None:
                get_model(conn, name)
                raise ResourceNotFoundError(
                    f"Registered model {name!r} has no alias {alias!r}. Set it with "
                    f"set_registered_model_alias({name!r}, {alias!r}, <version>)."
                )
            return get_version(conn, name, number)

        return self._read(txn)  # type: ignore[no-any-return]
