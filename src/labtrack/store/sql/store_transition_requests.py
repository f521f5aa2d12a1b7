"""The SQL store's transition-request and comment methods, handed to their repository.

:class:`~.store.SqlTrackingStore` inherits these (as the REST store inherits its team-mode
methods), so the store module keeps to one screenful per area.
"""

from __future__ import annotations

from labtrack.entities.transition_requests import Activity, Comment, TransitionRequest
from labtrack.store.contract_transition_requests import TransitionRequestStore
from labtrack.store.sql.transition_requests import TransitionRequestRepository

__all__ = ["SqlTransitionRequestMethods"]


class SqlTransitionRequestMethods(TransitionRequestStore):
    """:class:`~labtrack.store.contract_transition_requests.TransitionRequestStore` over
    ``self.transition_requests``."""

    transition_requests: TransitionRequestRepository

    def create_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
        archive_existing_versions: bool = False,
    ) -> TransitionRequest:
        return self.transition_requests.create_transition_request(
            name, version, stage, comment, user_id, archive_existing_versions
        )

    def get_transition_requests(self, name: str, version: int | str) -> list[TransitionRequest]:
        return self.transition_requests.get_transition_requests(name, version)

    def get_pending_transition_requests(self, name: str) -> list[TransitionRequest]:
        return self.transition_requests.get_pending_transition_requests(name)

    def approve_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        return self.transition_requests.approve_transition_request(
            name, version, stage, archive_existing_versions, comment, user_id
        )

    def reject_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        return self.transition_requests.reject_transition_request(
            name, version, stage, comment, user_id
        )

    def delete_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        creator: str,
        comment: str | None = None,
        user_id: str | None = None,
    ) -> Activity:
        return self.transition_requests.delete_transition_request(
            name, version, stage, creator, comment, user_id
        )

    def create_comment(
        self, name: str, version: int | str, comment: str, user_id: str | None = None
    ) -> Comment:
        return self.transition_requests.create_comment(name, version, comment, user_id)

    def get_comment(self, comment_id: str) -> Comment:
        return self.transition_requests.get_comment(comment_id)

    def update_comment(self, comment_id: str, comment: str, user_id: str | None = None) -> Comment:
        return self.transition_requests.update_comment(comment_id, comment, user_id)

    def delete_comment(self, comment_id: str, user_id: str | None = None) -> None:
        self.transition_requests.delete_comment(comment_id, user_id)

    def get_model_version_activities(self, name: str, version: int | str) -> list[Activity]:
        return self.transition_requests.get_model_version_activities(name, version)
