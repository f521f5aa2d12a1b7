"""Stage-transition requests, comments and the activity of a model version.

They follow the model registry of MLflow on Databricks (REST API 2.0): a user asks for a version
to move to a stage (``REQUESTED_TRANSITION``, with a comment), someone allowed to move it
approves (``APPROVED_REQUEST``: the move happens then) or rejects (``REJECTED_REQUEST``), or the
requester withdraws it (``CANCELLED_REQUEST``); comments stand on their own (``NEW_COMMENT``);
moves made directly are ``APPLIED_TRANSITION``. Field names are Databricks' (``to_stage``,
``user_id``, ``creation_timestamp``, ``available_actions``...), so JSON read from either
service reads the same.

>>> ActivityType.REQUESTED_TRANSITION
'REQUESTED_TRANSITION'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Activity",
    "ActivityType",
    "Comment",
    "CommentAction",
    "RequestAction",
    "RequestState",
    "TransitionRequest",
]


class ActivityType:
    """What happened to a version (Databricks' ``ActivityType`` values)."""

    REQUESTED_TRANSITION = "REQUESTED_TRANSITION"
    APPROVED_REQUEST = "APPROVED_REQUEST"
    REJECTED_REQUEST = "REJECTED_REQUEST"
    CANCELLED_REQUEST = "CANCELLED_REQUEST"
    APPLIED_TRANSITION = "APPLIED_TRANSITION"
    SYSTEM_TRANSITION = "SYSTEM_TRANSITION"
    NEW_COMMENT = "NEW_COMMENT"


class RequestState:
    """Where a request stands. Only a ``PENDING`` one can be approved, rejected or cancelled."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


class RequestAction:
    """What the caller may do with a pending request (Databricks' ``available_actions``)."""

    APPROVE = "APPROVE_TRANSITION_REQUEST"
    REJECT = "REJECT_TRANSITION_REQUEST"
    CANCEL = "CANCEL_TRANSITION_REQUEST"


class CommentAction:
    """What the caller may do with a comment (Databricks' ``available_actions``)."""

    EDIT = "EDIT_COMMENT"
    DELETE = "DELETE_COMMENT"


@dataclass(slots=True)
class TransitionRequest:
    """A request to move version ``version`` of ``name`` to ``to_stage``, by ``user_id``."""

    id: str
    name: str
    version: int
    to_stage: str
    user_id: str | None
    creation_timestamp: int
    comment: str | None = None
    state: str = RequestState.PENDING
    # What the requester asks the approval to do with the versions in ``to_stage``; the
    # approver decides (``approve_transition_request``'s argument), this is the default shown.
    archive_existing_versions: bool = False
    # Filled in by the server for the caller; the store leaves it empty.
    available_actions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Activity:
    """One event in a version's history: a request and its outcome, a move, a comment."""

    id: str
    name: str
    version: int
    activity_type: str
    user_id: str | None
    creation_timestamp: int
    last_updated_timestamp: int
    from_stage: str | None = None
    to_stage: str | None = None
    comment: str | None = None
    # What labtrack itself adds, e.g. which other versions an approval archived.
    system_comment: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Comment:
    """A comment on a model version (Databricks' ``CommentObject``)."""

    id: str
    name: str
    version: int
    user_id: str | None
    comment: str
    creation_timestamp: int
    last_updated_timestamp: int
    # Filled in by the server for the caller; the store leaves it empty.
    available_actions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
