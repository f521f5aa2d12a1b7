"""Models logged and registered by real MLflow (2.x, ``artifact_path=``) load and serve through
labtrack; a flavor labtrack lacks gets a message that names it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from labtrack.errors import InvalidParameterError, UnsafeModelError
from labtrack.models import UnsafeModelWarning
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.conftest import Server, run_mlflow, stop
from tests.services import free_port, wait_until

pytest.importorskip("sklearn")

LOG_AND_REGISTER = """
import json
import numpy as np
import mlflow
from mlflow import MlflowClient
from sklearn.linear_model import LinearRegression

x = np.arange(20.0).reshape(10, 2)
model = LinearRegression().fit(x, x[:, 0] * 2 + x[:, 1])
with mlflow.start_run() as run:
    info = mlflow.sklearn.log_model(model, artifact_path="clf", registered_model_name="lin")
client = MlflowClient()
client.transition_model_version_stage("lin", "1", "Production")
client.set_registered_model_alias("lin", "champion", "1")
loaded = mlflow.pyfunc.load_model("models:/lin@champion")
print(json.dumps({
    "run_id": run.info.run_id,
    "model_uri": info.model_uri,
    "expected": [float(v) for v in model.predict(x[:3])],
    "mlflow_loaded": [float(v) for v in loaded.predict(x[:3])],
    "versions": [
        (v.version, v.current_stage, v.source)
        for v in client.search_model_versions("name = 'lin'")
    ],
}))
"""


def test_an_mlflow_sklearn_model_loads_and_serves_through_labtrack(
    server: Server, home: Path, mlflow2: Path, tmp_path: Path
) -> None:
    done = run_mlflow(mlflow2, LOG_AND_REGISTER, server, tmp_path)
    assert done["mlflow_loaded"] == done["expected"]
    (version, stage, source) = done["versions"][0]
    assert (version, stage) == ("1", "Production")
    assert source == f"mlflow-artifacts:/0/{done['run_id']}/artifacts/clf"

    client = TrackingClient(str(home))
    stored = client.get_model_version("lin", 1)
    assert stored.source == str(home / "artifacts" / "0" / done["run_id"] / "artifacts" / "clf")
    assert stored.run_id == done["run_id"]
    assert client.get_model_version_by_alias("lin", "champion").version == 1
    history = json.loads(client.get_run(done["run_id"]).data.tags["mlflow.log-model.history"])
    assert [m["artifact_path"] for m in history] == ["clf"]

    import labtrack
    import labtrack.pyfunc

    labtrack.set_tracking_uri(str(home))
    try:
        # MLflow 2.x pickles scikit-learn models: labtrack loads them in the user's own
        # process with a warning (as MLflow does, silently), and refuses when told not to.
        with pytest.raises(UnsafeModelError):
            labtrack.pyfunc.load_model("models:/lin/Production", allow_unsafe=False)
        with pytest.warns(UnsafeModelWarning):
            loaded = labtrack.pyfunc.load_model("models:/lin/Production")
        x = np.arange(20.0).reshape(10, 2)
        assert [float(v) for v in loaded.predict(x[:3])] == done["expected"]
    finally:
        labtrack.set_tracking_uri(None)

    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABTRACK_")}
    env["LABTRACK_HOME"] = str(home)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "labtrack",
                "serve",
                "models:/lin@champion",
                "--port",
                str(port),
                "--allow-unsafe",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def ready() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as r:
                    return bool(r.status == 200)
            except OSError:
                return False

        wait_until(ready, "labtrack serve", proc, log, timeout=120)
        body = json.dumps({"dataframe_split": {"data": x[:3].tolist()}}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            predictions = json.loads(answer.read())["predictions"]
        assert predictions == pytest.approx(done["expected"])
    finally:
        stop(proc.pid)


OTHER_FLAVOR = """
import json, os, tempfile
import mlflow
from mlflow import MlflowClient

folder = tempfile.mkdtemp()
with open(os.path.join(folder, "MLmodel"), "w") as f:
    f.write(
        "flavors:\\n"
        "  python_function:\\n"
        "    loader_module: mlflow.xgboost\\n"
        "    data: model.xgb\\n"
        "  xgboost:\\n"
        "    data: model.xgb\\n"
    )
open(os.path.join(folder, "model.xgb"), "wb").write(b"booster")
with mlflow.start_run() as run:
    mlflow.log_artifacts(folder, "booster")
client = MlflowClient()
client.create_registered_model("boost")
client.create_model_version("boost", f"{run.info.artifact_uri}/booster", run.info.run_id)
print(json.dumps({"run_id": run.info.run_id}))
"""


def test_a_flavor_labtrack_lacks_gets_a_message_naming_it(
    server: Server, home: Path, mlflow3: Path, tmp_path: Path
) -> None:
    run_mlflow(mlflow3, OTHER_FLAVOR, server, tmp_path)
    import labtrack
    import labtrack.pyfunc

    labtrack.set_tracking_uri(str(home))
    try:
        with pytest.raises(
            InvalidParameterError, match="mlflow.xgboost.*labtrack does not provide"
        ):
            labtrack.pyfunc.load_model("models:/boost/1")
    finally:
        labtrack.set_tracking_uri(None)
