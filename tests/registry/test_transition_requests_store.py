"""Stage-transition requests, comments and activities in the SQL store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    PermissionDeniedError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from labtrack.store.sql.store import SqlTrackingStore


def _model(store: SqlTrackingStore, versions: int = 2) -> None:
    store.create_registered_model("churn")
    for i in range(versions):
        store.create_model_version("churn", f"{store.artifact_root}/src/{i}", user_id="ana")


def _kinds(store: SqlTrackingStore, version: int) -> list[tuple[str, str | None, str | None]]:
    return [
        (a.activity_type, a.to_stage, a.user_id)
        for a in store.get_model_version_activities("churn", version)
    ]


def test_a_request_stays_pending_until_approved_then_the_version_moves(
    store: SqlTrackingStore,
) -> None:
    _model(store)

    request = store.create_transition_request("churn", 2, "staging", "AUC 0.91", user_id="bob")

    assert (request.to_stage, request.user_id, request.comment, request.state) == (
        "Staging",
        "bob",
        "AUC 0.91",
        "PENDING",
    )
    assert store.get_model_version("churn", 2).current_stage == "None"
    assert [r.id for r in store.get_transition_requests("churn", 2)] == [request.id]
    assert [(r.version, r.to_stage) for r in store.get_pending_transition_requests("churn")] == [
        (2, "Staging")
    ]

    approved = store.approve_transition_request("churn", 2, "Staging", comment="ok", user_id="ana")

    assert (approved.activity_type, approved.from_stage, approved.to_stage) == (
        "APPROVED_REQUEST",
        "None",
        "Staging",
    )
    assert store.get_model_version("churn", 2).current_stage == "Staging"
    assert store.get_transition_requests("churn", 2) == []
    assert store.get_pending_transition_requests("churn") == []
    # The move is recorded once in the activity (as the approval), and as a transition.
    assert _kinds(store, 2) == [
        ("REQUESTED_TRANSITION", "Staging", "bob"),
        ("APPROVED_REQUEST", "Staging", "ana"),
    ]
    assert [t.to_stage for t in store.get_model_version_transitions("churn", 2)] == ["Staging"]


def test_approving_with_archive_existing_archives_the_others_as_a_system_transition(
    store: SqlTrackingStore,
) -> None:
    _model(store)
    store.transition_model_version_stage("churn", 1, "Production", user_id="ana")
    store.create_transition_request("churn", 2, "Production", user_id="bob")

    approved = store.approve_transition_request(
        "churn", 2, "Production", archive_existing_versions=True, user_id="ana"
    )

    assert store.get_model_version("churn", 1).current_stage == "Archived"
    assert store.get_model_version("churn", 2).current_stage == "Production"
    assert approved.system_comment is not None and "1" in approved.system_comment
    assert _kinds(store, 1) == [
        ("APPLIED_TRANSITION", "Production", "ana"),
        ("SYSTEM_TRANSITION", "Archived", "ana"),
    ]


def test_a_rejected_request_leaves_the_version_where_it_was(store: SqlTrackingStore) -> None:
    _model(store)
    store.create_transition_request("churn", 1, "Production", user_id="bob")

    rejected = store.reject_transition_request("churn", 1, "Production", "not yet", "ana")

    assert (rejected.activity_type, rejected.comment) == ("REJECTED_REQUEST", "not yet")
    assert store.get_model_version("churn", 1).current_stage == "None"
    assert store.get_transition_requests("churn", 1) == []
    assert store.get_model_version_transitions("churn", 1) == []


def test_approving_rejects_or_cancelling_a_settled_request_is_refused_and_writes_nothing(
    store: SqlTrackingStore,
) -> None:
    _model(store)
    store.create_transition_request("churn", 1, "Staging", user_id="bob")
    store.reject_transition_request("churn", 1, "Staging", user_id="ana")
    before = _kinds(store, 1)

    with pytest.raises(InvalidStateError, match="already rejected"):
        store.approve_transition_request("churn", 1, "Staging", user_id="ana")
    with pytest.raises(InvalidStateError, match="already rejected"):
        store.delete_transition_request("churn", 1, "Staging", "bob", user_id="bob")
    with pytest.raises(ResourceNotFoundError, match="No pending request"):
        store.reject_transition_request("churn", 1, "Production", user_id="ana")

    assert _kinds(store, 1) == before
    assert store.get_model_version("churn", 1).current_stage == "None"


def test_the_requester_cancels_their_own_request(store: SqlTrackingStore) -> None:
    _model(store)
    store.create_transition_request("churn", 1, "Staging", user_id="bob")
    store.create_transition_request("churn", 1, "Staging", user_id="carol")

    with pytest.raises(ResourceNotFoundError, match="by 'dave'"):
        store.delete_transition_request("churn", 1, "Staging", "dave", user_id="dave")
    cancelled = store.delete_transition_request("churn", 1, "Staging", "bob", "oops", "bob")

    assert cancelled.activity_type == "CANCELLED_REQUEST"
    assert [r.user_id for r in store.get_transition_requests("churn", 1)] == ["carol"]


def test_bad_requests_are_refused_with_what_to_do(store: SqlTrackingStore) -> None:
    _model(store)
    store.transition_model_version_stage("churn", 1, "Staging", user_id="ana")
    store.create_transition_request("churn", 2, "Staging", user_id="bob")

    with pytest.raises(InvalidParameterError, match="Invalid stage 'Prod'"):
        store.create_transition_request("churn", 2, "Prod", user_id="bob")
    with pytest.raises(InvalidParameterError, match="already in Staging"):
        store.create_transition_request("churn", 1, "Staging", user_id="bob")
    with pytest.raises(ResourceAlreadyExistsError, match="cancel it first"):
        store.create_transition_request("churn", 2, "Staging", user_id="bob")
    with pytest.raises(ResourceNotFoundError, match="version 9"):
        store.create_transition_request("churn", 9, "Staging", user_id="bob")
    with pytest.raises(InvalidParameterError, match="limit is 65535"):
        store.create_transition_request("churn", 2, "Production", "x" * 65536, user_id="bob")
    store.create_transition_request("churn", 2, "Production", user_id="bob")
    with pytest.raises(InvalidParameterError, match="only to Staging and Production"):
        store.approve_transition_request("churn", 2, "Archived", True, user_id="ana")

    assert [r.to_stage for r in store.get_transition_requests("churn", 2)] == [
        "Staging",
        "Production",
    ]


def test_comments_are_edited_only_by_their_author(store: SqlTrackingStore) -> None:
    _model(store)
    comment = store.create_comment("churn", 1, "F1 dropped on May data", user_id="bob")

    with pytest.raises(PermissionDeniedError, match="Only the author"):
        store.update_comment(comment.id, "fine", user_id="ana")
    with pytest.raises(PermissionDeniedError, match="Only the author"):
        store.delete_comment(comment.id, user_id="ana")
    with pytest.raises(InvalidParameterError, match="cannot be empty"):
        store.create_comment("churn", 1, "  ", user_id="bob")
    with pytest.raises(InvalidParameterError, match="Invalid comment id"):
        store.get_comment("abc")
    edited = store.update_comment(comment.id, "F1 dropped 2 points", user_id="bob")

    assert edited.comment == "F1 dropped 2 points"
    assert store.get_comment(comment.id).comment == "F1 dropped 2 points"
    assert [
        (a.activity_type, a.comment) for a in store.get_model_version_activities("churn", 1)
    ] == [("NEW_COMMENT", "F1 dropped 2 points")]
    store.delete_comment(comment.id, user_id="bob")
    with pytest.raises(ResourceNotFoundError, match=f"No comment with id {comment.id}"):
        store.get_comment(comment.id)
    assert store.get_model_version_activities("churn", 1) == []


def test_requests_and_comments_go_with_a_deleted_version_and_follow_a_rename(
    store: SqlTrackingStore,
) -> None:
    _model(store)
    store.create_transition_request("churn", 1, "Staging", user_id="bob")
    store.create_transition_request("churn", 2, "Staging", user_id="bob")
    kept = store.create_comment("churn", 2, "keep", user_id="bob")
    gone = store.create_comment("churn", 1, "gone", user_id="bob")

    store.delete_model_version("churn", 1)
    store.rename_registered_model("churn", "churn-2")

    assert [(r.name, r.version) for r in store.get_pending_transition_requests("churn-2")] == [
        ("churn-2", 2)
    ]
    assert store.get_comment(kept.id).name == "churn-2"
    with pytest.raises(ResourceNotFoundError):
        store.get_comment(gone.id)
    with pytest.raises(ResourceNotFoundError, match="not found"):
        store.get_pending_transition_requests("churn")


def test_a_request_carries_the_wish_to_archive_what_is_in_the_stage(
    store: SqlTrackingStore,
) -> None:
    _model(store)

    asked = store.create_transition_request(
        "churn", 2, "Production", user_id="bob", archive_existing_versions=True
    )

    assert asked.archive_existing_versions is True
    assert store.get_transition_requests("churn", 2)[0].archive_existing_versions is True
    with pytest.raises(InvalidParameterError, match="only to Staging and Production"):
        store.create_transition_request(
            "churn", 2, "Archived", user_id="bob", archive_existing_versions=True
        )
