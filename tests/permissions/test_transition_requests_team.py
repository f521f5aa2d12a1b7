"""Team mode: who may request, approve, reject and cancel transitions, and comment
(docs/permissions.md), over labtrack's REST API and MLflow's protocol. A refused call is a 403
and writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtrack import config
from labtrack.store.sql.store import SqlTrackingStore
from tests.permissions.conftest import share
from tests.permissions.test_protocols import mlflow, mlflow_refused
from tests.permissions.test_rest_api import call, refused

V2 = ("registered-models", "m", "versions", "2")


@pytest.fixture
def server_store(labtrack_home: Path) -> Iterator[SqlTrackingStore]:
    """The store the server reads."""
    where = config.resolve()
    store = SqlTrackingStore(where.tracking_uri, where.artifact_root)
    yield store
    store.close()


async def shared_model(jp_fetch: Any, store: SqlTrackingStore) -> SqlTrackingStore:
    """Model ``m`` owned by alice, with versions 1 and 2, shared READ with bob."""
    await call(jp_fetch, "alice", "POST", "registered-models", body={"name": "m"})
    for i in range(2):
        store.create_model_version("m", f"{store.artifact_root}/src/{i}", user_id="alice")
    await share(jp_fetch, "alice", "registered-models/m", "user", "bob", "READ")
    return store


async def test_a_read_user_requests_but_cannot_approve_their_own_request(
    jp_fetch: Any, server_store: SqlTrackingStore
) -> None:
    model = await shared_model(jp_fetch, server_store)
    made = await call(
        jp_fetch, "bob", "POST", *V2, "transition-requests", body={"stage": "Production"}
    )
    assert made["request"]["user_id"] == "bob"
    assert made["request"]["available_actions"] == ["CANCEL_TRANSITION_REQUEST"]

    denied = await refused(
        jp_fetch, "bob", "POST", *V2, "transition-requests", "approve", body={"stage": "Production"}
    )
    assert denied["message"].startswith("bob needs EDIT on registered model 'm'")
    await refused(
        jp_fetch, "bob", "POST", *V2, "transition-requests", "reject", body={"stage": "Production"}
    )
    await mlflow_refused(
        jp_fetch,
        "bob",
        "POST",
        "transition-requests/approve",
        name="m",
        version="2",
        stage="Production",
    )

    # Nothing was written: still pending, still in None, no activity but the request.
    assert model.get_model_version("m", 2).current_stage == "None"
    assert [a.activity_type for a in model.get_model_version_activities("m", 2)] == [
        "REQUESTED_TRANSITION"
    ]
    seen = await call(jp_fetch, "alice", "GET", *V2, "activities")
    assert seen["requests"][0]["available_actions"] == [
        "APPROVE_TRANSITION_REQUEST",
        "REJECT_TRANSITION_REQUEST",
        "CANCEL_TRANSITION_REQUEST",
    ]
    settled = await call(
        jp_fetch,
        "alice",
        "POST",
        *V2,
        "transition-requests",
        "approve",
        body={"stage": "Production", "comment": "ok"},
    )
    assert settled["activity"]["user_id"] == "alice"
    assert model.get_model_version("m", 2).current_stage == "Production"


async def test_users_without_read_cannot_ask_and_nobody_acts_in_anothers_name(
    jp_fetch: Any, server_store: SqlTrackingStore
) -> None:
    model = await shared_model(jp_fetch, server_store)
    await refused(jp_fetch, "carol", "POST", *V2, "transition-requests", body={"stage": "Staging"})
    await mlflow_refused(
        jp_fetch,
        "carol",
        "POST",
        "transition-requests/create",
        name="m",
        version="2",
        stage="Staging",
    )
    await refused(jp_fetch, "carol", "GET", *V2, "activities")
    assert model.get_model_version_activities("m", 2) == []

    # The store RPC takes a user_id; in team mode the caller is recorded whatever it says.
    await mlflow(
        jp_fetch,
        "bob",
        "POST",
        "transition-requests/create",
        name="m",
        version="2",
        stage="Staging",
    )
    assert [r.user_id for r in model.get_transition_requests("m", 2)] == ["bob"]


async def test_only_the_requester_or_a_manager_cancels(
    jp_fetch: Any, server_store: SqlTrackingStore
) -> None:
    model = await shared_model(jp_fetch, server_store)
    await share(jp_fetch, "alice", "registered-models/m", "user", "carol", "READ")
    await call(jp_fetch, "bob", "POST", *V2, "transition-requests", body={"stage": "Staging"})

    await refused(
        jp_fetch,
        "carol",
        "POST",
        *V2,
        "transition-requests",
        "cancel",
        body={"stage": "Staging", "creator": "bob"},
    )
    assert len(model.get_transition_requests("m", 2)) == 1
    cancelled = await call(
        jp_fetch,
        "alice",
        "POST",
        *V2,
        "transition-requests",
        "cancel",
        body={"stage": "Staging", "creator": "bob"},
    )
    assert cancelled["activity"]["user_id"] == "alice"
    assert model.get_transition_requests("m", 2) == []


async def test_comments_are_edited_by_their_author_and_deleted_by_a_manager(
    jp_fetch: Any, server_store: SqlTrackingStore
) -> None:
    model = await shared_model(jp_fetch, server_store)
    made = await call(jp_fetch, "bob", "POST", *V2, "comments", body={"comment": "F1 0.8"})
    cid = made["comment"]["id"]
    assert made["comment"]["user_id"] == "bob"
    seen = await call(jp_fetch, "alice", "GET", *V2, "activities")
    assert seen["activities"][0]["available_actions"] == ["DELETE_COMMENT"]

    await refused(jp_fetch, "alice", "PATCH", *V2, "comments", cid, body={"comment": "mine"})
    assert model.get_comment(cid).comment == "F1 0.8"
    await call(jp_fetch, "alice", "DELETE", *V2, "comments", cid)
    assert model.get_model_version_activities("m", 2) == []


def test_a_direct_stage_move_is_recorded_as_the_caller(perm_store: SqlTrackingStore) -> None:
    """Whatever ``user_id`` a client sends (the store RPC passes it through), the activity
    names the caller, and a caller with only READ cannot move a stage."""
    from labtrack.errors import PermissionDeniedError
    from labtrack.server.identity import Caller
    from labtrack.server.permissions import Guard
    from labtrack.server.permissions_store import GuardedStore

    perm_store.create_registered_model("m")
    perm_store.set_owner("registered_model", "m", "alice")
    perm_store.create_model_version("m", f"{perm_store.artifact_root}/src", user_id="alice")
    perm_store.set_permission("registered_model", "m", "user", "bob", "EDIT")
    perm_store.set_permission("registered_model", "m", "user", "carol", "READ")

    def as_caller(name: str) -> GuardedStore:
        return GuardedStore(perm_store, Guard(perm_store, Caller(name, frozenset(), False), "READ"))

    with pytest.raises(PermissionDeniedError):
        as_caller("carol").transition_model_version_stage("m", 1, "Staging", user_id="carol")
    as_caller("bob").transition_model_version_stage("m", 1, "Staging", user_id="alice")

    activities = perm_store.get_model_version_activities("m", 1)
    assert [(a.activity_type, a.user_id) for a in activities] == [("APPLIED_TRANSITION", "bob")]
