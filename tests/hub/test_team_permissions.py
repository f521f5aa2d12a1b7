"""Team mode on a real JupyterHub: what one user may see and do with another's work.

The service runs with permissions on (a hub's service is shared: ``--permissions`` is on by
default with ``--jupyterhub``). ``user-a`` and ``user-b`` are in the group ``team``;
``hub-admin`` is a hub admin. Each test makes its own experiment, so the order of tests does
not matter.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

from tests.hub.conftest import Hub, http

API = "labtrack/api/"
MLFLOW = "labtrack/mlflow/api/2.0/mlflow/"


def _private_experiment(hub: Hub, owner: str = "user-a") -> tuple[str, str, str]:
    """An experiment of ``owner`` with one run (logged over MLflow's protocol): its id, name
    and the run's id."""
    token = hub.tokens[owner]
    name = f"private-{owner}-{time.monotonic_ns()}"
    made = hub.request("POST", API + "experiments", {"name": name}, token=token)
    assert made.status == 201, made
    experiment_id = made.body["experiment_id"]
    assert made.body["owner"] == owner and made.body["my_permission"] == "MANAGE"
    run = hub.request(
        "POST",
        MLFLOW + "runs/create",
        {"experiment_id": experiment_id, "start_time": int(time.time() * 1000)},
        token=token,
    )
    assert run.status == 200, run
    return experiment_id, name, run.body["run"]["info"]["run_id"]


def _names(answer: Any) -> set[str]:
    assert answer.status == 200, answer
    return {e["name"] for e in answer.body["experiments"]}


def _share(hub: Hub, experiment_id: str, group: str, permission: str) -> None:
    shared = hub.request(
        "PUT",
        API + f"experiments/{experiment_id}/permissions",
        {"principal_kind": "group", "principal": group, "permission": permission},
        token=hub.tokens["user-a"],
    )
    assert shared.status == 200, shared
    assert {"principal_kind": "group", "principal": group, "permission": permission} in (
        shared.body["grants"]
    )


def test_a_private_experiment_is_invisible_to_others_over_both_protocols(hub: Hub) -> None:
    experiment_id, name, run_id = _private_experiment(hub)
    b = hub.tokens["user-b"]
    assert name in _names(hub.request("GET", API + "experiments", token=hub.tokens["user-a"]))
    assert name not in _names(hub.request("GET", API + "experiments", token=b))
    searched = hub.request("POST", MLFLOW + "experiments/search", {"max_results": 1000}, token=b)
    assert searched.status == 200, searched
    assert name not in {e["name"] for e in searched.body.get("experiments", [])}
    refused = hub.request("GET", MLFLOW + f"runs/get?run_id={run_id}", token=b)
    assert refused.status == 403, refused
    assert refused.body["error_code"] == "PERMISSION_DENIED"
    assert "user-b needs READ on experiment" in refused.body["message"]
    assert hub.request("GET", API + f"experiments/{experiment_id}", token=b).status == 403


def test_a_group_with_read_sees_the_runs_but_cannot_log_or_delete(hub: Hub) -> None:
    experiment_id, name, run_id = _private_experiment(hub)
    _share(hub, experiment_id, "team", "READ")
    b = hub.tokens["user-b"]
    shared = hub.request("GET", API + "experiments?shared_with_me=true", token=b)
    assert name in _names(shared)
    (mine,) = [e for e in shared.body["experiments"] if e["name"] == name]
    assert mine["owner"] == "user-a" and mine["my_permission"] == "READ"
    runs = hub.request("GET", API + f"runs?experiment_id={experiment_id}", token=b)
    assert runs.status == 200, runs
    assert [r["run_id"] for r in runs.body["runs"]] == [run_id]

    log = hub.request(
        "POST",
        MLFLOW + "runs/log-metric",
        {"run_id": run_id, "key": "loss", "value": 1.0, "timestamp": 1, "step": 0},
        token=b,
    )
    assert log.status == 403 and "user-b needs EDIT" in log.body["message"], log
    delete = hub.request("DELETE", API + f"experiments/{experiment_id}", token=b)
    assert delete.status == 403 and "MANAGE" in delete.body["message"], delete
    # Nothing was written by the refused requests.
    history = hub.request(
        "GET", MLFLOW + f"metrics/get-history?run_id={run_id}&metric_key=loss", token=b
    )
    assert history.status == 200 and not history.body.get("metrics"), history
    still = hub.request("GET", API + f"experiments/{experiment_id}", token=hub.tokens["user-a"])
    assert still.status == 200 and still.body["lifecycle_stage"] == "active"


def test_an_admin_sees_everything(hub: Hub) -> None:
    _, name, run_id = _private_experiment(hub)
    admin = hub.tokens["hub-admin"]
    assert name in _names(hub.request("GET", API + "experiments", token=admin))
    assert hub.request("GET", MLFLOW + f"runs/get?run_id={run_id}", token=admin).status == 200


def test_the_users_own_jupyterlab_asks_the_service_who_they_are(hub: Hub) -> None:
    # user-b's sidebar talks to user-b's single-user server, whose store is the service: what
    # it says about permissions is the service's answer for user-b, not "everything allowed".
    experiment_id, name, _ = _private_experiment(hub)
    server = hub.start_server("user-b")
    b = hub.tokens["user-b"]
    who = http("GET", server + API + "whoami", token=b)
    assert who.status == 200, who
    assert who.body["name"] == "user-b"
    assert who.body["permissions_enabled"] is True
    assert "team" in who.body["groups"]
    assert name not in _names(http("GET", server + API + "experiments", token=b))
    _share(hub, experiment_id, "team", "READ")
    listed = http("GET", server + API + "experiments?shared_with_me=true", token=b)
    (seen,) = [e for e in listed.body["experiments"] if e["name"] == name]
    assert seen["owner"] == "user-a" and seen["my_permission"] == "READ"
    refused = http("DELETE", server + API + f"experiments/{experiment_id}", token=b)
    assert refused.status == 403, refused
    assert "user-b needs MANAGE" in refused.body["message"]


def test_an_mlflow_client_gets_the_documented_403(hub: Hub, mlflow3: Path) -> None:
    from tests.mlflow_protocol import envs

    experiment_id, _, run_id = _private_experiment(hub)
    script = textwrap.dedent(
        f"""
        import json, mlflow
        from mlflow.exceptions import MlflowException
        try:
            mlflow.MlflowClient().log_param({run_id!r}, "alpha", "1")
        except MlflowException as exc:
            print(json.dumps({{"code": exc.error_code, "message": exc.message}}))
        """
    )
    env = envs.clean_env(
        MLFLOW_TRACKING_URI=hub.service_url + "labtrack/mlflow",
        MLFLOW_TRACKING_TOKEN=hub.tokens["user-b"],
    )
    done = subprocess.run(
        [str(mlflow3), "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["code"] == "PERMISSION_DENIED"
    assert "user-b needs EDIT on experiment" in out["message"] and experiment_id in out["message"]
