"""A plain ``import mlflow`` in a notebook kernel of labtrack's Jupyter server: with
``c.Labtrack.mlflow_kernel_env`` the kernel needs no configuration, and labtrack's MLflow plugin
(found through its entry points) gives the run the notebook's experiment, tags and version.

The kernel is a real ipykernel in MLflow 2.22's venv, started by the server for a notebook
session; code runs in it through jupyter_client, as a front end would send it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client import BlockingKernelClient

from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.conftest import Server, point_home, start_jupyter, stop


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, mlflow2: Path) -> Iterator[Server]:
    """A Jupyter server giving its kernels MLflow's variables, with an MLflow kernelspec."""
    root = tmp_path_factory.mktemp("plugin")
    link = root / "home-link"
    point_home(link, root / "home")
    spec = root / "data" / "kernels" / "mlflow2"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(mlflow2), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "MLflow 2",
                "language": "python",
                "env": {"MLFLOW_DISABLE_TELEMETRY": "true", "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2"},
            }
        )
    )
    server = start_jupyter(root, link, ["--Labtrack.mlflow_kernel_env=True"])
    yield server
    stop(server.pid)


def execute(client: BlockingKernelClient, code: str) -> str:
    """Run ``code`` in the kernel; its stdout (an error fails the test with the traceback)."""
    msg_id = client.execute(code)
    out = []
    while True:
        msg = client.get_iopub_msg(timeout=240)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            pytest.fail("\n".join(content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


@pytest.fixture(scope="module")
def notebook_kernel(lab: Server) -> Iterator[tuple[BlockingKernelClient, str]]:
    """A session for ``sub/train.ipynb`` on the MLflow kernel: (its client, its kernel id)."""
    (lab.root / "notebooks" / "sub").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import mlflow")])
    nbformat.write(nb, str(lab.root / "notebooks" / "sub" / "train.ipynb"))
    status, session = lab.request(
        "POST",
        "api/sessions",
        {
            "path": "sub/train.ipynb",
            "name": "train.ipynb",
            "type": "notebook",
            "kernel": {"name": "mlflow2"},
        },
    )
    assert status == 201, session
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient(
        connection_file=str(lab.root / "runtime" / f"kernel-{kernel_id}.json")
    )
    client.load_connection_file()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    yield client, kernel_id
    client.stop_channels()
    lab.request("DELETE", f"api/sessions/{session['id']}")


def test_import_mlflow_in_a_notebook_logs_into_its_experiment(
    lab: Server, notebook_kernel: tuple[BlockingKernelClient, str]
) -> None:
    client, kernel_id = notebook_kernel
    out = execute(
        client,
        """
import json, os, mlflow
with mlflow.start_run() as run:
    mlflow.log_param("alpha", 0.5)
    mlflow.log_metric("score", 0.75)
print(json.dumps({"run_id": run.info.run_id, "uri": os.environ["MLFLOW_TRACKING_URI"],
                  "has_token": bool(os.environ.get("MLFLOW_TRACKING_TOKEN"))}))
""",
    )
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["uri"] == lab.mlflow_uri and seen["has_token"]

    store = TrackingClient(str(lab.link.resolve()))
    run = store.get_run(seen["run_id"])
    experiment = store.get_experiment(run.info.experiment_id)
    assert experiment.name == "sub/train.ipynb"
    assert experiment.tags["mlflow.experiment.sourceType"] == "NOTEBOOK"
    tags = run.data.tags
    assert tags["labtrack.kernel.id"] == kernel_id
    assert tags["labtrack.notebook.source"] in ("server", "session")
    revision = tags["labtrack.notebook.revision"]
    kind, data = store.store.get_blob(revision)
    assert kind == "notebook" and b"import mlflow" in data
    assert (run.data.params, run.data.metrics) == ({"alpha": "0.5"}, {"score": 0.75})


def test_sklearn_autolog_in_the_notebook_lands_in_its_experiment(
    lab: Server, notebook_kernel: tuple[BlockingKernelClient, str]
) -> None:
    client, _ = notebook_kernel
    out = execute(
        client,
        """
import json, mlflow, numpy as np
from sklearn.linear_model import Ridge
# Datasets (runs/log-inputs) are not served yet: the default log_datasets=True fails the run.
mlflow.sklearn.autolog(log_datasets=False)
x = np.arange(40.0).reshape(20, 2)
Ridge(alpha=0.3).fit(x, x.sum(axis=1))
run = mlflow.last_active_run()
print(json.dumps({"run_id": run.info.run_id}))
""",
    )
    run_id = json.loads(out.strip().splitlines()[-1])["run_id"]
    store = TrackingClient(str(lab.link.resolve()))
    run = store.get_run(run_id)
    assert store.get_experiment(run.info.experiment_id).name == "sub/train.ipynb"
    assert run.info.status == "FINISHED"
    assert run.data.params["alpha"] == "0.3"
    assert "training_score" in run.data.metrics
    assert "model" in {f.path for f in store.list_artifacts(run_id)}


def test_outside_a_labtrack_server_the_plugin_stays_out(mlflow2: Path, tmp_path: Path) -> None:
    """With MLflow logging to its own local store, the plugin adds nothing and breaks nothing."""
    code = """
import json, mlflow
from mlflow.tracking.context.registry import _run_context_provider_registry as tags
from mlflow.tracking.default_experiment import registry
exps = registry._default_experiment_provider_registry
names = [type(p).__name__ for p in tags] + [type(p).__name__ for p in exps]
with mlflow.start_run() as run:
    mlflow.log_metric("m", 1.0)
print(json.dumps({"names": names, "tags": sorted(mlflow.get_run(run.info.run_id).data.tags)}))
"""
    from tests.mlflow_protocol import envs

    done = subprocess.run(
        [str(mlflow2), "-c", code],
        cwd=tmp_path,
        env=envs.clean_env(MLFLOW_TRACKING_URI=f"file://{tmp_path / 'mlruns'}"),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"NotebookRunContext", "NotebookExperiment"} <= set(seen["names"])
    assert not [t for t in seen["tags"] if t.startswith("labtrack.")]
    assert os.path.isdir(tmp_path / "mlruns")
    assert sys.executable  # the test process itself never imported MLflow
    assert "mlflow" not in sys.modules
