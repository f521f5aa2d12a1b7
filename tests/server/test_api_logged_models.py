"""A run's datasets and logged models through the REST API, and a logged model's files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from labtrack.entities import Metric
from labtrack.entities.dataset import DatasetInput, InputTag
from labtrack.entities.logged_model import LoggedModelOutput
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api


@pytest.fixture
def run_with_model(labtrack_home: Path) -> tuple[str, str]:
    """A run with a training dataset and a logged model holding files; (run id, model id)."""
    import labtrack.data
    import labtrack.sklearn

    client = TrackingClient(str(labtrack_home))
    run_id = client.create_run("0", run_name="trained").info.run_id
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [0.0, 2.0, 4.0]})
    dataset = labtrack.data.from_pandas(frame, source="train.csv", name="train", targets="y")
    tags = [InputTag("mlflow.data.context", "training")]
    client.log_inputs(run_id, [DatasetInput(dataset._to_mlflow_entity(), tags)])
    model = client.create_logged_model("0", "reg", run_id, params={"fit_intercept": "True"})
    client.log_outputs(run_id, [LoggedModelOutput(model.model_id, 0)])
    folder = labtrack_home / "saved"
    labtrack.sklearn.save_model(LinearRegression().fit(frame[["x"]], frame["y"]), str(folder))
    client.log_model_artifacts(model.model_id, str(folder))
    client.finalize_logged_model(model.model_id, "READY")
    client.log_metric(run_id, "rmse", 0.0, 5, 0, model_id=model.model_id, dataset_name="train")
    return run_id, model.model_id


async def test_get_run_gives_its_datasets_and_logged_models(jp_fetch: Any, run_with_model) -> None:
    run_id, model_id = run_with_model

    code, body = await api(jp_fetch, "GET", f"runs/{run_id}")

    assert code == 200
    (used,) = body["inputs"]["dataset_inputs"]
    assert used["dataset"]["name"] == "train" and used["dataset"]["source_type"] == "local"
    assert json.loads(used["dataset"]["profile"]) == {"num_rows": 3, "num_elements": 6}
    assert used["tags"] == [{"key": "mlflow.data.context", "value": "training"}]
    assert body["outputs"]["model_outputs"] == [{"model_id": model_id, "step": 0}]
    (model,) = body["logged_models"]
    assert (model["model_id"], model["name"], model["status"], model["step"]) == (
        model_id,
        "reg",
        "READY",
        0,
    )
    assert model["params"] == {"fit_intercept": "True"}
    assert model["metrics"][0]["key"] == "rmse" and model["metrics"][0]["dataset_name"] == "train"


async def test_a_logged_models_files_are_listed_and_read(jp_fetch: Any, run_with_model) -> None:
    _, model_id = run_with_model

    code, model = await api(jp_fetch, "GET", f"logged-models/{model_id}")
    assert code == 200 and model["artifact_location"].endswith(f"models/{model_id}/artifacts")
    code, listing = await api(jp_fetch, "GET", f"logged-models/{model_id}/artifacts")
    assert code == 200 and "MLmodel" in {f["path"] for f in listing["files"]}
    code, text = await api(
        jp_fetch, "GET", f"logged-models/{model_id}/artifacts/file", path="MLmodel"
    )
    assert code == 200 and "flavors:" in text


@pytest.mark.parametrize("path", ["../../../etc/passwd", "/etc/passwd", ""])
async def test_a_path_out_of_the_model_is_refused(jp_fetch: Any, run_with_model, path: str) -> None:
    _, model_id = run_with_model
    code, body = await api(jp_fetch, "GET", f"logged-models/{model_id}/artifacts/file", path=path)
    assert code == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_unknown_and_malformed_model_ids(jp_fetch: Any, run_with_model) -> None:
    code, body = await api(jp_fetch, "GET", f"logged-models/m-{'0' * 32}")
    assert code == 404 and "not found" in body["message"]
    code, body = await api(jp_fetch, "GET", "logged-models/nope")
    assert code == 400 and "m-<32 hex digits>" in body["message"]


async def test_a_run_without_inputs_has_empty_lists(jp_fetch: Any, labtrack_home: Path) -> None:
    client = TrackingClient(str(labtrack_home))
    run_id = client.create_run("0").info.run_id
    client.log_batch(run_id, metrics=[Metric("a", float(np.float64(1.0)), 1, 0)])
    code, body = await api(jp_fetch, "GET", f"runs/{run_id}")
    assert code == 200 and body["logged_models"] == []
    assert body["inputs"] == {"dataset_inputs": [], "model_inputs": []}
