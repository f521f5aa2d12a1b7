"""Team mode over MLflow's REST protocol and over the store RPC (labtrack's REST store), with
the rule table that covers every store method."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from labtrack.entities import Metric, Param, RunTag
from labtrack.errors import PermissionDeniedError
from labtrack.server.permissions_store import RULES, GuardedStore
from labtrack.server.store_rpc import CONTRACT_METHODS
from labtrack.store.rest.store import RestTrackingStore
from tests.permissions.conftest import as_user, share

pytestmark = pytest.mark.usefixtures("labtrack_home")


def test_every_store_method_has_a_rule_and_others_are_refused() -> None:
    assert sorted(CONTRACT_METHODS - set(RULES)) == []
    guarded = GuardedStore(None, None)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError, match="not available in team mode"):
        guarded.close()


async def mlflow(jp_fetch: Any, user: str, verb: str, rpc: str, **fields: Any) -> Any:
    """MLflow's ``api/2.0/mlflow/<rpc>`` as ``user``: GET with a query, POST with JSON."""
    kwargs: dict[str, Any] = {
        "method": verb,
        "headers": as_user(user),
        "allow_nonstandard_methods": True,  # MLflow's DELETE RPCs take a body
    }
    if verb == "GET":
        kwargs["params"] = {k: str(v) for k, v in fields.items()}
    else:
        kwargs["body"] = json.dumps(fields)
        kwargs["headers"] = {**kwargs["headers"], "Content-Type": "application/json"}
    response = await jp_fetch(
        "labtrack", "mlflow", "api", "2.0", "mlflow", *rpc.split("/"), **kwargs
    )
    return json.loads(response.body or b"{}")


async def mlflow_refused(jp_fetch: Any, user: str, verb: str, rpc: str, **fields: Any) -> str:
    with pytest.raises(HTTPClientError) as info:
        await mlflow(jp_fetch, user, verb, rpc, **fields)
    assert info.value.code == 403
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert body["error_code"] == "PERMISSION_DENIED"
    return str(body["message"])


async def test_mlflow_protocol_is_enforced(jp_fetch: Any) -> None:
    eid = (await mlflow(jp_fetch, "alice", "POST", "experiments/create", name="wire"))[
        "experiment_id"
    ]
    message = await mlflow_refused(jp_fetch, "bob", "GET", "experiments/get", experiment_id=eid)
    assert message.startswith(f"bob needs READ on experiment 'wire' (id {eid})")
    found = await mlflow(jp_fetch, "bob", "POST", "experiments/search", max_results=100)
    assert "wire" not in [e["name"] for e in found.get("experiments", [])]
    await mlflow_refused(jp_fetch, "bob", "POST", "runs/search", experiment_ids=[eid])
    run = (await mlflow(jp_fetch, "alice", "POST", "runs/create", experiment_id=eid))["run"]
    run_id = run["info"]["run_id"]
    assert run["info"]["user_id"] == "alice"  # the caller, not the server's OS user
    await share(jp_fetch, "alice", f"experiments/{eid}", "group", "ds", "READ")
    # READ: search and read, but neither log nor delete; nothing is written.
    found = await mlflow(jp_fetch, "bob", "POST", "runs/search", experiment_ids=[eid])
    assert [r["info"]["run_id"] for r in found["runs"]] == [run_id]
    await mlflow_refused(
        jp_fetch,
        "bob",
        "POST",
        "runs/log-batch",
        run_id=run_id,
        params=[{"key": "p", "value": "1"}],
        metrics=[{"key": "m", "value": 1.0, "timestamp": 1, "step": 0}],
    )
    await mlflow_refused(
        jp_fetch,
        "bob",
        "POST",
        "runs/log-batch",
        run_id=run_id,
        metrics=[{"key": "m", "value": 1.0, "timestamp": 1, "step": 0}],
    )
    await mlflow_refused(jp_fetch, "bob", "POST", "runs/delete", run_id=run_id)
    await mlflow_refused(jp_fetch, "bob", "POST", "runs/create", experiment_id=eid)
    got = (await mlflow(jp_fetch, "bob", "GET", "runs/get", run_id=run_id))["run"]
    assert got["info"]["lifecycle_stage"] == "active"
    assert not got["data"].get("params") and not got["data"].get("metrics")
    # carol is in no group; root is an admin.
    await mlflow_refused(jp_fetch, "carol", "GET", "runs/get", run_id=run_id)
    await mlflow(jp_fetch, "root", "POST", "runs/delete", run_id=run_id)


@pytest.fixture
def rest_store(http_server_port: Any, jp_base_url: str, http_server_client: Any) -> Any:
    """``rest_store(user)``: labtrack's REST store against the test server with ``user``'s
    token (its calls block: run them with ``asyncio.to_thread``). ``http_server_client`` makes
    the server listen."""
    base = f"http://127.0.0.1:{http_server_port[1]}{jp_base_url}"

    def make(user: str) -> RestTrackingStore:
        token = as_user(user)["Authorization"].split()[1]
        return RestTrackingStore(base, token)

    return make


async def test_store_rpc_is_enforced(rest_store: Any) -> None:
    alice, bob = rest_store("alice"), rest_store("bob")
    eid = await asyncio.to_thread(alice.create_experiment, "rpc")
    # A client cannot name another user to widen what it sees.
    listed = await asyncio.to_thread(bob.search_readable_experiments, "alice", ["ds"], 1, 100)
    assert [e.name for e in listed] == ["Default"]  # everyone's scratch space
    assert "rpc" not in [e.name for e in await asyncio.to_thread(bob.search_experiments)]
    run = await asyncio.to_thread(alice.create_run, eid, "whoever", 1, [], None)
    assert run.info.user_id == "alice"
    assert run.data.tags["mlflow.user"] == "alice"
    await asyncio.to_thread(alice.set_permission, "experiment", eid, "user", "bob", "READ")
    assert (await asyncio.to_thread(bob.get_run, run.info.run_id)).info.run_id == run.info.run_id
    with pytest.raises(PermissionDeniedError, match="bob needs EDIT on experiment 'rpc'"):
        await asyncio.to_thread(
            bob.log_batch, run.info.run_id, [Metric("m", 1.0, 1, 0)], [Param("p", "1")], []
        )
    with pytest.raises(PermissionDeniedError, match="bob needs EDIT"):
        await asyncio.to_thread(bob.log_metric_points, [(run.info.run_id, "m", 1.0, 1, 0)])
    with pytest.raises(PermissionDeniedError, match="bob needs MANAGE"):
        await asyncio.to_thread(bob.set_permission, "experiment", eid, "user", "bob", "MANAGE")
    with pytest.raises(PermissionDeniedError, match="bob needs EDIT"):
        await asyncio.to_thread(bob.set_tag, run.info.run_id, RunTag("k", "v"))
    after = await asyncio.to_thread(alice.get_run, run.info.run_id)
    assert after.data.params == {} and after.data.metrics == {}
    assert "k" not in after.data.tags
    # admins-only housekeeping
    with pytest.raises(PermissionDeniedError, match="admin"):
        await asyncio.to_thread(bob.kill_stale_runs, 0)


async def test_a_users_server_ends_only_its_users_kernel_runs(rest_store: Any) -> None:
    # A user's JupyterLab whose store is the service ends the runs of kernels that died; the
    # kernel id is a tag anyone with READ sees, so it must not end another user's runs.
    alice, bob = rest_store("alice"), rest_store("bob")
    eid = await asyncio.to_thread(alice.create_experiment, "kernels")
    await asyncio.to_thread(alice.set_permission, "experiment", eid, "user", "bob", "EDIT")
    kernel = [RunTag("labtrack.kernel.id", "k-1")]
    mine = await asyncio.to_thread(alice.create_run, eid, "alice", 1, kernel, None)
    theirs = await asyncio.to_thread(bob.create_run, eid, "bob", 1, kernel, None)
    assert await asyncio.to_thread(bob.kill_kernel_runs, "k-1") == [theirs.info.run_id]
    # Naming another user does not widen it.
    assert await asyncio.to_thread(bob.kill_kernel_runs, "k-1", None, "alice") == []
    assert (await asyncio.to_thread(alice.get_run, mine.info.run_id)).info.status == "RUNNING"
    assert await asyncio.to_thread(rest_store("root").kill_kernel_runs, "k-1") == [mine.info.run_id]


async def test_whoami_over_the_store_is_the_tokens_user(rest_store: Any) -> None:
    # What a user's own JupyterLab (whose store is the service) shows about permissions.
    who = await asyncio.to_thread(rest_store("bob").whoami)
    assert who == {"name": "bob", "groups": ["ds"], "admin": False, "permissions_enabled": True}


async def test_same_names_of_two_users_do_not_collide(rest_store: Any) -> None:
    alice, bob = rest_store("alice"), rest_store("bob")
    mine = await asyncio.to_thread(alice.create_experiment, "work/nb.ipynb")
    theirs = await asyncio.to_thread(bob.create_experiment, "work/nb.ipynb")
    assert mine != theirs
    assert (await asyncio.to_thread(bob.get_experiment, theirs)).name == "work/nb.ipynb (bob)"
    found = await asyncio.to_thread(bob.get_experiment_by_name, "work/nb.ipynb")
    assert found is not None and found.experiment_id == theirs
    found = await asyncio.to_thread(alice.get_experiment_by_name, "work/nb.ipynb")
    assert found is not None and found.experiment_id == mine
    assert (
        await asyncio.to_thread(rest_store("carol").get_experiment_by_name, "work/nb.ipynb") is None
    )


async def test_mlflow_basic_auth_permission_rpcs(jp_fetch: Any) -> None:
    eid = (await mlflow(jp_fetch, "alice", "POST", "experiments/create", name="acl"))[
        "experiment_id"
    ]
    grant = {"experiment_id": eid, "username": "bob"}
    await mlflow_refused(
        jp_fetch, "bob", "POST", "experiments/permissions/create", **grant, permission="MANAGE"
    )
    made = await mlflow(
        jp_fetch, "alice", "POST", "experiments/permissions/create", **grant, permission="READ"
    )
    assert made == {
        "experiment_permission": {"experiment_id": eid, "user_id": "bob", "permission": "READ"}
    }
    got = await mlflow(jp_fetch, "bob", "GET", "experiments/permissions/get", **grant)
    assert got["experiment_permission"]["permission"] == "READ"
    await mlflow_refused(
        jp_fetch, "bob", "PATCH", "experiments/permissions/update", **grant, permission="EDIT"
    )
    await mlflow(
        jp_fetch, "alice", "PATCH", "experiments/permissions/update", **grant, permission="EDIT"
    )
    await mlflow(
        jp_fetch,
        "bob",
        "POST",
        "experiments/set-experiment-tag",
        experiment_id=eid,
        key="k",
        value="v",
    )
    await mlflow(jp_fetch, "alice", "DELETE", "experiments/permissions/delete", **grant)
    await mlflow_refused(jp_fetch, "bob", "GET", "experiments/get", experiment_id=eid)
    with pytest.raises(HTTPClientError) as info:
        await mlflow(jp_fetch, "alice", "GET", "experiments/permissions/get", **grant)
    assert info.value.code == 404
    await mlflow(jp_fetch, "alice", "POST", "registered-models/create", name="acl-model")
    model = {"name": "acl-model", "username": "carol"}
    made = await mlflow(
        jp_fetch,
        "alice",
        "POST",
        "registered-models/permissions/create",
        **model,
        permission="READ",
    )
    assert made["registered_model_permission"]["permission"] == "READ"
    got = await mlflow(jp_fetch, "carol", "GET", "registered-models/get", name="acl-model")
    assert got["registered_model"]["name"] == "acl-model"


async def test_a_retry_is_answered_only_to_whoever_asked(jp_fetch: Any) -> None:
    # The store RPC answers a retried request (same X-Labtrack-Request-Id) with its first
    # answer; on a shared service, another user sending that id must get their own answer.
    async def create(user: str, name: str) -> str:
        response = await jp_fetch(
            "labtrack",
            "api",
            "store",
            "create_experiment",
            method="POST",
            headers={**as_user(user), "X-Labtrack-Request-Id": "retry-1"},
            body=json.dumps({"args": {"name": name}}),
        )
        result: str = json.loads(response.body)["result"]
        return result

    first = await create("alice", "alices")
    assert await create("alice", "alices") == first  # alice's retry: her answer again
    theirs = await create("bob", "bobs")
    assert theirs != first
    response = await jp_fetch(
        "labtrack", "api", "experiments", theirs, method="GET", headers=as_user("bob")
    )
    assert json.loads(response.body)["name"] == "bobs"
