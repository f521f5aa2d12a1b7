"""Owners and grants in the SQL store (team mode).

Searches take the readable set as a subquery, so "what may this caller see" is answered by the
database in the same query as the search (an indexed ``IN``), never row by row in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, and_, cast, delete, or_, select, update

from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.contract_permissions import (
    EVERYONE,
    PERMISSIONS,
    PRINCIPAL_KINDS,
    RESOURCE_KINDS,
    stronger,
)
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, upsert_into
from labtrack.store.sql.experiments import experiment_key

__all__ = ["PermissionRepository", "readable_clause"]

MAX_PRINCIPAL = 256


def _kind(resource_kind: str) -> str:
    if resource_kind not in RESOURCE_KINDS:
        raise InvalidParameterError(
            f"resource_kind must be one of {', '.join(RESOURCE_KINDS)}; got {resource_kind!r}."
        )
    return resource_kind


def _principal(principal_kind: str, principal: str) -> tuple[str, str]:
    if principal_kind not in PRINCIPAL_KINDS:
        raise InvalidParameterError(
            f"principal_kind must be 'user' or 'group'; got {principal_kind!r}."
        )
    if not isinstance(principal, str) or not principal.strip():
        raise InvalidParameterError(
            f"Give principal: the {principal_kind}'s name (a non-empty string); got {principal!r}."
        )
    if len(principal) > MAX_PRINCIPAL:
        raise InvalidParameterError(
            f"A {principal_kind} name has at most {MAX_PRINCIPAL} characters; got {len(principal)}."
        )
    return principal_kind, principal


def _permission(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise InvalidParameterError(
            f"permission must be one of {', '.join(PERMISSIONS)}; got {permission!r}."
        )
    return permission


def _grantee(user: str, groups: Sequence[str]) -> ColumnElement[bool]:
    grants = tables.permission_grants
    return or_(
        and_(grants.c.principal_kind == "user", grants.c.principal == user),
        and_(grants.c.principal_kind == "group", grants.c.principal.in_([*groups, EVERYONE])),
    )


def readable_clause(
    resource_kind: str, user: str, groups: Sequence[str], others_only: bool = False
) -> ColumnElement[bool]:
    """Rows of ``experiments`` or ``registered_models`` that ``user`` (in ``groups``) owns or
    holds any grant on (every grant includes READ); ``others_only``: only those granted, not
    owned."""
    grants = tables.permission_grants
    granted = select(grants.c.resource_id).where(
        grants.c.resource_kind == resource_kind, _grantee(user, groups)
    )
    if resource_kind == "model_version":  # a version is readable with its model
        models = tables.registered_models
        names = select(models.c.name).where(readable_clause("registered_model", user, groups))
        return tables.model_versions.c.name.in_(names)
    if resource_kind == "experiment":
        experiments = tables.experiments
        ids = select(cast(grants.c.resource_id, Integer)).where(
            grants.c.resource_kind == resource_kind, _grantee(user, groups)
        )
        owner, shared = experiments.c.owner, experiments.c.experiment_id.in_(ids)
    else:
        owner, shared = (
            tables.registered_models.c.owner,
            tables.registered_models.c.name.in_(granted),
        )
    if others_only:
        return and_(shared, or_(owner.is_(None), owner != user))
    return or_(owner == user, shared)


class PermissionRepository:
    """Owners and grants of experiments and registered models."""

    def __init__(self, database: Database) -> None:
        self.database = database

    # -- resources -------------------------------------------------------------------------
    def _owners(
        self, connection: Connection, resource_kind: str, resource_ids: Sequence[str]
    ) -> dict[str, str | None]:
        if resource_kind == "experiment":
            experiments = tables.experiments
            keys = []
            for resource_id in resource_ids:
                try:
                    keys.append(experiment_key(resource_id))
                except InvalidParameterError:
                    continue  # not an experiment id, so no experiment: left out
            rows = connection.execute(
                select(experiments.c.experiment_id, experiments.c.owner).where(
                    experiments.c.experiment_id.in_(keys)
                )
            )
            return {str(key): owner for key, owner in rows}
        models = tables.registered_models
        rows = connection.execute(
            select(models.c.name, models.c.owner).where(models.c.name.in_(list(resource_ids)))
        )
        return {name: owner for name, owner in rows}

    def _owner(self, connection: Connection, resource_kind: str, resource_id: str) -> str | None:
        owners = self._owners(connection, _kind(resource_kind), [str(resource_id)])
        if str(resource_id) not in owners:
            what = "experiment with id" if resource_kind == "experiment" else "registered model"
            raise ResourceNotFoundError(f"No {what} {resource_id!r}.")
        return owners[str(resource_id)]

    # -- the contract ----------------------------------------------------------------------
    def get_permissions(self, resource_kind: str, resource_id: str) -> dict[str, Any]:
        grants = tables.permission_grants

        def work(connection: Connection) -> dict[str, Any]:
            owner = self._owner(connection, resource_kind, resource_id)
            rows = connection.execute(
                select(grants.c.principal_kind, grants.c.principal, grants.c.permission)
                .where(
                    grants.c.resource_kind == resource_kind,
                    grants.c.resource_id == str(resource_id),
                )
                .order_by(grants.c.principal_kind.desc(), grants.c.principal)
            )
            return {
                "owner": owner,
                "grants": [
                    {"principal_kind": kind, "principal": name, "permission": permission}
                    for kind, name, permission in rows
                ],
            }

        return self.database.read(work)

    def set_owner(self, resource_kind: str, resource_id: str, owner: str | None) -> None:
        if owner is not None:
            _principal("user", owner)

        def work(connection: Connection) -> None:
            self._owner(connection, resource_kind, resource_id)
            if resource_kind == "experiment":
                experiments = tables.experiments
                connection.execute(
                    update(experiments)
                    .where(experiments.c.experiment_id == experiment_key(resource_id))
                    .values(owner=owner)
                )
            else:
                models = tables.registered_models
                connection.execute(
                    update(models).where(models.c.name == resource_id).values(owner=owner)
                )

        self.database.write(work)

    def set_permission(
        self,
        resource_kind: str,
        resource_id: str,
        principal_kind: str,
        principal: str,
        permission: str,
    ) -> None:
        _principal(principal_kind, principal)
        _permission(permission)
        grants = tables.permission_grants

        def work(connection: Connection) -> None:
            self._owner(connection, resource_kind, resource_id)
            insert = upsert_into(connection, grants)
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["resource_kind", "resource_id", "principal_kind", "principal"],
                    set_={"permission": insert.excluded.permission},
                ),
                {
                    "resource_kind": resource_kind,
                    "resource_id": str(resource_id),
                    "principal_kind": principal_kind,
                    "principal": principal,
                    "permission": permission,
                },
            )

        self.database.write(work)

    def delete_permission(
        self, resource_kind: str, resource_id: str, principal_kind: str, principal: str
    ) -> None:
        _kind(resource_kind)
        _principal(principal_kind, principal)
        grants = tables.permission_grants

        def work(connection: Connection) -> None:
            gone = connection.execute(
                delete(grants).where(
                    grants.c.resource_kind == resource_kind,
                    grants.c.resource_id == str(resource_id),
                    grants.c.principal_kind == principal_kind,
                    grants.c.principal == principal,
                )
            ).rowcount
            if not gone:
                raise ResourceNotFoundError(
                    f"The {principal_kind} {principal!r} has no grant on {resource_kind} "
                    f"{resource_id!r}; nothing was removed. get_permissions lists the grants."
                )

        self.database.write(work)

    def access(
        self, resource_kind: str, resource_ids: Sequence[str], user: str, groups: Sequence[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        _kind(resource_kind)
        ids = [str(resource_id) for resource_id in resource_ids]
        grants = tables.permission_grants

        def work(connection: Connection) -> dict[str, tuple[str | None, str | None]]:
            owners = self._owners(connection, resource_kind, ids)
            best: dict[str, str | None] = {
                key: ("MANAGE" if owner is not None and owner == user else None)
                for key, owner in owners.items()
            }
            if owners:
                rows = connection.execute(
                    select(grants.c.resource_id, grants.c.permission).where(
                        grants.c.resource_kind == resource_kind,
                        grants.c.resource_id.in_(list(owners)),
                        _grantee(user, groups),
                    )
                )
                for key, permission in rows:
                    best[key] = stronger(best[key], permission)
            return {key: (owners[key], best[key]) for key in owners}

        return self.database.read(work)

    def experiments_of(self, kind: str, ids: Sequence[str]) -> dict[str, str]:
        if kind == "run":
            table, column = tables.runs, tables.runs.c.run_uuid
        elif kind == "logged_model":
            table, column = tables.logged_models, tables.logged_models.c.model_id
        else:
            raise InvalidParameterError(f"kind must be 'run' or 'logged_model'; got {kind!r}.")
        wanted = [str(i) for i in ids]

        def work(connection: Connection) -> dict[str, str]:
            rows = connection.execute(
                select(column, table.c.experiment_id).where(column.in_(wanted))
            )
            return {key: str(experiment_id) for key, experiment_id in rows}

        return self.database.read(work)
