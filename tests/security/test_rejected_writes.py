"""A refused request writes nothing (issue 19, item 12): every field is checked before the
first write, so one bad tag does not leave a rename behind, a 409 rename does not leave the
new description and tags behind, a refused version POST does not leave an empty registered
model behind, and concurrent first registrations of a model all succeed."""

from __future__ import annotations

import asyncio
from typing import Any

from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api

BAD_TAG = {"ok": "fine", "bad key!": "v"}


def client(labtrack_home: Any) -> TrackingClient:
    return TrackingClient(str(labtrack_home))


def logged_model_run(c: TrackingClient) -> str:
    run = c.create_run("0")
    c.log_text(run.info.run_id, "flavors: {}\n", "model/MLmodel")
    return run.info.run_id


async def test_a_run_patch_with_a_bad_tag_changes_nothing(jp_fetch: Any, labtrack_home) -> None:
    c = client(labtrack_home)
    run = c.create_run("0", run_name="before", tags={"keep": "1"})
    rid = run.info.run_id
    for body in [
        {"name": "after", "description": "new", "tags": BAD_TAG},
        {"name": "after", "tags": {"t": "x" * 9000}},
        {"name": "after", "tags": {"t": "v"}, "delete_tags": ["missing"]},
        {"name": "x" * 300, "tags": {"t": "v"}},
    ]:
        code, reply = await api(jp_fetch, "PATCH", f"runs/{rid}", body)
        assert 400 <= code < 500, (body, reply)
    after = c.get_run(rid)
    assert after.info.run_name == "before"
    assert "t" not in after.data.tags and "ok" not in after.data.tags
    assert "mlflow.note.content" not in after.data.tags


async def test_an_experiment_patch_with_a_bad_tag_does_not_rename(
    jp_fetch: Any, labtrack_home
) -> None:
    c = client(labtrack_home)
    eid = c.create_experiment("before")
    code, reply = await api(
        jp_fetch, "PATCH", f"experiments/{eid}", {"name": "after", "tags": BAD_TAG}
    )
    assert code == 400, reply
    exp = c.get_experiment(eid)
    assert exp.name == "before" and "ok" not in exp.tags


async def test_a_409_model_rename_changes_nothing(jp_fetch: Any, labtrack_home) -> None:
    c = client(labtrack_home)
    c.create_registered_model("a", description="old", tags={"k": "old"})
    c.create_registered_model("b")
    body = {"name": "b", "description": "new", "tags": {"k": "new", "n": "1"}}
    code, reply = await api(jp_fetch, "PATCH", "registered-models/a", body)
    assert code == 409, reply
    model = c.get_registered_model("a")
    assert model.description == "old" and model.tags == {"k": "old"}


async def test_a_model_patch_with_a_bad_tag_changes_nothing(jp_fetch: Any, labtrack_home) -> None:
    c = client(labtrack_home)
    c.create_registered_model("a", description="old")
    rid = logged_model_run(c)
    c.create_model_version_from_run("a", rid, "model", description="v-old")
    body = {"name": "renamed", "description": "new", "tags": BAD_TAG}
    code, reply = await api(jp_fetch, "PATCH", "registered-models/a", body)
    assert code == 400, reply
    code, reply = await api(
        jp_fetch, "PATCH", "registered-models/a", {**body, "tags": {}, "delete_tags": ["nope"]}
    )
    assert code == 404, reply
    model = c.get_registered_model("a")
    assert model.description == "old" and model.tags == {}
    code, reply = await api(jp_fetch, "PATCH", "registered-models/a/versions/1", body)
    assert code == 400, reply
    assert c.get_model_version("a", 1).description == "v-old"


async def test_a_refused_version_post_creates_no_model(jp_fetch: Any, labtrack_home) -> None:
    c = client(labtrack_home)
    rid = logged_model_run(c)
    for body in [
        {"run_id": rid, "path": "not-a-model"},
        {"run_id": "0" * 32, "path": "model"},
        {"run_id": rid, "path": "model", "tags": BAD_TAG},
        {"run_id": rid, "path": "model", "description": 3},
    ]:
        code, reply = await api(jp_fetch, "POST", "registered-models/fresh/versions", body)
        assert 400 <= code < 500, (body, reply)
    assert list(c.search_registered_models()) == []


async def test_concurrent_first_registrations_all_succeed(jp_fetch: Any, labtrack_home) -> None:
    c = client(labtrack_home)
    rid = logged_model_run(c)
    body = {"run_id": rid, "path": "model"}
    replies = await asyncio.gather(
        *(api(jp_fetch, "POST", "registered-models/raced/versions", body) for _ in range(20))
    )
    assert sorted(code for code, _ in replies) == [201] * 20, replies
    assert sorted(reply["version"] for _, reply in replies) == list(range(1, 21))


def test_a_refused_register_model_creates_no_model(fresh_home: Any, tmp_path: Any) -> None:
    """The Python API's register_model created the registered model before checking the
    source and tags, so each refused call left an empty model behind."""
    import pytest

    import labtrack
    from labtrack.errors import InvalidParameterError, ResourceNotFoundError

    with labtrack.start_run() as run:
        labtrack.log_text("flavors: {}\n", "model/MLmodel")
    rid = run.info.run_id
    for uri, tags in [
        (f"runs:/{rid}/not-a-model", None),
        (f"runs:/{rid}/model", BAD_TAG),
        (f"runs:/{rid}/model", {"t": "x" * 9000}),
        (str(tmp_path / "missing-folder"), None),
    ]:
        with pytest.raises((InvalidParameterError, ResourceNotFoundError)):
            labtrack.register_model(uri, "fresh", tags=tags)
    assert labtrack.search_registered_models() == []
    assert labtrack.register_model(f"runs:/{rid}/model", "fresh").version == 1
    assert labtrack.register_model(f"runs:/{rid}/model", "fresh").version == 2
