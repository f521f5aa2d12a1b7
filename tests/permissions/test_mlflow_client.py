"""Team mode against MLflow's own client (MLflow 3.17.2's venv), on a real Jupyter server."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mlflow_protocol import envs
from tests.mlflow_protocol.conftest import Server, point_home, run_mlflow, start_jupyter, stop

ALICE = """
import json, mlflow
from mlflow import MlflowClient
client = MlflowClient()
eid = client.create_experiment("team")
run = client.create_run(eid)
client.log_metric(run.info.run_id, "m", 1.0)
print(json.dumps({"experiment_id": eid, "run_id": run.info.run_id,
                  "user": client.get_run(run.info.run_id).info.user_id}))
"""

BOB = """
import json, os
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
client = MlflowClient()
out = {"listed": [e.name for e in client.search_experiments()]}
def code(call):
    try:
        call()
    except MlflowException as exc:
        return [exc.error_code, exc.get_http_status_code(), exc.message]
    return None
out["get"] = code(lambda: client.get_experiment(os.environ["EID"]))
out["log"] = code(lambda: client.log_metric(os.environ["RUN"], "m", 2.0))
out["runs"] = code(lambda: client.search_runs([os.environ["EID"]]))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def team_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("team-mode")
    link = root / "current-home"
    point_home(link, root / "homes" / "only")
    started = start_jupyter(
        root,
        link,
        [
            "--ServerApp.identity_provider_class=tests.permissions.conftest.FixedUsers",
            "--Labtrack.permissions=True",
        ],
    )
    yield started
    stop(started.pid)


def as_token(server: Server, token: str) -> Server:
    return dataclasses.replace(server, token=token)


def test_mlflows_client_gets_the_documented_403(team_server: Server, tmp_path: Path) -> None:
    python = envs.mlflow_python("3")
    alice = run_mlflow(python, ALICE, as_token(team_server, "alice-token"), tmp_path)
    assert alice["user"] == "alice"
    eid, run_id = alice["experiment_id"], alice["run_id"]
    bob = as_token(team_server, "bob-token")
    refused = run_mlflow(python, BOB, bob, tmp_path, EID=eid, RUN=run_id)
    assert "team" not in refused["listed"]
    assert refused["get"][:2] == ["PERMISSION_DENIED", 403]
    assert refused["get"][2].startswith(
        f"PERMISSION_DENIED: bob needs READ on experiment 'team' (id {eid})"
    )
    assert refused["log"][:2] == ["PERMISSION_DENIED", 403]
    status, _ = as_token(team_server, "alice-token").request(
        "PUT",
        f"labtrack/api/experiments/{eid}/permissions",
        {"principal_kind": "group", "principal": "ds", "permission": "READ"},
    )
    assert status == 200
    shared = run_mlflow(python, BOB, bob, tmp_path, EID=eid, RUN=run_id)
    assert "team" in shared["listed"]
    assert shared["get"] is None and shared["runs"] is None
    assert shared["log"][:2] == ["PERMISSION_DENIED", 403]
    assert shared["log"][2].startswith("PERMISSION_DENIED: bob needs EDIT on experiment 'team'")
