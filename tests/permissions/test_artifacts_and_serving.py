"""Team mode on what does not go through the store: the artifact proxy and model serving."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.permissions.conftest import as_user, new_experiment, share

pytestmark = pytest.mark.usefixtures("labtrack_home")

ARTIFACTS = ("labtrack", "mlflow", "api", "2.0", "mlflow-artifacts", "artifacts")


async def status(jp_fetch: Any, user: str, *path: str, **kwargs: Any) -> int:
    try:
        response = await jp_fetch(*path, headers=as_user(user), **kwargs)
    except HTTPClientError as err:
        return err.code
    return int(response.code)


async def test_artifacts_need_read_to_download_and_edit_to_upload(jp_fetch: Any) -> None:
    eid = str((await new_experiment(jp_fetch, "alice", "files"))["experiment_id"])
    path = (*ARTIFACTS, eid, "r", "artifacts", "a.txt")
    assert await status(jp_fetch, "alice", *path, method="PUT", body=b"hello") == 200
    assert await status(jp_fetch, "bob", *path) == 403
    assert await status(jp_fetch, "bob", *path, method="PUT", body=b"mine") == 403
    assert await status(jp_fetch, "bob", *ARTIFACTS, params={"path": eid}) == 403
    # Outside any experiment's folder: admins only.
    assert await status(jp_fetch, "bob", *ARTIFACTS, params={"path": ""}) == 403
    assert await status(jp_fetch, "root", *path) == 200
    response = await jp_fetch(*path, headers=as_user("alice"))
    assert response.body == b"hello"  # bob's upload wrote nothing
    await share(jp_fetch, "alice", f"experiments/{eid}", "user", "bob", "READ")
    assert await status(jp_fetch, "bob", *path) == 200
    assert await status(jp_fetch, "bob", *path, method="DELETE") == 403


async def test_serving_needs_manage_to_start_and_read_to_invoke(jp_fetch: Any) -> None:
    await jp_fetch(
        "labtrack",
        "api",
        "registered-models",
        method="POST",
        headers=as_user("alice"),
        body=json.dumps({"name": "served"}),
    )
    serving = ("labtrack", "api", "registered-models", "served", "serving")
    invoke = ("labtrack", "serving", "served", "1", "invocations")
    body = json.dumps({"enabled": False})
    assert await status(jp_fetch, "bob", *serving, method="PUT", body=body) == 403
    assert await status(jp_fetch, "bob", *invoke, method="POST", body=b"{}") == 403
    await share(jp_fetch, "alice", "registered-models/served", "group", "ds", "EDIT")
    assert await status(jp_fetch, "bob", *serving, method="PUT", body=body) == 403  # EDIT
    # READ is enough to call it: now the answer is about serving (not enabled), not a 403.
    assert await status(jp_fetch, "bob", *invoke, method="POST", body=b"{}") != 403
    assert await status(jp_fetch, "alice", *serving, method="PUT", body=body) == 200
