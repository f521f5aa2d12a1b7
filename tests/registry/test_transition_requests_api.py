"""Transition requests and comments over labtrack's REST API and over MLflow's protocol
(Databricks' ``transition-requests/*`` and ``comments/*`` RPCs), through a real Jupyter server
with one user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from labtrack import config
from labtrack.store.sql.store import SqlTrackingStore
from labtrack.utils.user import current_user
from tests.server.helpers import api

VERSION = "registered-models/churn/versions"
ALL_ACTIONS = [
    "APPROVE_TRANSITION_REQUEST",
    "REJECT_TRANSITION_REQUEST",
    "CANCEL_TRANSITION_REQUEST",
]


@pytest.fixture
def versions(labtrack_home: Path) -> Iterator[SqlTrackingStore]:
    """The server's store with model ``churn`` and versions 1 and 2 (1 in Production)."""
    where = config.resolve()
    store = SqlTrackingStore(where.tracking_uri, where.artifact_root)
    store.create_registered_model("churn")
    for i in range(2):
        store.create_model_version("churn", f"{where.artifact_root}/src/{i}", user_id="ana")
    store.transition_model_version_stage("churn", 1, "Production", user_id="ana")
    yield store
    store.close()


async def mlflow(jp_fetch: Any, verb: str, rpc: str, **fields: Any) -> tuple[int, Any]:
    """MLflow's ``api/2.0/mlflow/<rpc>``: GET and DELETE with a query, others with JSON."""
    kwargs: dict[str, Any] = {"method": verb}
    if verb in ("GET", "DELETE"):
        kwargs["params"] = {k: str(v) for k, v in fields.items()}
    else:
        kwargs["body"] = json.dumps(fields)
        kwargs["headers"] = {"Content-Type": "application/json"}
    try:
        response = await jp_fetch(
            "labtrack", "mlflow", "api", "2.0", "mlflow", *rpc.split("/"), **kwargs
        )
    except HTTPClientError as err:
        assert err.response is not None
        return err.code, json.loads(err.response.body or b"{}")
    return response.code, json.loads(response.body or b"{}")


async def test_request_then_approve_moves_the_version_and_archives_the_old_one(
    jp_fetch: Any, versions: SqlTrackingStore
) -> None:
    code, made = await api(
        jp_fetch,
        "POST",
        f"{VERSION}/2/transition-requests",
        {"stage": "production", "comment": "AUC 0.91"},
    )
    assert code == 201
    request = made["request"]
    assert (request["to_stage"], request["comment"], request["user_id"], request["state"]) == (
        "Production",
        "AUC 0.91",
        current_user(),
        "PENDING",
    )
    assert request["available_actions"] == ALL_ACTIONS
    code, listed = await api(jp_fetch, "GET", "registered-models/churn/transition-requests")
    assert [(r["version"], r["to_stage"]) for r in listed["requests"]] == [(2, "Production")]

    code, settled = await api(
        jp_fetch,
        "POST",
        f"{VERSION}/2/transition-requests/approve",
        {"stage": "Production", "archive_existing_versions": True, "comment": "ship it"},
    )

    assert code == 200
    assert settled["activity"]["activity_type"] == "APPROVED_REQUEST"
    assert versions.get_model_version("churn", 2).current_stage == "Production"
    assert versions.get_model_version("churn", 1).current_stage == "Archived"
    code, seen = await api(jp_fetch, "GET", f"{VERSION}/2/activities")
    assert [(a["activity_type"], a["to_stage"], a["comment"]) for a in seen["activities"]] == [
        ("REQUESTED_TRANSITION", "Production", "AUC 0.91"),
        ("APPROVED_REQUEST", "Production", "ship it"),
    ]
    assert seen["requests"] == [] and seen["permission"] == "MANAGE"


async def test_reject_and_cancel_leave_the_version_where_it_was(
    jp_fetch: Any, versions: SqlTrackingStore
) -> None:
    me = current_user()
    await api(jp_fetch, "POST", f"{VERSION}/2/transition-requests", {"stage": "Staging"})
    await api(jp_fetch, "POST", f"{VERSION}/2/transition-requests", {"stage": "Archived"})

    code, rejected = await api(
        jp_fetch,
        "POST",
        f"{VERSION}/2/transition-requests/reject",
        {"stage": "Staging", "comment": "no"},
    )
    assert (code, rejected["activity"]["activity_type"]) == (200, "REJECTED_REQUEST")
    code, cancelled = await api(
        jp_fetch,
        "POST",
        f"{VERSION}/2/transition-requests/cancel",
        {"stage": "Archived", "creator": me},
    )
    assert (code, cancelled["activity"]["activity_type"]) == (200, "CANCELLED_REQUEST")

    assert versions.get_model_version("churn", 2).current_stage == "None"
    assert versions.get_transition_requests("churn", 2) == []


@pytest.mark.parametrize(
    ("route", "body", "status", "says"),
    [
        ("transition-requests", {"stage": "Prod"}, 400, "Invalid stage 'Prod'"),
        ("transition-requests", {"stage": "Staging", "user_id": "x"}, 400, "Unknown fields"),
        ("transition-requests", {"comment": "hi"}, 400, "Missing fields ['stage']"),
        ("transition-requests", {"stage": 3}, 400, "stage must be a string"),
        ("transition-requests/approve", {"stage": "Staging"}, 404, "No pending request"),
        (
            "transition-requests/approve",
            {"stage": "Staging", "archive_existing_versions": "yes"},
            400,
            "true or false",
        ),
        ("transition-requests/cancel", {"stage": "Staging"}, 400, "Missing fields ['creator']"),
        ("transition-requests/merge", {"stage": "Staging"}, 404, "approve, reject or cancel"),
        ("comments", {"comment": ""}, 400, "cannot be empty"),
    ],
)
async def test_bad_input_is_refused_and_writes_nothing(
    jp_fetch: Any, versions: SqlTrackingStore, route: str, body: Any, status: int, says: str
) -> None:
    code, answer = await api(jp_fetch, "POST", f"{VERSION}/2/{route}", body)

    assert code == status, answer
    assert says in answer["message"]
    assert versions.get_model_version_activities("churn", 2) == []
    assert versions.get_model_version("churn", 2).current_stage == "None"


async def test_acting_on_a_settled_request_is_a_400_and_writes_nothing(
    jp_fetch: Any, versions: SqlTrackingStore
) -> None:
    await api(jp_fetch, "POST", f"{VERSION}/2/transition-requests", {"stage": "Staging"})
    await api(jp_fetch, "POST", f"{VERSION}/2/transition-requests/reject", {"stage": "Staging"})
    before = versions.get_model_version_activities("churn", 2)

    code, answer = await api(
        jp_fetch, "POST", f"{VERSION}/2/transition-requests/approve", {"stage": "Staging"}
    )

    assert (code, answer["error_code"]) == (400, "INVALID_STATE")
    assert "already rejected" in answer["message"]
    assert versions.get_model_version_activities("churn", 2) == before
    assert versions.get_model_version("churn", 2).current_stage == "None"


async def test_comments_are_added_edited_and_deleted(
    jp_fetch: Any, versions: SqlTrackingStore
) -> None:
    code, made = await api(jp_fetch, "POST", f"{VERSION}/2/comments", {"comment": "F1 0.8"})
    assert code == 201
    comment = made["comment"]
    assert comment["available_actions"] == ["EDIT_COMMENT", "DELETE_COMMENT"]

    code, edited = await api(
        jp_fetch, "PATCH", f"{VERSION}/2/comments/{comment['id']}", {"comment": "F1 0.81"}
    )
    assert (code, edited["comment"]["comment"]) == (200, "F1 0.81")
    code, _ = await api(
        jp_fetch, "PATCH", f"{VERSION}/1/comments/{comment['id']}", {"comment": "x"}
    )
    assert code == 404  # the comment is on version 2
    code, seen = await api(jp_fetch, "GET", f"{VERSION}/2/activities")
    assert [
        (a["activity_type"], a["comment"], a["available_actions"]) for a in seen["activities"]
    ] == [("NEW_COMMENT", "F1 0.81", ["EDIT_COMMENT", "DELETE_COMMENT"])]
    code, _ = await api(jp_fetch, "DELETE", f"{VERSION}/2/comments/{comment['id']}")
    assert code == 204
    assert versions.get_model_version_activities("churn", 2) == []


async def test_the_databricks_rpcs_on_mlflows_protocol(
    jp_fetch: Any, versions: SqlTrackingStore
) -> None:
    me = current_user()
    code, made = await mlflow(
        jp_fetch,
        "POST",
        "transition-requests/create",
        name="churn",
        version="2",
        stage="Staging",
        comment="try",
    )
    assert code == 200
    assert made["request"] == {
        "available_actions": ALL_ACTIONS,
        "comment": "try",
        "creation_timestamp": made["request"]["creation_timestamp"],
        "to_stage": "Staging",
        "user_id": me,
    }
    code, listed = await mlflow(
        jp_fetch, "GET", "transition-requests/list", name="churn", version="2"
    )
    assert [(r["activity_type"], r["to_stage"], r["user_id"]) for r in listed["requests"]] == [
        ("REQUESTED_TRANSITION", "Staging", me)
    ]
    code, approved = await mlflow(
        jp_fetch,
        "POST",
        "transition-requests/approve",
        name="churn",
        version="2",
        stage="Staging",
        archive_existing_versions=False,
    )
    assert approved["activity"]["activity_type"] == "APPROVED_REQUEST"
    assert approved["activity"]["from_stage"] == "None"
    assert versions.get_model_version("churn", 2).current_stage == "Staging"

    await mlflow(
        jp_fetch,
        "POST",
        "transition-requests/create",
        name="churn",
        version="2",
        stage="Production",
    )
    code, rejected = await mlflow(
        jp_fetch,
        "POST",
        "transition-requests/reject",
        name="churn",
        version="2",
        stage="Production",
        comment="no",
    )
    assert rejected["activity"]["activity_type"] == "REJECTED_REQUEST"
    await mlflow(
        jp_fetch, "POST", "transition-requests/create", name="churn", version="2", stage="Archived"
    )
    code, cancelled = await mlflow(
        jp_fetch,
        "DELETE",
        "transition-requests/delete",
        name="churn",
        version="2",
        stage="Archived",
        creator=me,
    )
    assert (code, cancelled["activity"]["activity_type"]) == (200, "CANCELLED_REQUEST")
    code, missing = await mlflow(
        jp_fetch,
        "DELETE",
        "transition-requests/delete",
        name="churn",
        version="2",
        stage="Archived",
        creator=me,
    )
    assert code == 400 and "already cancelled" in missing["message"]

    code, comment = await mlflow(
        jp_fetch, "POST", "comments/create", name="churn", version="2", comment="hi"
    )
    assert comment["comment"]["comment"] == "hi"
    assert comment["comment"]["available_actions"] == ["EDIT_COMMENT", "DELETE_COMMENT"]
    cid = comment["comment"]["id"]
    code, edited = await mlflow(jp_fetch, "PATCH", "comments/update", id=cid, comment="hello")
    assert edited["comment"]["comment"] == "hello"
    assert (await mlflow(jp_fetch, "DELETE", "comments/delete", id=cid)) == (200, {})
    code, gone = await mlflow(jp_fetch, "DELETE", "comments/delete", id=cid)
    assert (code, gone["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    code, bad = await mlflow(
        jp_fetch, "POST", "transition-requests/create", name="churn", version="2", stage="Prod"
    )
    assert (code, bad["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    kinds = [a.activity_type for a in versions.get_model_version_activities("churn", 2)]
    assert kinds == [
        "REQUESTED_TRANSITION",
        "APPROVED_REQUEST",
        "REQUESTED_TRANSITION",
        "REJECTED_REQUEST",
        "REQUESTED_TRANSITION",
        "CANCELLED_REQUEST",
    ]
