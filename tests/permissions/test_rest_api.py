"""Team mode over labtrack's REST API: private by default, sharing, 403s, admins, whoami."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.permissions.conftest import as_user

pytestmark = pytest.mark.usefixtures("labtrack_home")


async def call(
    jp_fetch: Any, user: str, method: str, *path: str, body: Any = None, **params: str
) -> Any:
    """``method labtrack/api/<path>`` as ``user``; the decoded body (None for 204)."""
    response = await jp_fetch(
        "labtrack",
        "api",
        *path,
        method=method,
        headers=as_user(user),
        params=params or None,
        body=None if body is None else json.dumps(body),
        allow_nonstandard_methods=True,
    )
    return json.loads(response.body) if response.body else None


async def refused(
    jp_fetch: Any, user: str, method: str, *path: str, body: Any = None, **params: str
) -> dict[str, Any]:
    """The 403 answer of a request that must be refused."""
    with pytest.raises(HTTPClientError) as info:
        await call(jp_fetch, user, method, *path, body=body, **params)
    assert info.value.code == 403, info.value.response.body if info.value.response else info.value
    assert info.value.response is not None
    answer: dict[str, Any] = json.loads(info.value.response.body)
    return answer


async def names(jp_fetch: Any, user: str, **params: str) -> list[str]:
    """The experiments ``user`` lists, but the Default one: everyone's (EDIT for ``*``), so
    every user lists it (checked once, in the test below)."""
    found = await call(jp_fetch, user, "GET", "experiments", **params)
    listed = sorted(e["name"] for e in found["experiments"])
    assert "Default" in listed
    return [name for name in listed if name != "Default"]


async def test_whoami_says_who_is_calling(jp_fetch: Any) -> None:
    assert await call(jp_fetch, "alice", "GET", "whoami") == {
        "name": "alice",
        "groups": ["ds"],
        "admin": False,
        "permissions_enabled": True,
    }
    assert (await call(jp_fetch, "root", "GET", "whoami"))["admin"] is True


async def test_experiments_are_private_to_their_owner_until_shared(jp_fetch: Any) -> None:
    created = await call(jp_fetch, "alice", "POST", "experiments", body={"name": "a-private"})
    assert created["owner"] == "alice"
    assert created["my_permission"] == "MANAGE"
    eid = created["experiment_id"]
    assert "a-private" in await names(jp_fetch, "alice")
    assert "a-private" not in await names(jp_fetch, "bob")
    denied = await refused(jp_fetch, "bob", "GET", "experiments", eid)
    assert denied["error_code"] == "PERMISSION_DENIED"
    assert denied["message"].startswith(f"bob needs READ on experiment 'a-private' (id {eid})")
    # An admin sees and manages everything.
    assert "a-private" in await names(jp_fetch, "root")
    assert (await call(jp_fetch, "root", "GET", "experiments", eid))["my_permission"] == "MANAGE"


async def test_a_read_grant_lets_read_but_not_write_or_delete(jp_fetch: Any) -> None:
    eid = (await call(jp_fetch, "alice", "POST", "experiments", body={"name": "shared"}))[
        "experiment_id"
    ]
    grant = {"principal_kind": "group", "principal": "ds", "permission": "READ"}
    answer = await call(jp_fetch, "alice", "PUT", "experiments", eid, "permissions", body=grant)
    assert answer == {
        "owner": "alice",
        "grants": [{"principal_kind": "group", "principal": "ds", "permission": "READ"}],
        "my_permission": "MANAGE",
    }
    assert await names(jp_fetch, "bob") == ["shared"]
    assert await names(jp_fetch, "bob", shared_with_me="true") == ["shared"]
    assert await names(jp_fetch, "alice", shared_with_me="true") == []
    assert await names(jp_fetch, "carol") == []
    seen = await call(jp_fetch, "bob", "GET", "experiments", eid)
    assert (seen["owner"], seen["my_permission"]) == ("alice", "READ")
    # No rename, tag, delete or sharing with READ; nothing is written.
    denied = await refused(
        jp_fetch, "bob", "PATCH", "experiments", eid, body={"name": "mine", "tags": {"k": "v"}}
    )
    assert "bob needs EDIT on experiment 'shared'" in denied["message"]
    await refused(jp_fetch, "bob", "DELETE", "experiments", eid)
    await refused(
        jp_fetch,
        "bob",
        "PUT",
        "experiments",
        eid,
        "permissions",
        body={"principal_kind": "user", "principal": "bob", "permission": "MANAGE"},
    )
    after = await call(jp_fetch, "alice", "GET", "experiments", eid)
    assert (after["name"], after["tags"], after["lifecycle_stage"]) == ("shared", {}, "active")
    perms = await call(jp_fetch, "bob", "GET", "experiments", eid, "permissions")
    assert perms["my_permission"] == "READ"
    assert len(perms["grants"]) == 1


async def test_manage_lets_share_and_delete_and_a_grant_can_be_removed(jp_fetch: Any) -> None:
    eid = (await call(jp_fetch, "alice", "POST", "experiments", body={"name": "handed"}))[
        "experiment_id"
    ]
    grant = {"principal_kind": "user", "principal": "bob", "permission": "MANAGE"}
    await call(jp_fetch, "alice", "PUT", "experiments", eid, "permissions", body=grant)
    carol = {"principal_kind": "user", "principal": "carol", "permission": "EDIT"}
    await call(jp_fetch, "bob", "PUT", "experiments", eid, "permissions", body=carol)
    await call(jp_fetch, "carol", "PATCH", "experiments", eid, body={"tags": {"k": "v"}})
    await refused(jp_fetch, "carol", "DELETE", "experiments", eid)
    answer = await call(
        jp_fetch,
        "bob",
        "DELETE",
        "experiments",
        eid,
        "permissions",
        principal_kind="user",
        principal="carol",
    )
    assert [g["principal"] for g in answer["grants"]] == ["bob"]
    await refused(jp_fetch, "carol", "GET", "experiments", eid)
    await call(jp_fetch, "bob", "DELETE", "experiments", eid)


async def test_bad_grants_are_refused_with_what_to_send(jp_fetch: Any) -> None:
    eid = (await call(jp_fetch, "alice", "POST", "experiments", body={"name": "x"}))[
        "experiment_id"
    ]
    for body, words in [
        ({"principal_kind": "team", "principal": "b", "permission": "READ"}, "principal_kind"),
        ({"principal_kind": "user", "principal": "", "permission": "READ"}, "principal"),
        ({"principal_kind": "user", "principal": "b", "permission": "OWN"}, "permission"),
    ]:
        with pytest.raises(HTTPClientError) as info:
            await call(jp_fetch, "alice", "PUT", "experiments", eid, "permissions", body=body)
        assert info.value.code == 400
        assert words in json.loads(info.value.response.body)["message"]  # type: ignore[union-attr]
    assert (await call(jp_fetch, "alice", "GET", "experiments", eid, "permissions"))["grants"] == []


async def test_runs_of_an_unreadable_experiment_are_refused(jp_fetch: Any) -> None:
    eid = (await call(jp_fetch, "alice", "POST", "experiments", body={"name": "runs"}))[
        "experiment_id"
    ]
    await refused(jp_fetch, "bob", "GET", "runs", experiment_id=eid)
    await refused(jp_fetch, "bob", "GET", "changes", experiment_id=eid)
    await call(jp_fetch, "alice", "GET", "runs", experiment_id=eid)


async def test_registered_models_are_private_until_shared(jp_fetch: Any) -> None:
    made = await call(jp_fetch, "alice", "POST", "registered-models", body={"name": "m"})
    assert (made["owner"], made["my_permission"]) == ("alice", "MANAGE")
    listed = await call(jp_fetch, "bob", "GET", "registered-models")
    assert listed["registered_models"] == []
    denied = await refused(jp_fetch, "bob", "GET", "registered-models", "m")
    assert denied["message"].startswith("bob needs READ on registered model 'm'")
    grant = {"principal_kind": "user", "principal": "bob", "permission": "READ"}
    await call(jp_fetch, "alice", "PUT", "registered-models", "m", "permissions", body=grant)
    seen = await call(jp_fetch, "bob", "GET", "registered-models", "m")
    assert (seen["owner"], seen["my_permission"]) == ("alice", "READ")
    await refused(jp_fetch, "bob", "PATCH", "registered-models", "m", body={"description": "mine"})
    await refused(jp_fetch, "bob", "DELETE", "registered-models", "m")
    assert (await call(jp_fetch, "alice", "GET", "registered-models", "m"))["description"] in (
        None,
        "",
    )


async def test_notebooks_of_one_path_get_one_experiment_per_user(jp_fetch: Any) -> None:
    body = {"path": "work/train.ipynb"}
    alice = (await call(jp_fetch, "alice", "POST", "notebook-experiment", body=body))["experiment"]
    bob = (await call(jp_fetch, "bob", "POST", "notebook-experiment", body=body))["experiment"]
    assert (alice["name"], alice["owner"]) == ("work/train.ipynb", "alice")
    assert (bob["name"], bob["owner"]) == ("work/train.ipynb (bob)", "bob")
    again = await call(jp_fetch, "bob", "GET", "notebook-experiment", path="work/train.ipynb")
    assert again["experiment"]["experiment_id"] == bob["experiment_id"]
