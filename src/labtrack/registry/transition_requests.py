"""Stage-transition requests and comments on ``TrackingClient`` (``MlflowClient``).

The names are those of the Databricks SDK's model registry (``create_transition_request``,
``approve_transition_request``, ``list_transition_requests``, ``create_comment``, ...); MLflow
OSS has none of these (docs/mlflow-compatibility.md).

>>> client = TrackingClient()                                            # doctest: +SKIP
>>> client.create_transition_request("churn", 3, "Production", comment="AUC 0.91 on May data")
>>> client.approve_transition_request("churn", 3, "Production", archive_existing_versions=True)
>>> [a.activity_type for a in client.get_model_version_activities("churn", 3)]
['REQUESTED_TRANSITION', 'APPROVED_REQUEST']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtrack.entities.transition_requests import Activity, Comment, TransitionRequest
from labtrack.errors import InvalidParameterError
from labtrack.utils.user import current_user

if TYPE_CHECKING:
    from labtrack.store.contract import TrackingStore

__all__ = ["TransitionRequestClientMixin"]


class TransitionRequestClientMixin:
    """Request, approve, reject and cancel stage transitions; comment on versions."""

    @property
    def _registry_store(self) -> TrackingStore:  # pragma: no cover - the registry mixin's
        raise NotImplementedError

    def create_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        *,
        archive_existing_versions: bool = False,
        user_id: str | None = None,
    ) -> TransitionRequest:
        """Ask for version ``version`` of ``name`` to move to ``stage``, saying why in
        ``comment``; it stays pending until approved, rejected or cancelled.
        ``archive_existing_versions`` asks the approver to archive the versions in that stage
        (the approver decides)."""
        return self._registry_store.create_transition_request(
            name, version, stage, comment, user_id or current_user(), archive_existing_versions
        )

    def list_transition_requests(self, name: str, version: int | str) -> list[TransitionRequest]:
        """The version's pending requests, oldest first."""
        return self._registry_store.get_transition_requests(name, version)

    def get_pending_transition_requests(self, name: str) -> list[TransitionRequest]:
        """The pending requests of every version of the model."""
        return self._registry_store.get_pending_transition_requests(name)

    def approve_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        comment: str | None = None,
        *,
        user_id: str | None = None,
    ) -> Activity:
        """Approve the pending request(s) to move the version to ``stage``: the version moves
        now (with ``archive_existing_versions``, the others in that stage go to Archived)."""
        if not isinstance(archive_existing_versions, bool):
            raise InvalidParameterError("archive_existing_versions must be True or False.")
        return self._registry_store.approve_transition_request(
            name, version, stage, archive_existing_versions, comment, user_id or current_user()
        )

    def reject_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        comment: str | None = None,
        *,
        user_id: str | None = None,
    ) -> Activity:
        """Reject the pending request(s) to move the version to ``stage``, saying why."""
        return self._registry_store.reject_transition_request(
            name, version, stage, comment, user_id or current_user()
        )

    def delete_transition_request(
        self,
        name: str,
        version: int | str,
        stage: str,
        creator: str,
        comment: str | None = None,
        *,
        user_id: str | None = None,
    ) -> Activity:
        """Cancel ``creator``'s pending request to move the version to ``stage``."""
        return self._registry_store.delete_transition_request(
            name, version, stage, creator, comment, user_id or current_user()
        )

    def create_comment(
        self, name: str, version: int | str, comment: str, *, user_id: str | None = None
    ) -> Comment:
        """Comment on a version (test results, a deployment note ...)."""
        return self._registry_store.create_comment(
            name, version, comment, user_id or current_user()
        )

    def get_comment(self, id: str) -> Comment:  # noqa: A002 - Databricks' name
        """One comment (which version it is on, who wrote it, its text)."""
        return self._registry_store.get_comment(str(id))

    def update_comment(self, id: str, comment: str, *, user_id: str | None = None) -> Comment:  # noqa: A002 - Databricks' name
        """Change the text of one of your comments."""
        return self._registry_store.update_comment(str(id), comment, user_id or current_user())

    def delete_comment(self, id: str, *, user_id: str | None = None) -> None:  # noqa: A002 - Databricks' name
        """Delete one of your comments."""
        self._registry_store.delete_comment(str(id), user_id or current_user())

    def get_model_version_activities(self, name: str, version: int | str) -> list[Activity]:
        """Everything that happened to the version, oldest first: requests and their
        outcomes, direct stage moves, comments."""
        return self._registry_store.get_model_version_activities(name, version)
