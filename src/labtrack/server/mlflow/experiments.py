"""MLflow's experiment RPCs: create, get, get-by-name, search, update, delete, restore, tags."""

from __future__ import annotations

from typing import Any

from labtrack.entities import RunTag, ViewType
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import GetRpc, PostRpc
from labtrack.server.mlflow.fields import Fields
from labtrack.utils import validation

VIEW_TYPES = ("ACTIVE_ONLY", "DELETED_ONLY", "ALL")


def view_type(fields: Fields, name: str) -> int:
    """A ``ViewType`` field (by name or number); ACTIVE_ONLY when absent."""
    chosen = fields.enum(name, VIEW_TYPES, "ACTIVE_ONLY")
    return int(getattr(ViewType, str(chosen)))


def positive(name: str, value: int | None, limit: int | None = None) -> int:
    """``max_results`` and the like: a positive integer, at most ``limit``."""
    if value is None or value <= 0:
        raise InvalidParameterError(
            f"Invalid value {value or 0} for parameter '{name}' supplied: it must be a positive "
            "integer."
        )
    if limit is not None and value > limit:
        raise InvalidParameterError(
            f"Invalid value {value} for parameter '{name}' supplied: it must be at most "
            f"{limit}. Page through larger results with page_token."
        )
    return value


class CreateExperimentHandler(PostRpc):
    """``POST experiments/create``: ``{"experiment_id"}``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name = fields.required_string("name")
        location = fields.string("artifact_location")
        tags = [RunTag(k, v) for k, v in fields.key_values("tags")]
        where = self.uris.from_wire(location) if location else None
        experiment_id = await self.call(self.client.store.create_experiment, name, where, tags)
        return {"experiment_id": experiment_id}


class GetExperimentHandler(GetRpc):
    """``GET experiments/get?experiment_id=``: ``{"experiment"}``, deleted ones too."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        exp = await self.call(self.client.get_experiment, fields.required_string("experiment_id"))
        return {"experiment": messages.experiment(exp, self.uris)}


class GetExperimentByNameHandler(GetRpc):
    """``GET experiments/get-by-name?experiment_name=``: 404 when there is none (clients read
    that as "no such experiment")."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name = fields.required_string("experiment_name")
        exp = await self.call(self.client.get_experiment_by_name, name)
        if exp is None:
            raise ResourceNotFoundError(f"Could not find experiment with name '{name}'")
        return {"experiment": messages.experiment(exp, self.uris)}


class SearchExperimentsHandler(GetRpc, PostRpc):
    """``POST`` (clients) or ``GET experiments/search``: a page of experiments."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        page = await self.call(
            self.client.search_experiments,
            view_type(fields, "view_type"),
            positive("max_results", fields.int64("max_results")),
            fields.string("filter") or None,
            fields.strings("order_by") or None,
            fields.string("page_token") or None,
        )
        found = [messages.experiment(e, self.uris) for e in page]
        return messages.compact({"experiments": found, "next_page_token": page.token})


class UpdateExperimentHandler(PostRpc):
    """``POST experiments/update``: rename."""

    async def answer(self, fields: Fields) -> None:
        experiment_id = fields.required_string("experiment_id")
        new_name = fields.required_string("new_name")
        await self.call(self.client.rename_experiment, experiment_id, new_name)


class DeleteExperimentHandler(PostRpc):
    """``POST experiments/delete``: mark it deleted (its runs stay)."""

    async def answer(self, fields: Fields) -> None:
        experiment_id = fields.required_string("experiment_id")
        await self.call(self.client.delete_experiment, experiment_id)


class RestoreExperimentHandler(PostRpc):
    """``POST experiments/restore``."""

    async def answer(self, fields: Fields) -> None:
        experiment_id = fields.required_string("experiment_id")
        await self.call(self.client.restore_experiment, experiment_id)


class SetExperimentTagHandler(PostRpc):
    """``POST experiments/set-experiment-tag``."""

    async def answer(self, fields: Fields) -> None:
        experiment_id = fields.required_string("experiment_id")
        key, value = fields.required_string("key"), fields.string("value") or ""
        await self.call(self.client.set_experiment_tag, experiment_id, key, value)


class DeleteExperimentTagHandler(PostRpc):
    """``POST experiments/delete-experiment-tag`` (MLflow 3)."""

    async def answer(self, fields: Fields) -> None:
        experiment_id = validation.experiment_id(fields.required_string("experiment_id"))
        key = fields.required_string("key")
        await self.call(self.client.store.delete_experiment_tag, experiment_id, key)
