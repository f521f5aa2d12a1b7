"""The store contract's part for stage-transition requests and comments on model versions.

:class:`~labtrack.store.contract.TrackingStore` extends it; the errors follow the rules written
at the top of :mod:`labtrack.store.contract`. The names and semantics are those of the model
registry of MLflow on Databricks (``transition-requests/create|approve|reject|list|delete``,
``comments/create|update|delete``): a pending request is known by its version, its target stage
and who asked (``creator``); approving or rejecting acts on every pending request of the
version to that stage. ``user_id`` is who acts; the store records it and does not decide who
may act (the server does, :mod:`labtrack.server.permissions_store`), except that only a
comment's author may edit it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from labtrack.entities.transition_requests import Activity, Comment, TransitionRequest

__all__ = ["COMMENT_MAX_LENGTH", "TransitionRequestStore"]

# Databricks' limit for a comment (its API refuses longer ones).
COMMENT_MAX_LENGTH = 65535


class TransitionRequestStore(ABC):
    """Transition requests, comments and activities of model versions."""

    @abstractmethod
    def create_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
        archive_existing_versions: bool = False,
    ) -> TransitionRequest:
        """Ask for the version to move to ``stage`` (``archive_existing_versions``: asking that
        the approval archive the versions in that stage); return the pending request.
        ResourceNotFoundError if the model or version does not exist; InvalidParameterError
        for an unknown stage, the version's current stage, a comment too long, or archiving
        for None or Archived;
        ResourceAlreadyExistsError if ``user_id`` already has a pending request to that
        stage."""

    @abstractmethod
    def get_transition_requests(self, name: str, version: int | str) -> list[TransitionRequest]:
        """The version's pending requests, oldest first. ResourceNotFoundError if the model or
        version does not exist."""

    @abstractmethod
    def get_pending_transition_requests(self, name: str) -> list[TransitionRequest]:
        """The pending requests of every version of the model, by version then age.
        ResourceNotFoundError if the model does not exist."""

    @abstractmethod
    def approve_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        """Approve the pending requests of the version to ``stage``: move it there (with
        ``archive_existing_versions`` the other versions in that stage to Archived) and return
        the ``APPROVED_REQUEST`` activity. ResourceNotFoundError if the model or version does
        not exist or no request to that stage is pending; InvalidParameterError as
        ``transition_model_version_stage`` has it."""

    @abstractmethod
    def reject_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        """Reject the pending requests of the version to ``stage`` (the version stays where it
        is) and return the ``REJECTED_REQUEST`` activity. ResourceNotFoundError as in
        ``approve_transition_request``."""

    @abstractmethod
    def delete_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        creator: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        """Cancel ``creator``'s pending request of the version to ``stage`` and return the
        ``CANCELLED_REQUEST`` activity. ResourceNotFoundError if there is no such pending
        request."""

    @abstractmethod
    def create_comment(
        self, name: str, version: int | str, comment: str, user_id: str | None = None
    ) -> Comment:
        """Add a comment to the version and return it. ResourceNotFoundError if the model or
        version does not exist; InvalidParameterError for an empty or too long comment."""

    @abstractmethod
    def get_comment(self, comment_id: str) -> Comment:
        """One comment. ResourceNotFoundError if there is none with that id."""

    @abstractmethod
    def update_comment(self, comment_id: str, comment: str, user_id: str | None = None) -> Comment:
        """Change a comment's text and return it. ResourceNotFoundError for an unknown id;
        PermissionDeniedError if ``user_id`` is given and is not the comment's author."""

    @abstractmethod
    def delete_comment(self, comment_id: str, user_id: str | None = None) -> None:
        """Delete a comment. ResourceNotFoundError for an unknown id; PermissionDeniedError if
        ``user_id`` is given and is not the comment's author."""

    @abstractmethod
    def get_model_version_activities(self, name: str, version: int | str) -> list[Activity]:
        """Everything that happened to the version, oldest first: requests and what became of
        them, stage moves made directly, comments. ResourceNotFoundError if the model or
        version does not exist."""
