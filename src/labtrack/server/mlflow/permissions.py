"""MLflow's basic-auth permission RPCs, over labtrack's grants (team mode).

``experiments/permissions/{create,get,update,delete}`` and
``registered-models/permissions/{create,get,update,delete}``, with the fields and answers of
MLflow's basic-auth app (``username``, ``permission``; ``{"experiment_permission": {...}}``).
They are grants to users; ``user_id`` in an answer is the user's name (labtrack has no user
table). Changing grants needs MANAGE, reading one READ (the guarded store checks both).
MLflow's ``NO_PERMISSIONS`` is refused: delete the grant instead.
"""

from __future__ import annotations

from typing import Any

from labtrack.errors import ResourceNotFoundError
from labtrack.server.mlflow.base import DeleteRpc, GetRpc, PatchRpc, PostRpc, Rpc
from labtrack.server.mlflow.fields import Fields, missing
from labtrack.store.contract_permissions import PERMISSIONS

__all__ = ["routes"]


class _Permission(Rpc):
    """One permission RPC of one kind of resource."""

    kind = "experiment"
    key = "experiment_id"  # the field naming the resource
    answer_key = "experiment_permission"

    def resource(self, fields: Fields) -> str:
        return fields.required_string(self.key)

    def message(self, resource: str, user: str, permission: str) -> dict[str, Any]:
        return {self.answer_key: {self.key: resource, "user_id": user, "permission": permission}}

    async def current(self, resource: str, user: str) -> str:
        """The user's own grant; RESOURCE_DOES_NOT_EXIST if there is none."""
        found = await self.call(self.client.store.get_permissions, self.kind, resource)
        for grant in found["grants"]:
            if grant["principal_kind"] == "user" and grant["principal"] == user:
                return str(grant["permission"])
        raise ResourceNotFoundError(
            f"{self.answer_key.replace('_', ' ').capitalize()} with {self.key}={resource} and "
            f"username={user} not found. Create it with the create RPC."
        )

    async def grant(self, fields: Fields, must_exist: bool) -> dict[str, Any]:
        resource, user = self.resource(fields), fields.required_string("username")
        permission = fields.enum("permission", PERMISSIONS)
        if permission is None:
            raise missing("permission")
        if must_exist:
            await self.current(resource, user)
        store = self.client.store
        await self.call(store.set_permission, self.kind, resource, "user", user, permission)
        return self.message(resource, user, permission)


class _Create(_Permission, PostRpc):
    async def answer(self, fields: Fields) -> dict[str, Any]:
        return await self.grant(fields, must_exist=False)


class _Get(_Permission, GetRpc):
    async def answer(self, fields: Fields) -> dict[str, Any]:
        resource, user = self.resource(fields), fields.required_string("username")
        return self.message(resource, user, await self.current(resource, user))


class _Update(_Permission, PatchRpc):
    async def answer(self, fields: Fields) -> None:
        await self.grant(fields, must_exist=True)


class _Delete(_Permission, DeleteRpc):
    async def answer(self, fields: Fields) -> None:
        resource, user = self.resource(fields), fields.required_string("username")
        await self.call(self.client.store.delete_permission, self.kind, resource, "user", user)


class _Model:
    kind = "registered_model"
    key = "name"
    answer_key = "registered_model_permission"


def routes() -> list[tuple[str, type[Rpc]]]:
    """(pattern below ``api/2.0/mlflow/``, handler) of the eight RPCs."""
    verbs: dict[str, type[_Permission]] = {
        "create": _Create,
        "get": _Get,
        "update": _Update,
        "delete": _Delete,
    }
    out: list[tuple[str, type[Rpc]]] = []
    for prefix, mixin in (("experiments", None), ("registered-models", _Model)):
        for verb, base in verbs.items():
            cls = base if mixin is None else type(f"Model{base.__name__}", (mixin, base), {})
            out.append((f"{prefix}/permissions/{verb}", cls))
    return out
