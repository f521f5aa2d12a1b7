"""MLflow's model registry RPCs: registered models, versions, tags, aliases, stage transitions.

A version's ``source`` travels as ``mlflow-artifacts:/<path>`` (what an MLflow 2.x client
registers after logging a model into a run) and is stored as the location in the store, so
labtrack's serving and ``load_model`` read it in place. Versions are registered synchronously,
so every version is ``READY`` at once and clients never wait for ``PENDING_REGISTRATION``.
"""

from __future__ import annotations

import re
from typing import Any

from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import DeleteRpc, GetRpc, PatchRpc, PostRpc
from labtrack.server.mlflow.experiments import positive
from labtrack.server.mlflow.fields import Fields
from labtrack.server.registry import RegistryHandler

REGISTERED_MODELS_LIMIT = 1000
MODEL_VERSIONS_DEFAULT = 10_000

# MLflow's clients add this clause to every registered-model search so that prompts (models
# tagged as prompts by MLflow's GenAI API) stay out. labtrack has no prompts, and a missing tag
# fails a `!=` clause in labtrack's filter language, so the clause is taken out.
_PROMPT = r"""tags?\.`?mlflow\.prompt\.is_prompt`?\s*!=\s*'true'"""
_PROMPT_CLAUSE = re.compile(
    rf"^\s*{_PROMPT}\s*$|\s+AND\s+{_PROMPT}\s*$|^\s*{_PROMPT}\s+AND\s+", re.IGNORECASE
)


def without_prompt_clause(text: str | None) -> str | None:
    """The user's filter without the clause MLflow's clients append.

    >>> without_prompt_clause("name LIKE 'a%' AND tag.`mlflow.prompt.is_prompt` != 'true'")
    "name LIKE 'a%'"
    >>> without_prompt_clause("tag.`mlflow.prompt.is_prompt` != 'true'") is None
    True
    """
    if not text:
        return None
    return _PROMPT_CLAUSE.sub("", text, count=1).strip() or None


def _name_version(fields: Fields) -> tuple[str, str]:
    return fields.required_string("name"), fields.required_string("version")


# -- registered models -------------------------------------------------------------------------


class CreateRegisteredModelHandler(PostRpc):
    """``POST registered-models/create``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, tags = fields.required_string("name"), dict(fields.key_values("tags"))
        description = fields.string("description")
        model = await self.call(self.client.create_registered_model, name, tags, description)
        return {"registered_model": messages.registered_model(model, self.uris)}


class GetRegisteredModelHandler(GetRpc):
    """``GET registered-models/get?name=``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        model = await self.call(self.client.get_registered_model, fields.required_string("name"))
        return {"registered_model": messages.registered_model(model, self.uris)}


class RenameRegisteredModelHandler(PostRpc, RegistryHandler):
    """``POST registered-models/rename``; the model's endpoints follow the new name."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, new_name = fields.required_string("name"), fields.required_string("new_name")
        model = await self.call(self.client.rename_registered_model, name, new_name)
        await self.serving_changed()
        return {"registered_model": messages.registered_model(model, self.uris)}


class UpdateRegisteredModelHandler(PatchRpc):
    """``PATCH registered-models/update``: the description."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, description = fields.required_string("name"), fields.string("description")
        model = await self.call(self.client.update_registered_model, name, description)
        return {"registered_model": messages.registered_model(model, self.uris)}


class DeleteRegisteredModelHandler(DeleteRpc, RegistryHandler):
    """``DELETE registered-models/delete`` (the name in the JSON body)."""

    async def answer(self, fields: Fields) -> None:
        await self.call(self.client.delete_registered_model, fields.required_string("name"))
        await self.serving_changed()


class SearchRegisteredModelsHandler(GetRpc):
    """``GET registered-models/search``: at most 1,000 a page (100 by default)."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        max_results = fields.int64("max_results", default=100)
        page = await self.call(
            self.client.search_registered_models,
            without_prompt_clause(fields.string("filter")),
            positive("max_results", max_results, REGISTERED_MODELS_LIMIT),
            fields.strings("order_by") or None,
            fields.string("page_token") or None,
        )
        found = [messages.registered_model(m, self.uris) for m in page]
        return messages.compact({"registered_models": found, "next_page_token": page.token})


class GetLatestVersionsHandler(GetRpc, PostRpc):
    """``POST`` (clients) or ``GET registered-models/get-latest-versions``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, stages = fields.required_string("name"), fields.strings("stages") or None
        versions = await self.call(self.client.get_latest_versions, name, stages)
        return messages.compact(
            {"model_versions": [messages.model_version(v, self.uris) for v in versions]}
        )


class SetRegisteredModelTagHandler(PostRpc):
    """``POST registered-models/set-tag``."""

    async def answer(self, fields: Fields) -> None:
        name, key = fields.required_string("name"), fields.required_string("key")
        value = fields.string("value") or ""
        await self.call(self.client.set_registered_model_tag, name, key, value)


class DeleteRegisteredModelTagHandler(DeleteRpc):
    """``DELETE registered-models/delete-tag``."""

    async def answer(self, fields: Fields) -> None:
        name, key = fields.required_string("name"), fields.required_string("key")
        await self.call(self.client.delete_registered_model_tag, name, key)


class AliasHandler(GetRpc, PostRpc, DeleteRpc):
    """``registered-models/alias``: ``POST`` sets, ``DELETE`` removes, ``GET`` reads the
    version an alias names."""

    async def answer(self, fields: Fields) -> dict[str, Any] | None:
        name, alias = fields.required_string("name"), fields.required_string("alias")
        client = self.client
        if self.request.method == "POST":
            version = fields.required_string("version")
            await self.call(client.set_registered_model_alias, name, alias, version)
            return None
        if self.request.method == "DELETE":
            await self.call(client.delete_registered_model_alias, name, alias)
            return None
        found = await self.call(client.get_model_version_by_alias, name, alias)
        return {"model_version": messages.model_version(found, self.uris)}


# -- model versions ----------------------------------------------------------------------------


class CreateModelVersionHandler(PostRpc, RegistryHandler):
    """``POST model-versions/create``: registered at once (status ``READY``)."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        version = await self.call(
            self.client.create_model_version,
            fields.required_string("name"),
            self.uris.from_wire(fields.required_string("source")),
            fields.string("run_id") or None,
            dict(fields.key_values("tags")),
            fields.string("run_link"),
            fields.string("description"),
            user_id=self.user_id,
        )
        return {"model_version": messages.model_version(version, self.uris)}


class GetModelVersionHandler(GetRpc):
    """``GET model-versions/get?name=&version=``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        found = await self.call(self.client.get_model_version, *_name_version(fields))
        return {"model_version": messages.model_version(found, self.uris)}


class UpdateModelVersionHandler(PatchRpc):
    """``PATCH model-versions/update``: the description."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version = _name_version(fields)
        description = fields.string("description")
        found = await self.call(self.client.update_model_version, name, version, description)
        return {"model_version": messages.model_version(found, self.uris)}


class DeleteModelVersionHandler(DeleteRpc):
    """``DELETE model-versions/delete``."""

    async def answer(self, fields: Fields) -> None:
        await self.call(self.client.delete_model_version, *_name_version(fields))


class SearchModelVersionsHandler(GetRpc):
    """``GET model-versions/search``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        max_results = fields.int64("max_results", default=MODEL_VERSIONS_DEFAULT)
        page = await self.call(
            self.client.search_model_versions,
            without_prompt_clause(fields.string("filter")),
            positive("max_results", max_results),
            fields.strings("order_by") or None,
            fields.string("page_token") or None,
        )
        found = [messages.model_version(v, self.uris) for v in page]
        return messages.compact({"model_versions": found, "next_page_token": page.token})


class GetDownloadUriHandler(GetRpc):
    """``GET model-versions/get-download-uri``: where the version's files are."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        found = await self.call(self.client.get_model_version, *_name_version(fields))
        return {"artifact_uri": self.uris.to_wire(found.source)}


class SetModelVersionTagHandler(PostRpc):
    """``POST model-versions/set-tag``."""

    async def answer(self, fields: Fields) -> None:
        name, version = _name_version(fields)
        key, value = fields.required_string("key"), fields.string("value") or ""
        await self.call(self.client.set_model_version_tag, name, version, key, value)


class DeleteModelVersionTagHandler(DeleteRpc):
    """``DELETE model-versions/delete-tag``."""

    async def answer(self, fields: Fields) -> None:
        name, version = _name_version(fields)
        key = fields.required_string("key")
        await self.call(self.client.delete_model_version_tag, name, version, key)


class TransitionStageHandler(PostRpc, RegistryHandler):
    """``POST model-versions/transition-stage``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version = _name_version(fields)
        found = await self.call(
            self.client.transition_model_version_stage,
            name,
            version,
            fields.required_string("stage"),
            fields.boolean("archive_existing_versions"),
            user_id=self.user_id,
        )
        return {"model_version": messages.model_version(found, self.uris)}
