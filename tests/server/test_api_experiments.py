"""Experiment routes of the REST API, against a real Jupyter server and store."""

from __future__ import annotations

from typing import Any

from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api


async def test_list_create_get_rename_delete_restore(jp_fetch: Any, labtrack_home) -> None:
    code, body = await api(jp_fetch, "GET", "experiments")
    assert code == 200 and [e["name"] for e in body["experiments"]] == ["Default"]
    code, created = await api(
        jp_fetch, "POST", "experiments", {"name": "/Team/a", "tags": {"t": "1"}}
    )
    assert code == 201 and created["name"] == "/Team/a" and created["tags"] == {"t": "1"}
    eid = created["experiment_id"]
    code, got = await api(jp_fetch, "GET", f"experiments/{eid}")
    assert code == 200 and got["experiment_id"] == eid
    code, renamed = await api(jp_fetch, "PATCH", f"experiments/{eid}", {"name": "/Team/b"})
    assert code == 200 and renamed["name"] == "/Team/b"
    code, _ = await api(jp_fetch, "DELETE", f"experiments/{eid}")
    assert code == 204
    _, active = await api(jp_fetch, "GET", "experiments")
    assert [e["name"] for e in active["experiments"]] == ["Default"]
    _, deleted = await api(jp_fetch, "GET", "experiments", view="deleted")
    assert [e["name"] for e in deleted["experiments"]] == ["/Team/b"]
    code, _ = await api(jp_fetch, "POST", f"experiments/{eid}/restore")
    assert code == 204
    assert TrackingClient(str(labtrack_home)).get_experiment(eid).lifecycle_stage == "active"


async def test_errors_are_json_with_the_right_status(jp_fetch: Any, labtrack_home) -> None:
    code, body = await api(jp_fetch, "GET", "experiments/999")
    assert code == 404 and body["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    await api(jp_fetch, "POST", "experiments", {"name": "x"})
    code, body = await api(jp_fetch, "POST", "experiments", {"name": "x"})
    assert code == 409 and "already exists" in body["message"]
    code, body = await api(jp_fetch, "POST", "experiments", {"name": ""})
    assert code == 400
    code, body = await api(jp_fetch, "POST", "experiments", "not json")
    assert code == 400 and "not valid JSON" in body["message"]
    code, body = await api(jp_fetch, "GET", "experiments", view="sideways")
    assert code == 400 and "view must be" in body["message"]
    code, body = await api(jp_fetch, "GET", "experiments", filter="name LIKE")
    assert code == 400 and "character" in body["message"]
    code, body = await api(jp_fetch, "DELETE", "experiments/0")
    assert code == 400 and "Default" in body["message"]


async def test_notebook_experiment_found_by_path_or_id_and_created(
    jp_fetch: Any, labtrack_home
) -> None:
    code, body = await api(jp_fetch, "GET", "notebook-experiment", path="sub/demo.ipynb")
    assert code == 200 and body["experiment"] is None
    code, body = await api(
        jp_fetch, "POST", "notebook-experiment", {"path": "sub/demo.ipynb", "notebook_id": "n-1"}
    )
    exp = body["experiment"]
    assert exp["name"] == "sub/demo.ipynb"
    assert exp["tags"]["mlflow.experiment.sourceType"] == "NOTEBOOK"
    assert exp["tags"]["labtrack.notebook.id"] == "n-1"
    # Found again by its id even under another path (a rename the server has not seen yet).
    _, again = await api(
        jp_fetch, "GET", "notebook-experiment", path="moved.ipynb", notebook_id="n-1"
    )
    assert again["experiment"]["experiment_id"] == exp["experiment_id"]
    code, body = await api(jp_fetch, "GET", "notebook-experiment")
    assert code == 400 and "path" in body["message"]
