"""Routes of team mode: ``whoami``, and the owner and grants of an experiment or registered
model (``experiments/{id}/permissions``, ``registered-models/{name}/permissions``).

Reading the grants needs READ on the resource, changing them MANAGE (checked by the guarded
store, :mod:`.permissions_store`). With permissions off every caller may do everything, so the
routes answer as for an admin (grants are recorded and take effect once team mode is on).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.server.base import LabtrackHandler

__all__ = [
    "ExperimentPermissionsHandler",
    "ModelPermissionsHandler",
    "WhoamiHandler",
    "annotate",
]


async def annotate(
    handler: LabtrackHandler, kind: str, items: list[dict[str, Any]], key: str
) -> list[dict[str, Any]]:
    """Add ``owner`` and ``my_permission`` to each JSON object of ``items`` (resources of
    ``kind`` whose id is ``item[key]``): one store query for all of them."""
    if not items:
        return items
    ids = [str(item[key]) for item in items]
    guard = handler.guard
    if guard is None:  # permissions off: everything is allowed
        store = handler.client.store
        found = await handler.call(store.access, kind, ids, handler.caller.name, [])
        # Everything is allowed here; but a store that is a team service (an http:// tracking
        # URI) answers with the caller's real permission, which is the one to show.
        access: dict[str, tuple[str | None, str | None]] = {
            k: (owner, permission or "MANAGE") for k, (owner, permission) in found.items()
        }
    else:
        access = dict(await handler.call(guard.access, kind, ids))
    for item in items:
        owner, permission = access.get(str(item[key]), (None, None))
        item["owner"] = owner
        item["my_permission"] = permission
    return items


class _PermissionsHandler(LabtrackHandler):
    """``GET|PUT|DELETE <resource>/permissions`` of one kind of resource."""

    kind = ""

    async def _reply(self, resource_id: str) -> None:
        store = self.client.store
        found = await self.call(store.get_permissions, self.kind, resource_id)
        (item,) = await annotate(self, self.kind, [{"id": resource_id}], "id")
        self.write_json(
            {
                "owner": found["owner"],
                "grants": found["grants"],
                "my_permission": item["my_permission"],
            }
        )

    async def _get(self, resource_id: str) -> None:
        await self._reply(resource_id)

    async def _put(self, resource_id: str) -> None:
        body = self.read_json()
        # The store checks the three values (a 400 saying what to send) before writing.
        kind, name, permission = (
            body.get(k) for k in ("principal_kind", "principal", "permission")
        )
        store = self.client.store
        await self.call(store.set_permission, self.kind, resource_id, kind, name, permission)
        await self._reply(resource_id)

    async def _delete(self, resource_id: str) -> None:
        kind, name = self.arg("principal_kind"), self.arg("principal")
        await self.call(self.client.store.delete_permission, self.kind, resource_id, kind, name)
        await self._reply(resource_id)


class ExperimentPermissionsHandler(_PermissionsHandler):
    """``GET|PUT|DELETE experiments/{id}/permissions``."""

    kind = "experiment"

    @web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        await self._get(experiment_id)

    @web.authenticated
    @authorized
    async def put(self, experiment_id: str) -> None:
        await self._put(experiment_id)

    @web.authenticated
    @authorized
    async def delete(self, experiment_id: str) -> None:
        await self._delete(experiment_id)


class ModelPermissionsHandler(_PermissionsHandler):
    """``GET|PUT|DELETE registered-models/{name}/permissions``."""

    kind = "registered_model"

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await self._get(name)

    @web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        await self._put(name)

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self._delete(name)


class WhoamiHandler(LabtrackHandler):
    """``GET whoami``: the caller as permissions see them."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        caller = self.caller
        self.write_json(
            {
                "name": caller.name,
                "groups": sorted(caller.groups),
                "admin": caller.admin,
                "permissions_enabled": bool(self.labtrack.permissions),
            }
        )
