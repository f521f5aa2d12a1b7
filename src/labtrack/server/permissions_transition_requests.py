"""Team mode's rules for transition requests and comments (the ``own`` rules of
:data:`~labtrack.server.permissions_store.RULES` for them).

They follow the permissions of the model registry of MLflow on Databricks, mapped onto
labtrack's READ < EDIT < MANAGE (docs/permissions.md): anyone who may read a model may ask for
a transition and comment; approving and rejecting need what a direct transition needs (EDIT);
a request is cancelled by its requester or someone with MANAGE; a comment is edited by its
author only and deleted by its author or someone with MANAGE. Whoever the call names as
``user_id``, the caller is who acts, so nobody asks or approves in another's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtrack.entities.transition_requests import (
    Activity,
    Comment,
    CommentAction,
    RequestAction,
    TransitionRequest,
)
from labtrack.server.permissions import at_least

if TYPE_CHECKING:
    from labtrack.server.permissions import Guard
    from labtrack.store.contract import TrackingStore

__all__ = ["TransitionRequestRules", "comment_actions", "request_actions"]

MODEL = "registered_model"


def request_actions(
    request: TransitionRequest, caller: str | None, permission: str | None
) -> list[str]:
    """What a caller with ``permission`` on the model may do with a pending request."""
    actions = []
    if at_least(permission, "EDIT"):
        actions += [RequestAction.APPROVE, RequestAction.REJECT]
    if request.user_id == caller or at_least(permission, "MANAGE"):
        actions.append(RequestAction.CANCEL)
    return actions


def comment_actions(comment: Comment, caller: str | None, permission: str | None) -> list[str]:
    """What a caller with ``permission`` on the model may do with a comment."""
    mine = comment.user_id == caller
    actions = [CommentAction.EDIT] if mine else []
    if mine or at_least(permission, "MANAGE"):
        actions.append(CommentAction.DELETE)
    return actions


class TransitionRequestRules:
    """The guarded store's methods for requests and comments (it inherits these)."""

    unguarded: TrackingStore
    guard: Guard

    @property
    def _me(self) -> str:
        return self.guard.caller.name

    def _create_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
        archive_existing_versions: bool = False,
    ) -> TransitionRequest:
        self.guard.require(MODEL, [name], "READ")
        return self.unguarded.create_transition_request(
            name, version, stage, comment, self._me, archive_existing_versions
        )

    def _approve_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        self.guard.require(MODEL, [name], "EDIT")
        return self.unguarded.approve_transition_request(
            name, version, stage, archive_existing_versions, comment, self._me
        )

    def _reject_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        self.guard.require(MODEL, [name], "EDIT")
        return self.unguarded.reject_transition_request(name, version, stage, comment, self._me)

    def _delete_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        creator: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        self.guard.require(MODEL, [name], "READ" if creator == self._me else "MANAGE")
        return self.unguarded.delete_transition_request(
            name, version, stage, creator, comment, self._me
        )

    def _create_comment(
        self, name: str, version: int | str, comment: str, user_id: str | None = None
    ) -> Comment:
        self.guard.require(MODEL, [name], "READ")
        return self.unguarded.create_comment(name, version, comment, self._me)

    def _get_comment(self, comment_id: str) -> Comment:
        found = self.unguarded.get_comment(comment_id)
        self.guard.require(MODEL, [found.name], "READ")
        return found

    def _update_comment(self, comment_id: str, comment: str, user_id: str | None = None) -> Comment:
        self._get_comment(comment_id)
        # The store refuses anyone but the author (an admin included: words are the author's).
        return self.unguarded.update_comment(comment_id, comment, self._me)

    def _delete_comment(self, comment_id: str, user_id: str | None = None) -> None:
        found = self._get_comment(comment_id)
        if found.user_id == self._me:
            self.unguarded.delete_comment(comment_id, self._me)
            return
        self.guard.require(MODEL, [found.name], "MANAGE")
        self.unguarded.delete_comment(comment_id, None)
