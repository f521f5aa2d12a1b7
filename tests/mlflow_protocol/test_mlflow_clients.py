"""Real MLflow clients (mlflow-skinny 2.22.5 and 3.17.2) log into labtrack's server, and what
they wrote reads back through labtrack's API and the sidebar's REST API; and the other way
round: what labtrack wrote, MLflow's clients read."""

from __future__ import annotations

import json
import math
from pathlib import Path

from labtrack.entities import Metric
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.conftest import Server, run_mlflow

WRITE = """
import json, os, tempfile, time
import mlflow
from mlflow import MlflowClient
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag

mlflow.set_experiment("mlflow-wrote")
with mlflow.start_run(run_name="parent", description="a parent") as parent:
    mlflow.log_param("lr", 0.01)
    mlflow.log_params({"epochs": 3, "opt": "adam"})
    for step in range(3):
        mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
    mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=1)
    mlflow.log_metric("nan_metric", float("nan"))
    mlflow.set_tag("stage", "dev")
    mlflow.set_tags({"a": "1", "b": "2"})
    mlflow.delete_tag("a")
    mlflow.log_text("hello", "notes/hello.txt")
    mlflow.log_dict({"x": 1}, "cfg.json")
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "w.bin"), "wb") as f:
        f.write(bytes(range(256)))
    mlflow.log_artifacts(folder, "blobs")
    with mlflow.start_run(run_name="child", nested=True) as child:
        mlflow.log_metric("child_metric", 1.5)

client = MlflowClient()
batch = client.create_run(parent.info.experiment_id, run_name="batch")
now = int(time.time() * 1000)
client.log_batch(
    batch.info.run_id,
    metrics=[Metric(f"m{i % 10}", float(i), now, i) for i in range(1500)],
    params=[Param(f"p{i}", str(i)) for i in range(150)],
    tags=[RunTag(f"t{i}", "v") for i in range(120)],
)
client.set_terminated(batch.info.run_id, "FAILED")
client.update_run(batch.info.run_id, name="renamed")
gone = client.create_run(parent.info.experiment_id)
client.delete_run(gone.info.run_id)
used = DatasetInput(
    Dataset(name="iris", digest="d1g3st", source_type="local", source='{"uri": "/data/iris.csv"}',
            schema='{"mlflow_colspec": []}', profile='{"num_rows": 150}'),
    tags=[InputTag("mlflow.data.context", "training")],
)
client.log_inputs(parent.info.run_id, [used])
read = [
    (d.dataset.name, d.dataset.digest, d.tags[0].key, d.tags[0].value)
    for d in client.get_run(parent.info.run_id).inputs.dataset_inputs
]
print(json.dumps({
    "read_inputs": read,
    "experiment_id": parent.info.experiment_id,
    "parent": parent.info.run_id,
    "child": child.info.run_id,
    "batch": batch.info.run_id,
    "gone": gone.info.run_id,
    "artifact_uri": parent.info.artifact_uri,
}))
"""


def test_what_mlflow_writes_reads_back_in_labtrack(
    server: Server, home: Path, mlflow_line: tuple[str, Path], tmp_path: Path
) -> None:
    _, python = mlflow_line
    ids = run_mlflow(python, WRITE, server, tmp_path)
    client = TrackingClient(str(home))

    exp = client.get_experiment(ids["experiment_id"])
    assert exp.name == "mlflow-wrote"
    assert ids["artifact_uri"] == f"mlflow-artifacts:/{exp.experiment_id}/{ids['parent']}/artifacts"

    parent = client.get_run(ids["parent"])
    assert parent.info.run_name == "parent"
    assert parent.info.status == "FINISHED"
    assert parent.data.params == {"lr": "0.01", "epochs": "3", "opt": "adam"}
    assert parent.data.metrics["acc"] == 0.9
    assert math.isnan(parent.data.metrics["nan_metric"])
    assert [(m.step, m.value) for m in client.get_metric_history(ids["parent"], "loss")] == [
        (0, 1.0),
        (1, 0.5),
        (2, 1 / 3),
    ]
    tags = parent.data.tags
    assert (tags["stage"], tags["b"], "a" in tags) == ("dev", "2", False)
    assert tags["mlflow.note.content"] == "a parent"
    assert client.get_run(ids["child"]).data.tags["mlflow.parentRunId"] == ids["parent"]

    assert client.load_text(ids["parent"], "notes/hello.txt") == "hello"
    assert json.loads(client.load_text(ids["parent"], "cfg.json")) == {"x": 1}
    blob = Path(client.download_artifacts(ids["parent"], "blobs/w.bin", str(tmp_path / "dl")))
    assert blob.read_bytes() == bytes(range(256))

    batch = client.get_run(ids["batch"])
    assert (batch.info.run_name, batch.info.status) == ("renamed", "FAILED")
    assert len(batch.data.params) == 150
    assert sum(key.startswith("t") for key in batch.data.tags) == 120
    assert len(client.get_metric_history(ids["batch"], "m0")) == 150
    assert client.get_run(ids["gone"]).info.lifecycle_stage == "deleted"

    # Datasets (mlflow.log_input, autologging): stored, and read back by MLflow's client.
    (used,) = client.get_run(ids["parent"]).inputs.dataset_inputs
    assert (used.dataset.name, used.dataset.digest, used.dataset.source_type) == (
        "iris",
        "d1g3st",
        "local",
    )
    assert json.loads(used.dataset.profile or "") == {"num_rows": 150}
    assert [(t.key, t.value) for t in used.tags] == [("mlflow.data.context", "training")]
    assert ids["read_inputs"] == [["iris", "d1g3st", "mlflow.data.context", "training"]]

    # The sidebar's REST API shows the same runs.
    status, page = server.request("GET", f"labtrack/api/runs?experiment_id={exp.experiment_id}")
    assert status == 200
    assert {row["run_name"] for row in page["runs"]} == {"parent", "child", "renamed"}
    status, run = server.request("GET", f"labtrack/api/runs/{ids['parent']}")
    assert (status, run["data"]["params"]["opt"]) == (200, "adam")


READ = """
import json, os, sys, tempfile
import mlflow
from mlflow import MlflowClient

run_id, experiment_id = sys.argv[1:3] if len(sys.argv) > 2 else open("ids.txt").read().split()
client = MlflowClient()
run = client.get_run(run_id)
found = client.search_runs([experiment_id], "metrics.loss < 1 and params.opt = 'adam'",
                           order_by=["metrics.loss ASC"])
frame = mlflow.search_runs(experiment_names=["labtrack-wrote"])
local = client.download_artifacts(run_id, "", tempfile.mkdtemp())
print(json.dumps({
    "name": run.info.run_name,
    "status": run.info.status,
    "params": run.data.params,
    "metrics": {k: (None if v != v else v) for k, v in run.data.metrics.items()},
    "tags": run.data.tags,
    "history": [[m.step, m.value] for m in client.get_metric_history(run_id, "loss")],
    "found": [r.info.run_id for r in found],
    "frame_rows": len(frame),
    "experiments": sorted(e.name for e in mlflow.search_experiments()),
    "files": sorted(os.listdir(local)),
    "text": mlflow.artifacts.load_text(f"runs:/{run_id}/notes/summary.txt"),
    "listed": [f.path for f in client.list_artifacts(run_id, "notes")],
    "artifact_uri": run.info.artifact_uri,
}))
"""


def test_what_labtrack_writes_mlflow_reads(
    server: Server, home: Path, mlflow_line: tuple[str, Path], tmp_path: Path
) -> None:
    _, python = mlflow_line
    client = TrackingClient(str(home))
    eid = client.create_experiment("labtrack-wrote", tags={"team": "a"})
    run = client.create_run(eid, run_name="from-labtrack", tags={"origin": "labtrack"})
    rid = run.info.run_id
    client.log_param(rid, "opt", "adam")
    client.log_batch(rid, metrics=[Metric("loss", 1.0 / (s + 1), 1000 + s, s) for s in range(5)])
    client.log_metric(rid, "nan", float("nan"))
    client.log_text(rid, "accuracy 0.93", "notes/summary.txt")
    client.set_terminated(rid)
    (tmp_path / "ids.txt").write_text(f"{rid} {eid}")

    seen = run_mlflow(python, READ, server, tmp_path)

    assert (seen["name"], seen["status"]) == ("from-labtrack", "FINISHED")
    assert seen["params"] == {"opt": "adam"}
    assert seen["metrics"] == {"loss": 0.2, "nan": None}
    assert seen["tags"]["origin"] == "labtrack"
    assert seen["history"] == [[s, 1.0 / (s + 1)] for s in range(5)]
    assert seen["found"] == [rid]
    assert seen["frame_rows"] == 1
    assert seen["experiments"] == ["Default", "labtrack-wrote"]
    assert seen["files"] == ["notes"]
    assert seen["text"] == "accuracy 0.93"
    assert seen["listed"] == ["notes/summary.txt"]
    assert seen["artifact_uri"] == f"mlflow-artifacts:/{eid}/{rid}/artifacts"


ERRORS = """
import json
import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

client = MlflowClient()
codes = {}

def code(name, fn):
    try:
        fn()
        codes[name] = "ok"
    except MlflowException as e:
        codes[name] = e.error_code

run = client.create_run("0")
client.log_param(run.info.run_id, "p", "1")
code("missing_run", lambda: client.get_run("0" * 32))
code("param_overwrite", lambda: client.log_param(run.info.run_id, "p", "2"))
code("same_param_again", lambda: client.log_param(run.info.run_id, "p", "1"))
client.create_experiment("taken")
code("duplicate_experiment", lambda: client.create_experiment("taken"))
code("bad_key", lambda: client.log_metric(run.info.run_id, "bad key!", 1.0))
code("bad_filter", lambda: client.search_runs(["0"], "metrics.x >>> 1"))
code("bad_order_by", lambda: client.search_runs(["0"], order_by=["nothing.x"]))
code("missing_experiment", lambda: client.get_experiment("999999"))
client.set_terminated(run.info.run_id)
code("metric_into_finished_run", lambda: client.log_metric(run.info.run_id, "late", 1.0))
client.delete_run(run.info.run_id)
code("metric_into_deleted_run", lambda: client.log_metric(run.info.run_id, "x", 1.0))
codes["by_name_missing"] = client.get_experiment_by_name("nope") is None
client.create_registered_model("m")
code("duplicate_model", lambda: client.create_registered_model("m"))
code("missing_version", lambda: client.get_model_version("m", "9"))
print(json.dumps(codes))
"""


def test_errors_carry_mlflows_codes(
    server: Server, home: Path, mlflow_line: tuple[str, Path], tmp_path: Path
) -> None:
    codes = run_mlflow(mlflow_line[1], ERRORS, server, tmp_path)
    assert codes == {
        "missing_run": "RESOURCE_DOES_NOT_EXIST",
        "param_overwrite": "INVALID_PARAMETER_VALUE",
        "same_param_again": "ok",
        "duplicate_experiment": "RESOURCE_ALREADY_EXISTS",
        "bad_key": "INVALID_PARAMETER_VALUE",
        "bad_filter": "INVALID_PARAMETER_VALUE",
        "bad_order_by": "INVALID_PARAMETER_VALUE",
        "missing_experiment": "RESOURCE_DOES_NOT_EXIST",
        "metric_into_finished_run": "ok",
        "metric_into_deleted_run": "INVALID_PARAMETER_VALUE",
        "by_name_missing": True,
        "duplicate_model": "RESOURCE_ALREADY_EXISTS",
        "missing_version": "RESOURCE_DOES_NOT_EXIST",
    }


ASYNC = """
import json
import mlflow

with mlflow.start_run() as run:
    for step in range(50):
        mlflow.log_metric("async_loss", float(step), step=step, synchronous=False)
    mlflow.log_param("mode", "async", synchronous=False)
print(json.dumps({"run_id": run.info.run_id}))
"""


def test_async_logging_arrives_whole(
    server: Server, home: Path, mlflow_line: tuple[str, Path], tmp_path: Path
) -> None:
    """MLflow's async logging sends one log-batch per call, out of order, from many threads:
    every point is there once, and the run ends after them."""
    ids = run_mlflow(mlflow_line[1], ASYNC, server, tmp_path)
    client = TrackingClient(str(home))
    history = client.get_metric_history(ids["run_id"], "async_loss")
    assert sorted(m.step for m in history) == list(range(50))
    run = client.get_run(ids["run_id"])
    assert (run.data.params, run.info.status) == ({"mode": "async"}, "FINISHED")
