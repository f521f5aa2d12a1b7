"""The transition-request and comment RPCs of the model registry of MLflow on Databricks.

``transition-requests/create|list|approve|reject|delete`` and ``comments/create|update|delete``
under ``api/2.0/mlflow/``, with Databricks' field names and messages (versions as strings,
``available_actions`` for the caller), so a client written for Databricks' workspace registry
works against labtrack. MLflow OSS has none of these routes.
"""

from __future__ import annotations

from typing import Any

from labtrack.entities.transition_requests import Activity, ActivityType, Comment
from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import DeleteRpc, GetRpc, PatchRpc, PostRpc
from labtrack.server.mlflow.fields import Fields
from labtrack.server.transition_requests import TransitionRequestHandler

__all__ = [
    "ApproveTransitionRequestHandler",
    "CreateCommentHandler",
    "CreateTransitionRequestHandler",
    "DeleteCommentHandler",
    "DeleteTransitionRequestHandler",
    "ListTransitionRequestsHandler",
    "RejectTransitionRequestHandler",
    "UpdateCommentHandler",
]


ACTIVITY_FIELDS = (
    "id",
    "activity_type",
    "from_stage",
    "to_stage",
    "user_id",
    "creation_timestamp",
    "last_updated_timestamp",
    "comment",
    "system_comment",
)
COMMENT_FIELDS = (
    "id",
    "user_id",
    "comment",
    "creation_timestamp",
    "last_updated_timestamp",
    "available_actions",
)
REQUEST_FIELDS = ("available_actions", "comment", "creation_timestamp", "to_stage", "user_id")


def message(entity: Activity | Comment | dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Databricks' message of an entity (or its dict): its ``fields`` that are set."""
    data = entity if isinstance(entity, dict) else entity.to_dict()
    return messages.compact({key: data.get(key) for key in fields})


def _target(fields: Fields) -> tuple[str, str, str]:
    return (
        fields.required_string("name"),
        fields.required_string("version"),
        fields.required_string("stage"),
    )


class CreateTransitionRequestHandler(PostRpc, TransitionRequestHandler):
    """``POST transition-requests/create`` ``{name, version, stage, comment}``:
    ``{"request": TransitionRequest}``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version, stage = _target(fields)
        comment, user = fields.string("comment"), self.user_id
        client = self.client
        created = await self.call(
            lambda: client.create_transition_request(name, version, stage, comment, user_id=user)
        )
        request = (await self.requests_json(name, [created]))[0]
        return {"request": message(request, REQUEST_FIELDS)}


class ListTransitionRequestsHandler(GetRpc):
    """``GET transition-requests/list?name=&version=``: the open requests, as activities."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version = fields.required_string("name"), fields.required_string("version")
        found = await self.call(self.client.list_transition_requests, name, version)
        as_activities = [
            {
                **r.to_dict(),
                "activity_type": ActivityType.REQUESTED_TRANSITION,
                "last_updated_timestamp": r.creation_timestamp,
            }
            for r in found
        ]
        return {"requests": [message(a, ACTIVITY_FIELDS) for a in as_activities]}


class ApproveTransitionRequestHandler(PostRpc, TransitionRequestHandler):
    """``POST transition-requests/approve`` ``{name, version, stage,
    archive_existing_versions, comment}``: ``{"activity": Activity}``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version, stage = _target(fields)
        archive = fields.boolean("archive_existing_versions")
        comment, user, client = fields.string("comment"), self.user_id, self.client
        activity = await self.call(
            lambda: client.approve_transition_request(
                name, version, stage, archive, comment, user_id=user
            )
        )
        await self.serving_changed()
        return {"activity": message(activity, ACTIVITY_FIELDS)}


class RejectTransitionRequestHandler(PostRpc, TransitionRequestHandler):
    """``POST transition-requests/reject`` ``{name, version, stage, comment}``:
    ``{"activity": Activity}``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version, stage = _target(fields)
        comment, user, client = fields.string("comment"), self.user_id, self.client
        activity = await self.call(
            lambda: client.reject_transition_request(name, version, stage, comment, user_id=user)
        )
        return {"activity": message(activity, ACTIVITY_FIELDS)}


class DeleteTransitionRequestHandler(DeleteRpc, TransitionRequestHandler):
    """``DELETE transition-requests/delete`` ``{name, version, stage, creator, comment}`` (in
    the query or the body): cancels ``creator``'s request; ``{"activity": Activity}``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version, stage = _target(fields)
        creator = fields.required_string("creator")
        comment, user, client = fields.string("comment"), self.user_id, self.client
        activity = await self.call(
            lambda: client.delete_transition_request(
                name, version, stage, creator, comment, user_id=user
            )
        )
        return {"activity": message(activity, ACTIVITY_FIELDS)}


class CreateCommentHandler(PostRpc, TransitionRequestHandler):
    """``POST comments/create`` ``{name, version, comment}``: ``{"comment": CommentObject}``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        name, version = fields.required_string("name"), fields.required_string("version")
        text, user, client = fields.required_string("comment"), self.user_id, self.client
        created = await self.call(lambda: client.create_comment(name, version, text, user_id=user))
        await self.comment_json(created)
        return {"comment": message(created, COMMENT_FIELDS)}


class UpdateCommentHandler(PatchRpc, TransitionRequestHandler):
    """``PATCH comments/update`` ``{id, comment}``: ``{"comment": CommentObject}``; only the
    author may edit."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        comment_id, text = fields.required_string("id"), fields.required_string("comment")
        user, client = self.user_id, self.client
        updated = await self.call(lambda: client.update_comment(comment_id, text, user_id=user))
        await self.comment_json(updated)
        return {"comment": message(updated, COMMENT_FIELDS)}


class DeleteCommentHandler(DeleteRpc, TransitionRequestHandler):
    """``DELETE comments/delete?id=``: the author, or someone with MANAGE, deletes it."""

    async def answer(self, fields: Fields) -> None:
        comment_id, client = fields.required_string("id"), self.client
        user = None if self.guard is None else self.user_id
        await self.call(lambda: client.delete_comment(comment_id, user_id=user))
