"""MLflow 3's logged models over MLflow's protocol: a real MLflow 3 client logs a model with
``name=`` against labtrack's server, finds it, reads it, loads it back by ``models:/<id>``, and
links metrics to it; labtrack reads the same model from its store. The protocol's rules
(statuses, errors, routes) are checked on the server directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labtrack.entities.logged_model import LoggedModelStatus
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.conftest import Server, run_mlflow
from tests.mlflow_protocol.wire import MLFLOW, Fetch

LOG_MODEL = """
import json
import numpy as np
import mlflow
from mlflow import MlflowClient
from sklearn.linear_model import LinearRegression

x = np.arange(20.0).reshape(10, 2)
model = LinearRegression().fit(x, x[:, 0] * 2 + x[:, 1])
client = MlflowClient()
with mlflow.start_run() as run:
    mlflow.log_param("alpha", "0.5")
    mlflow.log_metric("rmse", 0.25, step=0)
    info = mlflow.sklearn.log_model(model, name="lin", serialization_format="cloudpickle")
    model_id = info.model_id
    mlflow.log_metric("r2", 0.9, step=1, model_id=model_id)
client.set_logged_model_tags(model_id, {"team": "a", "gone": "x"})
client.delete_logged_model_tag(model_id, "gone")
client.log_model_params(model_id, {"extra": "1"})
client.finalize_logged_model(model_id, "READY")
got = mlflow.get_logged_model(model_id)
found = mlflow.search_logged_models(
    filter_string="name = 'lin' AND metrics.rmse < 1", output_format="list"
)
ordered = mlflow.search_logged_models(
    order_by=[{"field_name": "creation_time", "ascending": False}], output_format="list"
)
loaded = mlflow.pyfunc.load_model(f"models:/{model_id}")
outputs = client.get_run(run.info.run_id).outputs
print(json.dumps({
    "run_id": run.info.run_id,
    "model_id": model_id,
    "uri": info.model_uri,
    "status": str(got.status),
    "artifact_location": got.artifact_location,
    "tags": {k: v for k, v in got.tags.items() if not k.startswith("mlflow.")},
    "params": got.params,
    "metrics": sorted((m.key, m.value, m.step, m.run_id) for m in got.metrics),
    "found": [m.model_id for m in found],
    "ordered": [m.model_id for m in ordered],
    "expected": [float(v) for v in model.predict(x[:3])],
    "loaded": [float(v) for v in loaded.predict(x[:3])],
    "outputs": [(o.model_id, o.step) for o in outputs.model_outputs],
}))
"""


def test_mlflow3_logs_finds_and_loads_a_logged_model(
    server: Server, home: Path, mlflow3: Path, tmp_path: Path
) -> None:
    done = run_mlflow(mlflow3, LOG_MODEL, server, tmp_path)
    model_id, run_id = done["model_id"], done["run_id"]
    assert done["uri"] == f"models:/{model_id}"
    assert done["loaded"] == done["expected"]
    assert done["status"] == "READY"
    assert done["artifact_location"] == f"mlflow-artifacts:/0/models/{model_id}/artifacts"
    assert done["tags"] == {"team": "a"}
    assert done["params"] == {"alpha": "0.5", "extra": "1"}
    # rmse was logged before log_model (linked by it), r2 with model_id= after.
    assert done["metrics"] == [["r2", 0.9, 1, run_id], ["rmse", 0.25, 0, run_id]]
    assert done["found"] == [model_id]
    assert done["ordered"] == [model_id]
    assert done["outputs"] == [[model_id, 0]]

    client = TrackingClient(str(home))
    stored = client.get_logged_model(model_id)
    assert stored.name == "lin"
    assert stored.status == LoggedModelStatus.READY
    assert stored.source_run_id == run_id
    assert stored.artifact_location == str(
        home / "artifacts" / "0" / "models" / model_id / "artifacts"
    )
    assert "MLmodel" in {f.path for f in client.list_logged_model_artifacts(model_id)}
    # Linking the run's points to the model does not log them into the run a second time.
    assert [m.value for m in client.get_metric_history(run_id, "rmse")] == [0.25]
    assert [m.value for m in client.get_metric_history(run_id, "r2")] == [0.9]


# -- the protocol's rules, on the server directly ----------------------------------------------
@pytest.fixture
def fetch(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Fetch:
    return Fetch(http_server_client, jp_base_url, jp_auth_header)


async def new_model(fetch: Fetch, **fields: Any) -> dict[str, Any]:
    status, body = await fetch("POST", MLFLOW + "logged-models", {"experiment_id": "0", **fields})
    assert status == 200, body
    return dict(body["model"])


async def test_a_logged_model_is_created_pending_and_finalized(
    fetch: Fetch, labtrack_home: Path
) -> None:
    model = await new_model(
        fetch, name="m", model_type="sk", tags=[{"key": "t", "value": "1"}], params=[]
    )
    info, model_id = model["info"], model["info"]["model_id"]
    assert info["status"] == "LOGGED_MODEL_PENDING"
    assert info["artifact_uri"] == f"mlflow-artifacts:/0/models/{model_id}/artifacts"
    assert (info["name"], info["model_type"], info["tags"]) == (
        "m",
        "sk",
        [{"key": "t", "value": "1"}],
    )
    route = MLFLOW + f"logged-models/{model_id}"
    status, body = await fetch(
        "PATCH", route, {"model_id": model_id, "status": "LOGGED_MODEL_READY"}
    )
    assert status == 200, body
    assert body["model"]["info"]["status"] == "LOGGED_MODEL_READY"
    status, body = await fetch("PATCH", route, {"status": 3})  # by number too
    assert body["model"]["info"]["status"] == "LOGGED_MODEL_UPLOAD_FAILED"
    status, body = await fetch("PATCH", route, {"status": "DONE"})
    assert status == 400
    assert "LOGGED_MODEL_READY" in body["message"]
    status, body = await fetch("PATCH", route, {})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")


async def test_deleted_and_unknown_logged_models(fetch: Fetch, labtrack_home: Path) -> None:
    model_id = (await new_model(fetch))["info"]["model_id"]
    route = MLFLOW + f"logged-models/{model_id}"
    status, body = await fetch("DELETE", route, {"model_id": model_id})
    assert (status, body) == (200, {})
    status, body = await fetch("GET", route)
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    status, body = await fetch("GET", route, allow_deleted="true")
    assert status == 200
    assert body["model"]["info"]["model_id"] == model_id
    status, body = await fetch("POST", MLFLOW + "logged-models/search", {"experiment_ids": ["0"]})
    assert (status, body) == (200, {})
    unknown = MLFLOW + "logged-models/m-" + "0" * 32
    for method, path, payload in [
        ("GET", unknown, None),
        ("PATCH", unknown, {"status": "LOGGED_MODEL_READY"}),
        ("PATCH", unknown + "/tags", {"tags": [{"key": "a", "value": "b"}]}),
        ("POST", unknown + "/params", {"params": [{"key": "a", "value": "b"}]}),
        ("GET", unknown + "/artifacts/directories", None),
    ]:
        status, body = await fetch(method, path, payload)
        assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST"), (method, path)
    status, body = await fetch("POST", MLFLOW + "logged-models", {"experiment_id": "12345"})
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")


async def test_tags_params_and_metrics_of_a_logged_model(fetch: Fetch, labtrack_home: Path) -> None:
    status, body = await fetch("POST", MLFLOW + "runs/create", {"experiment_id": "0"})
    run_id = body["run"]["info"]["run_id"]
    model_id = (await new_model(fetch, source_run_id=run_id))["info"]["model_id"]
    route = MLFLOW + f"logged-models/{model_id}"
    await fetch("PATCH", route + "/tags", {"tags": [{"key": "a.b", "value": "1"}]})
    status, body = await fetch("DELETE", route + "/tags/nope")
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
    status, body = await fetch("DELETE", route + "/tags/a.b")
    assert (status, body) == (200, {})
    await fetch("POST", route + "/params", {"params": [{"key": "p", "value": "1"}]})
    status, body = await fetch("POST", route + "/params", {"params": [{"key": "p", "value": "2"}]})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    point = {"run_id": run_id, "key": "acc", "value": 0.5, "timestamp": 1, "step": 2}
    status, body = await fetch("POST", MLFLOW + "runs/log-metric", {**point, "model_id": model_id})
    assert (status, body) == (200, {})
    status, body = await fetch(
        "POST", MLFLOW + "runs/outputs", {"run_id": run_id, "models": [{"model_id": model_id}]}
    )
    assert (status, body) == (200, {})
    status, body = await fetch("GET", route)
    data = body["model"]["data"]
    assert data["params"] == [{"key": "p", "value": "1"}]
    assert data["metrics"] == [{**point, "model_id": model_id}]
    assert "tags" not in body["model"]["info"]
    status, body = await fetch("GET", MLFLOW + "runs/get", run_id=run_id)
    assert body["run"]["outputs"] == {"model_outputs": [{"model_id": model_id, "step": 0}]}
    # a point of an unknown model is refused whole: nothing of the batch is written
    batch = {"run_id": run_id, "metrics": [{**point, "key": "x", "model_id": "m-" + "1" * 32}]}
    status, body = await fetch("POST", MLFLOW + "runs/log-batch", batch)
    assert status == 404
    status, body = await fetch("GET", MLFLOW + "metrics/get-history", run_id=run_id, metric_key="x")
    assert body == {}


async def test_a_logged_models_files_list_and_read(fetch: Fetch, labtrack_home: Path) -> None:
    model_id = (await new_model(fetch))["info"]["model_id"]
    put = await fetch.raw(
        "PUT",
        f"labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts/0/models/{model_id}/artifacts/MLmodel",
        b"flavors: {}\n",
    )
    assert put.code == 200
    route = MLFLOW + f"logged-models/{model_id}/artifacts/"
    status, body = await fetch("GET", route + "directories")
    assert body == {
        "root_uri": f"mlflow-artifacts:/0/models/{model_id}/artifacts",
        "files": [{"path": "MLmodel", "is_dir": False, "file_size": 12}],
    }
    got = await fetch.raw("GET", route + "files?artifact_file_path=MLmodel")
    assert (got.code, got.body) == (200, b"flavors: {}\n")
    for path in ("", "../../../x", "%2e%2e/x"):
        status, body = await fetch("GET", route + "files", artifact_file_path=path)
        assert status == 400, path
    status, body = await fetch("GET", route + "directories", artifact_directory_path="../..")
    assert status == 400


async def test_search_checks_its_fields(fetch: Fetch, labtrack_home: Path) -> None:
    search = MLFLOW + "logged-models/search"
    ids = [(await new_model(fetch, name=f"m{i}"))["info"]["model_id"] for i in range(3)]
    status, body = await fetch("POST", search, {"experiment_ids": ["0"], "max_results": 2})
    assert len(body["models"]) == 2 and body["next_page_token"]
    status, rest = await fetch(
        "POST", search, {"experiment_ids": ["0"], "page_token": body["next_page_token"]}
    )
    seen = [m["info"]["model_id"] for m in body["models"] + rest["models"]]
    assert sorted(seen) == sorted(ids)
    status, body = await fetch(
        "POST",
        search,
        {"experiment_ids": ["0"], "order_by": [{"field_name": "name", "ascending": True}]},
    )
    assert [m["info"]["name"] for m in body["models"]] == ["m0", "m1", "m2"]
    for bad in (
        {},
        {"experiment_ids": ["0"], "max_results": -1},
        {"experiment_ids": ["0"], "filter": "name =="},
        {"experiment_ids": ["0"], "order_by": [{"ascending": True}]},
        {"experiment_ids": ["0"], "datasets": [{"dataset_digest": "x"}]},
    ):
        status, body = await fetch("POST", search, bad)
        assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE"), bad
