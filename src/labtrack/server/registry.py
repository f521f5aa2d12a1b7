"""Model registry routes under ``<base_url>labtrack/api/registered-models``.

Versions are created over REST only from a run and a path inside its artifacts
(``{"run_id", "path"}``): no route accepts a source URI, and a path that leaves the run's
artifacts is a 400. Versions are numbers in JSON; times are epoch milliseconds; who made a
version or moved it between stages is the Jupyter user.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError
from labtrack.server.base import LabtrackHandler
from labtrack.server.permissions_routes import annotate
from labtrack.utils import registry_validation as check
from labtrack.utils.user import current_user

__all__ = [
    "AliasHandler",
    "ModelVersionHandler",
    "ModelVersionStageHandler",
    "ModelVersionTransitionsHandler",
    "ModelVersionsHandler",
    "RegisteredModelHandler",
    "RegisteredModelsHandler",
]

VERSION_FIELDS = {"run_id", "path", "description", "tags"}
KIND = "registered_model"


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class RegistryHandler(LabtrackHandler):
    """Shared helpers: the Jupyter user, tag edits, the serving supervisor."""

    @property
    def user_id(self) -> str | None:
        """Who acts: the Jupyter user's name, or, for Jupyter's anonymous token users (a
        random id per request), the account the server runs as, as runs record it."""
        user = self.current_user
        if str(getattr(user, "name", "") or "").startswith("Anonymous "):
            return current_user()
        name = getattr(user, "username", None) or getattr(user, "name", None)
        return str(name) if name else None

    def description_arg(self, body: dict[str, Any]) -> None:
        """Check ``body["description"]`` (if sent) before anything is written."""
        if "description" in body:
            check.description(body["description"])

    async def serving_changed(self) -> None:
        """Let the serving supervisor catch up with a rename or delete right away."""
        supervisor = self.settings.get("labtrack_serving")
        if supervisor is not None:
            await supervisor.reconcile()


class RegisteredModelsHandler(RegistryHandler):
    """``GET registered-models?filter=&max_results=&order_by=&page_token=`` and ``POST`` with
    ``{"name", "description", "tags"}``."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        page = await self.call(
            self.client.search_registered_models,
            self.arg("filter") or None,
            self.int_arg("max_results", 100, 1, 1000),
            self.list_arg("order_by") or None,
            self.arg("page_token") or None,
        )
        items = await annotate(self, KIND, [m.to_dict() for m in page], "name")
        self.write_json({"registered_models": items, "next_page_token": page.token})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.read_json()
        model = await self.call(
            self.client.create_registered_model,
            body.get("name"),
            self.tags_arg(body),
            body.get("description"),
        )
        self.write_json((await annotate(self, KIND, [model.to_dict()], "name"))[0], 201)


class RegisteredModelHandler(RegistryHandler):
    """``GET|PATCH|DELETE registered-models/{name}``; PATCH takes ``name`` (rename),
    ``description``, ``tags`` and ``delete_tags``."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        model = await self.call(self.client.get_registered_model, name)
        self.write_json((await annotate(self, KIND, [model.to_dict()], "name"))[0])

    @web.authenticated
    @authorized
    async def patch(self, name: str) -> None:
        body = self.read_json()
        client = self.client
        model = await self.call(client.get_registered_model, name)
        # Everything is checked before anything is written; the rename, the one edit that
        # can still be refused (409: the new name is taken), goes first.
        self.description_arg(body)
        tags = self.tags_arg(body)
        deletes = self.delete_tags_arg(body, model.tags)
        renamed = "name" in body and body["name"] != name
        if renamed:
            name = (await self.call(client.rename_registered_model, name, body["name"])).name
        if "description" in body:
            await self.call(client.update_registered_model, name, body["description"])
        for key, value in tags.items():
            await self.call(client.set_registered_model_tag, name, key, value)
        for key in deletes:
            await self.call(client.delete_registered_model_tag, name, key)
        model = await self.call(client.get_registered_model, name)
        self.write_json((await annotate(self, KIND, [model.to_dict()], "name"))[0])
        if renamed:
            await self.serving_changed()

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.call(self.client.delete_registered_model, name)
        self.set_status(204)
        self.finish()
        await self.serving_changed()


class ModelVersionsHandler(RegistryHandler):
    """``GET registered-models/{name}/versions?filter=&max_results=&order_by=&page_token=`` and
    ``POST`` with ``{"run_id", "path", "description", "tags"}`` (the model is created if it
    does not exist, as ``register_model`` does)."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await self.call(self.client.get_registered_model, name)
        extra = self.arg("filter") or ""
        query = f"name = {_quoted(name)}" + (f" AND ({extra})" if extra.strip() else "")
        page = await self.call(
            self.client.search_model_versions,
            query,
            self.int_arg("max_results", 1000, 1, 10_000),
            self.list_arg("order_by") or None,
            self.arg("page_token") or None,
        )
        self.write_json(
            {"model_versions": [v.to_dict() for v in page], "next_page_token": page.token}
        )

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        body = self.read_json()
        unknown = sorted(set(body) - VERSION_FIELDS)
        if unknown:
            raise InvalidParameterError(
                f"Unknown fields {unknown}. A model version is created from a run: send "
                '{"run_id": ..., "path": "model"} (the folder inside the run\'s artifacts); '
                "a source URI is not accepted over REST."
            )
        run_id, path = body.get("run_id"), body.get("path")
        if not isinstance(run_id, str) or not run_id:
            raise InvalidParameterError("run_id is required: the run that logged the model.")
        if not isinstance(path, str):
            raise InvalidParameterError(
                'path is required: the model folder inside the run\'s artifacts, e.g. "model".'
            )
        client, user, tags = self.client, self.user_id, self.tags_arg(body)
        self.description_arg(body)
        version = await self.call(
            lambda: client.create_model_version_from_run(
                name, run_id, path, tags, body.get("description"), user_id=user, create_model=True
            )
        )
        self.write_json(version.to_dict(), 201)


class ModelVersionHandler(RegistryHandler):
    """``GET|PATCH|DELETE registered-models/{name}/versions/{version}``; PATCH takes
    ``description``, ``tags`` and ``delete_tags``."""

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        mv = await self.call(self.client.get_model_version, name, version)
        self.write_json(mv.to_dict())

    @web.authenticated
    @authorized
    async def patch(self, name: str, version: str) -> None:
        body = self.read_json()
        client = self.client
        mv = await self.call(client.get_model_version, name, version)
        self.description_arg(body)
        tags = self.tags_arg(body)
        deletes = self.delete_tags_arg(body, mv.tags)
        if "description" in body:
            await self.call(client.update_model_version, name, version, body["description"])
        for key, value in tags.items():
            await self.call(client.set_model_version_tag, name, version, key, value)
        for key in deletes:
            await self.call(client.delete_model_version_tag, name, version, key)
        self.write_json((await self.call(client.get_model_version, name, version)).to_dict())

    @web.authenticated
    @authorized
    async def delete(self, name: str, version: str) -> None:
        await self.call(self.client.delete_model_version, name, version)
        self.set_status(204)
        self.finish()


class ModelVersionStageHandler(RegistryHandler):
    """``POST registered-models/{name}/versions/{version}/stage`` with ``{"stage",
    "archive_existing_versions"}``: the version after the move."""

    @web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        body = self.read_json()
        stage = body.get("stage")
        if not isinstance(stage, str):
            raise InvalidParameterError(
                'stage is required: one of "None", "Staging", "Production", "Archived".'
            )
        archive = body.get("archive_existing_versions", False)
        if not isinstance(archive, bool):
            raise InvalidParameterError("archive_existing_versions must be true or false.")
        client, user = self.client, self.user_id
        mv = await self.call(
            lambda: client.transition_model_version_stage(
                name, version, stage, archive, user_id=user
            )
        )
        self.write_json(mv.to_dict())


class ModelVersionTransitionsHandler(RegistryHandler):
    """``GET registered-models/{name}/versions/{version}/transitions``: oldest first."""

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        found = await self.call(self.client.get_model_version_transitions, name, version)
        self.write_json({"transitions": [t.to_dict() for t in found]})


class AliasHandler(RegistryHandler):
    """``PUT registered-models/{name}/aliases/{alias}`` with ``{"version"}``; ``DELETE``."""

    @web.authenticated
    @authorized
    async def put(self, name: str, alias: str) -> None:
        body = self.read_json()
        if "version" not in body:
            raise InvalidParameterError('version is required: {"version": 3}.')
        await self.call(self.client.set_registered_model_alias, name, alias, body["version"])
        mv = await self.call(self.client.get_model_version_by_alias, name, alias)
        self.write_json(mv.to_dict())

    @web.authenticated
    @authorized
    async def delete(self, name: str, alias: str) -> None:
        await self.call(self.client.delete_registered_model_alias, name, alias)
        self.set_status(204)
        self.finish()
