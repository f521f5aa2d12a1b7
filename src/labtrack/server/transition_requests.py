"""Transition requests and comments under ``<base_url>labtrack/api/registered-models/{name}``.

``versions/{version}/transition-requests`` lists (GET) and makes (POST) requests; ``.../approve``,
``.../reject`` and ``.../cancel`` settle them; ``versions/{version}/comments`` adds a comment and
``versions/{version}/comments/{id}`` edits or deletes one; ``versions/{version}/activities`` is
the version's history with its pending requests, each with the ``available_actions`` of the
caller (what the UI shows buttons for); ``transition-requests`` (on the model) lists the
pending requests of every version. Bodies are checked in full before anything is written.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.entities.transition_requests import ActivityType, Comment, TransitionRequest
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.server.permissions_transition_requests import comment_actions, request_actions
from labtrack.server.registry import KIND, RegistryHandler

__all__ = [
    "CommentHandler",
    "CommentsHandler",
    "ModelTransitionRequestsHandler",
    "SettleTransitionRequestHandler",
    "TransitionRequestsHandler",
    "VersionActivitiesHandler",
]

STAGE_HINT = 'one of "None", "Staging", "Production", "Archived"'


def body_fields(body: dict[str, Any], allowed: set[str], required: set[str]) -> None:
    """400 for a field this route does not take or a required one missing."""
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidParameterError(
            f"Unknown fields {unknown}; this route takes {sorted(allowed)}."
        )
    missing = sorted(required - set(body))
    if missing:
        raise InvalidParameterError(f"Missing fields {missing}; this route needs them.")


def text_field(body: dict[str, Any], key: str, hint: str) -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidParameterError(f"{key} must be a string: {hint}.")
    return value


class TransitionRequestHandler(RegistryHandler):
    """Shared: who calls and what they may do on a model."""

    async def me_and_permission(self, name: str) -> tuple[str | None, str | None]:
        guard = self.guard
        if guard is None:  # one user, who may do everything
            return self.user_id, "MANAGE"
        return guard.caller.name, await self.call(guard.permission, KIND, name)

    async def requests_json(self, name: str, found: list[TransitionRequest]) -> list[Any]:
        me, permission = await self.me_and_permission(name)
        out = []
        for request in found:
            request.available_actions = request_actions(request, me, permission)
            out.append(request.to_dict())
        return out

    async def comment_json(self, comment: Comment) -> dict[str, Any]:
        me, permission = await self.me_and_permission(comment.name)
        comment.available_actions = comment_actions(comment, me, permission)
        return comment.to_dict()


class ModelTransitionRequestsHandler(TransitionRequestHandler):
    """``GET registered-models/{name}/transition-requests``: the pending requests of every
    version (the versions table marks them)."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        found = await self.call(self.client.get_pending_transition_requests, name)
        self.write_json({"requests": await self.requests_json(name, found)})


class TransitionRequestsHandler(TransitionRequestHandler):
    """``GET|POST registered-models/{name}/versions/{version}/transition-requests``; POST takes
    ``{"stage", "comment", "archive_existing_versions"}`` and answers 201 ``{"request": ...}``."""

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        found = await self.call(self.client.list_transition_requests, name, version)
        self.write_json({"requests": await self.requests_json(name, found)})

    @web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        body = self.read_json()
        body_fields(body, {"stage", "comment", "archive_existing_versions"}, {"stage"})
        stage = text_field(body, "stage", STAGE_HINT)
        comment = text_field(body, "comment", "why the version should move")
        archive = body.get("archive_existing_versions", False)
        if not isinstance(archive, bool):
            raise InvalidParameterError("archive_existing_versions must be true or false.")
        client, user = self.client, self.user_id
        created = await self.call(
            lambda: client.create_transition_request(
                name, version, stage, comment, archive_existing_versions=archive, user_id=user
            )
        )
        self.write_json({"request": (await self.requests_json(name, [created]))[0]}, 201)


class SettleTransitionRequestHandler(TransitionRequestHandler):
    """``POST registered-models/{name}/versions/{version}/transition-requests/{action}``:
    ``approve`` (``{"stage", "archive_existing_versions", "comment"}``), ``reject``
    (``{"stage", "comment"}``) or ``cancel`` (``{"stage", "creator", "comment"}``); answers
    ``{"activity": ...}``."""

    FIELDS = {
        "approve": {"stage", "archive_existing_versions", "comment"},
        "reject": {"stage", "comment"},
        "cancel": {"stage", "creator", "comment"},
    }

    @web.authenticated
    @authorized
    async def post(self, name: str, version: str, action: str) -> None:
        allowed = self.FIELDS.get(action)
        if allowed is None:
            raise ResourceNotFoundError(
                f"No action {action!r} on transition requests: use approve, reject or cancel."
            )
        body = self.read_json()
        body_fields(body, allowed, {"stage", "creator"} & allowed)
        stage = text_field(body, "stage", STAGE_HINT)
        if stage is None:
            raise InvalidParameterError(f"stage is required: {STAGE_HINT}.")
        comment = text_field(body, "comment", "a note on the decision")
        archive = body.get("archive_existing_versions", False)
        if not isinstance(archive, bool):
            raise InvalidParameterError("archive_existing_versions must be true or false.")
        creator = text_field(body, "creator", "the user who made the request")
        client, user = self.client, self.user_id
        if action == "approve":
            activity = await self.call(
                lambda: client.approve_transition_request(
                    name, version, stage, archive, comment, user_id=user
                )
            )
        elif action == "reject":
            activity = await self.call(
                lambda: client.reject_transition_request(
                    name, version, stage, comment, user_id=user
                )
            )
        else:
            activity = await self.call(
                lambda: client.delete_transition_request(
                    name, version, stage, creator or "", comment, user_id=user
                )
            )
        self.write_json({"activity": activity.to_dict()})
        if action == "approve":
            await self.serving_changed()  # an endpoint following the stage moves now


class CommentsHandler(TransitionRequestHandler):
    """``POST registered-models/{name}/versions/{version}/comments`` with ``{"comment"}``:
    201 ``{"comment": ...}``."""

    @web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        body = self.read_json()
        body_fields(body, {"comment"}, {"comment"})
        text = text_field(body, "comment", "what to say about the version")
        client, user = self.client, self.user_id
        created = await self.call(lambda: client.create_comment(name, version, text, user_id=user))
        self.write_json({"comment": await self.comment_json(created)}, 201)


class CommentHandler(TransitionRequestHandler):
    """``PATCH|DELETE registered-models/{name}/versions/{version}/comments/{comment_id}``;
    PATCH takes ``{"comment"}``. Only the author edits; the author or MANAGE deletes."""

    async def _of_version(self, name: str, version: str, comment_id: str) -> Comment:
        found = await self.call(self.client.get_comment, comment_id)
        if found.name != name or str(found.version) != str(version).strip():
            raise ResourceNotFoundError(
                f"Version {version} of {name!r} has no comment {comment_id}."
            )
        return found

    @web.authenticated
    @authorized
    async def patch(self, name: str, version: str, comment_id: str) -> None:
        body = self.read_json()
        body_fields(body, {"comment"}, {"comment"})
        text = text_field(body, "comment", "the new text")
        await self._of_version(name, version, comment_id)
        client, user = self.client, self.user_id
        updated = await self.call(lambda: client.update_comment(comment_id, text, user_id=user))
        self.write_json({"comment": await self.comment_json(updated)})

    @web.authenticated
    @authorized
    async def delete(self, name: str, version: str, comment_id: str) -> None:
        await self._of_version(name, version, comment_id)
        client = self.client
        # One user's server: its user holds MANAGE on everything, so may remove any comment;
        # in team mode the guarded store decides (the author, or MANAGE).
        user = None if self.guard is None else self.user_id
        await self.call(lambda: client.delete_comment(comment_id, user_id=user))
        self.set_status(204)
        self.finish()


class VersionActivitiesHandler(TransitionRequestHandler):
    """``GET registered-models/{name}/versions/{version}/activities``: ``{"activities",
    "requests", "user", "permission"}`` (the pending requests with the caller's
    ``available_actions``; who calls and their permission on the model); comments
    (``NEW_COMMENT``) carry their ``available_actions`` too."""

    @web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        client = self.client
        activities = await self.call(client.get_model_version_activities, name, version)
        pending = await self.call(client.list_transition_requests, name, version)
        me, permission = await self.me_and_permission(name)
        items = []
        for activity in activities:
            item = activity.to_dict()
            if activity.activity_type == ActivityType.NEW_COMMENT:
                as_comment = Comment(
                    activity.id, name, activity.version, activity.user_id, "", 0, 0
                )
                item["available_actions"] = comment_actions(as_comment, me, permission)
            items.append(item)
        self.write_json(
            {
                "activities": items,
                "requests": await self.requests_json(name, pending),
                "user": me,
                "permission": permission,
            }
        )
