"""The registry over REST (``labtrack/api/registered-models/...``) through a real Jupyter server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import labtrack
from labtrack.store import close_all
from labtrack.tracking import _state
from labtrack.utils.mlflow_tags import REGISTERED_MODELS
from labtrack.utils.user import current_user
from tests.registry.conftest import log_forest
from tests.server.helpers import api


@pytest.fixture
def logged(labtrack_home: Path, diabetes: Any) -> Iterator[str]:
    """A run in the server's store with a small forest logged at ``model``; its run id."""
    labtrack.set_tracking_uri(None)
    uri = log_forest(diabetes)
    yield uri.split("/")[1]
    labtrack.set_tracking_uri(None)
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()


async def test_register_a_run_model_then_read_it_back(jp_fetch: Any, logged: str) -> None:
    code, mv = await api(
        jp_fetch,
        "POST",
        "registered-models/churn/versions",
        {"run_id": logged, "path": "model", "description": "first", "tags": {"data": "v1"}},
    )

    assert code == 201
    assert (mv["name"], mv["version"], mv["run_id"], mv["current_stage"]) == (
        "churn",
        1,
        logged,
        "None",
    )
    assert mv["description"] == "first" and mv["tags"] == {"data": "v1"}
    # Jupyter's token users are anonymous (a random id per request): the server's account.
    assert mv["user_id"] == current_user()
    code, model = await api(jp_fetch, "GET", "registered-models/churn")
    assert code == 200 and [v["version"] for v in model["latest_versions"]] == [1]
    assert json.loads(labtrack.get_run(logged).data.tags[REGISTERED_MODELS]) == ["churn"]
    code, listed = await api(jp_fetch, "GET", "registered-models/churn/versions")
    assert [v["version"] for v in listed["model_versions"]] == [1]


@pytest.mark.parametrize(
    "path", ["../../x/artifacts/model", "model/../../..", "/etc/passwd", "%2e%2e/model", "a\\..\\b"]
)
async def test_a_path_that_leaves_the_run_is_a_400(jp_fetch: Any, logged: str, path: str) -> None:
    code, body = await api(
        jp_fetch, "POST", "registered-models/churn/versions", {"run_id": logged, "path": path}
    )

    assert code == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Invalid artifact path" in body["message"]
    code, listed = await api(jp_fetch, "GET", "registered-models/churn/versions")
    assert listed.get("model_versions", []) == []


@pytest.mark.parametrize(
    "body",
    [
        {"source": "/tmp/model"},
        {"run_id": "x", "path": "model", "source": "file:///tmp/model"},
    ],
)
async def test_no_rest_route_accepts_a_source_uri(jp_fetch: Any, logged: str, body: Any) -> None:
    code, reply = await api(jp_fetch, "POST", "registered-models/churn/versions", body)

    assert code == 400 and "source" in reply["message"] and "run_id" in reply["message"]


async def test_registering_what_is_not_a_model_says_so(jp_fetch: Any, logged: str) -> None:
    code, body = await api(
        jp_fetch, "POST", "registered-models/churn/versions", {"run_id": logged, "path": "nope"}
    )
    assert code == 400 and "no MLmodel file" in body["message"]
    code, body = await api(
        jp_fetch, "POST", "registered-models/churn/versions", {"run_id": "f" * 32, "path": "m"}
    )
    assert code == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_stages_transitions_and_archive_existing(jp_fetch: Any, logged: str) -> None:
    for _ in range(2):
        await api(
            jp_fetch, "POST", "registered-models/m/versions", {"run_id": logged, "path": "model"}
        )
    await api(jp_fetch, "POST", "registered-models/m/versions/1/stage", {"stage": "Production"})

    code, mv = await api(
        jp_fetch,
        "POST",
        "registered-models/m/versions/2/stage",
        {"stage": "production", "archive_existing_versions": True},
    )

    assert code == 200 and mv["current_stage"] == "Production"
    code, one = await api(jp_fetch, "GET", "registered-models/m/versions/1")
    assert one["current_stage"] == "Archived"
    code, history = await api(jp_fetch, "GET", "registered-models/m/versions/1/transitions")
    assert [(t["from_stage"], t["to_stage"]) for t in history["transitions"]] == [
        ("None", "Production"),
        ("Production", "Archived"),
    ]
    assert all(
        t["user_id"] == current_user() and t["timestamp"] > 0 for t in history["transitions"]
    )
    code, body = await api(jp_fetch, "POST", "registered-models/m/versions/2/stage", {"stage": "x"})
    assert code == 400 and "Staging" in body["message"]


async def test_aliases_over_rest(jp_fetch: Any, logged: str) -> None:
    await api(jp_fetch, "POST", "registered-models/m/versions", {"run_id": logged, "path": "model"})

    code, mv = await api(jp_fetch, "PUT", "registered-models/m/aliases/champion", {"version": 1})
    assert code == 200 and mv["aliases"] == ["champion"]
    code, model = await api(jp_fetch, "GET", "registered-models/m")
    assert model["aliases"] == {"champion": 1}
    code, body = await api(jp_fetch, "PUT", "registered-models/m/aliases/latest", {"version": 1})
    assert code == 400
    code, _ = await api(jp_fetch, "DELETE", "registered-models/m/aliases/champion")
    assert code == 204
    code, model = await api(jp_fetch, "GET", "registered-models/m")
    assert model["aliases"] == {}


async def test_models_create_search_edit_rename_delete(jp_fetch: Any, logged: str) -> None:
    code, created = await api(
        jp_fetch, "POST", "registered-models", {"name": "a model", "tags": {"team": "ml"}}
    )
    assert code == 201 and created["tags"] == {"team": "ml"}
    await api(jp_fetch, "POST", "registered-models", {"name": "other"})
    code, dup = await api(jp_fetch, "POST", "registered-models", {"name": "other"})
    assert code == 409 and dup["error_code"] == "RESOURCE_ALREADY_EXISTS"

    code, found = await api(jp_fetch, "GET", "registered-models", filter="name LIKE 'a %'")
    assert [m["name"] for m in found["registered_models"]] == ["a model"]

    code, edited = await api(
        jp_fetch,
        "PATCH",
        "registered-models/a model",
        {"description": "d", "tags": {"x": "1"}, "delete_tags": ["team"], "name": "renamed"},
    )
    assert code == 200 and edited["name"] == "renamed"
    assert (edited["description"], edited["tags"]) == ("d", {"x": "1"})
    code, _ = await api(jp_fetch, "GET", "registered-models/a model")
    assert code == 404

    code, _ = await api(jp_fetch, "DELETE", "registered-models/renamed")
    assert code == 204
    code, listed = await api(jp_fetch, "GET", "registered-models")
    assert [m["name"] for m in listed["registered_models"]] == ["other"]


async def test_version_edit_and_delete(jp_fetch: Any, logged: str) -> None:
    await api(jp_fetch, "POST", "registered-models/m/versions", {"run_id": logged, "path": "model"})

    code, mv = await api(
        jp_fetch,
        "PATCH",
        "registered-models/m/versions/1",
        {"description": "ok", "tags": {"a": "1"}},
    )
    assert code == 200 and (mv["description"], mv["tags"]) == ("ok", {"a": "1"})
    code, _ = await api(jp_fetch, "DELETE", "registered-models/m/versions/1")
    assert code == 204
    code, body = await api(jp_fetch, "GET", "registered-models/m/versions/1")
    assert code == 404 and "version 1" in body["message"]
    code, body = await api(jp_fetch, "GET", "registered-models/m/versions/one")
    assert code == 400 and "version number" in body["message"]
    assert REGISTERED_MODELS not in labtrack.get_run(logged).data.tags
