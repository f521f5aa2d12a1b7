"""Transition requests and comments in the REST store: each answered by the server's store,
for the user whose token the store sends (the server records that user, not ``user_id``, in
team mode)."""

# The bodies are the declarations @remote replaces.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from labtrack.entities.transition_requests import Activity, Comment, TransitionRequest
from labtrack.store.contract_transition_requests import TransitionRequestStore
from labtrack.store.rest.remote import remote

__all__ = ["RemoteTransitionRequestStore"]


class RemoteTransitionRequestStore(TransitionRequestStore):
    """The :class:`~labtrack.store.contract_transition_requests.TransitionRequestStore`
    methods, remote."""

    @remote
    def create_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
        archive_existing_versions: bool = False,
    ) -> TransitionRequest: ...

    @remote
    def get_transition_requests(self, name: str, version: int | str) -> list[TransitionRequest]: ...

    @remote
    def get_pending_transition_requests(self, name: str) -> list[TransitionRequest]: ...

    @remote
    def approve_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity: ...

    @remote
    def reject_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity: ...

    @remote
    def delete_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        creator: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity: ...

    @remote
    def create_comment(
        self, name: str, version: int | str, comment: str, user_id: str | None = None
    ) -> Comment: ...

    @remote
    def get_comment(self, comment_id: str) -> Comment: ...

    @remote
    def update_comment(
        self, comment_id: str, comment: str, user_id: str | None = None
    ) -> Comment: ...

    @remote
    def delete_comment(self, comment_id: str, user_id: str | None = None) -> None: ...

    @remote
    def get_model_version_activities(self, name: str, version: int | str) -> list[Activity]: ...
