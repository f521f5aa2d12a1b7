"""labtrack as a JupyterHub service: who gets in, kernels and MLflow clients with hub tokens,
browser login through the hub, replicas over one PostgreSQL."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http import cookiejar as http_cookiejar
from pathlib import Path
from typing import Any

import pytest
from tornado.web import RequestHandler

from tests.hub.conftest import HUB_PASSWORD, Hub, clean_env, http
from tests.services import free_port, s3_client, stop_process, wait_until

KERNEL_TIMEOUT = 120


# -- who gets in ---------------------------------------------------------------------------------


def test_the_service_answers_a_users_hub_token(hub: Hub) -> None:
    for scheme in ("token", "Bearer"):
        answer = http(
            "GET",
            hub.service_url + "labtrack/mlflow/api/2.0/mlflow/experiments/search?max_results=5",
            token=hub.tokens["user-a"],
            scheme=scheme,
        )
        assert answer.status == 200, answer
        # A new user may read nothing yet (permissions are on): MLflow's empty answer is {}.
        assert isinstance(answer.body, dict) and "error_code" not in answer.body


def test_a_request_without_a_token_is_refused_with_what_to_send(hub: Hub) -> None:
    answer = hub.request("GET", "labtrack/api/experiments")
    assert answer.status == 401
    assert "JupyterHub API token" in answer.body["message"]
    write = hub.request("POST", "labtrack/api/store/list_experiments", {"args": {}})
    assert write.status == 401
    assert "JupyterHub API token" in write.body["message"]
    mlflow = hub.request("GET", "labtrack/mlflow/api/2.0/mlflow/experiments/search")
    assert mlflow.status == 401
    assert "JUPYTERHUB_API_TOKEN" in mlflow.body["message"]


def test_a_token_the_hub_does_not_know_is_refused(hub: Hub) -> None:
    answer = hub.request("GET", "labtrack/api/experiments", token="not-a-hub-token")
    assert answer.status == 401
    assert "did not accept the token" in answer.body["message"]
    store = hub.request("POST", "labtrack/api/store/list_experiments", {"args": {}}, "nope")
    assert store.status == 401


def test_a_token_without_the_services_scope_gets_a_403_naming_it(hub: Hub) -> None:
    made = hub.hub_api(
        "POST", "users/user-b/tokens", {"note": "no service", "scopes": ["read:users:name!user"]}
    )
    assert made.status == 201, made
    answer = hub.request("GET", "labtrack/api/experiments", token=made.body["token"])
    assert answer.status == 403
    assert "access:services!service=labtrack" in answer.body["message"]
    assert "user-b" in answer.body["message"]


def test_a_browser_without_the_cookie_is_sent_to_the_hubs_login(hub: Hub) -> None:
    first = http("GET", hub.service_url)
    assert first.status == 302
    authorize = urllib.parse.urljoin(hub.service_url, first.headers["location"])
    assert urllib.parse.urlsplit(authorize).path == "/hub/api/oauth2/authorize"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)
    assert query["client_id"] == ["service-labtrack"]
    assert query["redirect_uri"][0].endswith("/services/labtrack/oauth_callback")
    second = http("GET", authorize)
    assert second.status == 302
    assert urllib.parse.urlsplit(second.headers["location"]).path == "/hub/login"


def test_a_signed_in_browser_gets_the_services_page(hub: Hub) -> None:
    # The page (the hub's Services menu links to it) says who is signed in and how to connect.
    answer = http("GET", hub.service_url, token=hub.tokens["user-a"])
    assert answer.status == 200
    assert "user-a" in answer.body
    assert "labtrack/mlflow" in answer.body


# -- single-user servers and kernels -------------------------------------------------------------


def _kernel_run(server: str, token: str, code: str) -> str:
    """Run ``code`` in a new kernel of a single-user server; its stdout."""
    script = textwrap.dedent(
        f"""
        import asyncio, json, sys, uuid
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        SERVER, TOKEN, CODE = {server!r}, {token!r}, {code!r}

        async def main():
            headers = {{"Authorization": "token " + TOKEN}}
            client = AsyncHTTPClient()
            made = await client.fetch(HTTPRequest(SERVER + "api/kernels", method="POST",
                                      body="{{}}", headers=headers))
            kernel = json.loads(made.body)["id"]
            ws_url = SERVER.replace("http", "ws", 1) + f"api/kernels/{{kernel}}/channels"
            ws = await websocket_connect(HTTPRequest(ws_url, headers=headers))
            msg_id = uuid.uuid4().hex
            ws.write_message(json.dumps({{
                "header": {{"msg_id": msg_id, "msg_type": "execute_request", "username": "t",
                           "session": uuid.uuid4().hex, "version": "5.3"}},
                "parent_header": {{}}, "metadata": {{}}, "channel": "shell",
                "content": {{"code": CODE, "silent": False, "store_history": False,
                            "user_expressions": {{}}, "allow_stdin": False}},
            }}))
            out, error = [], None
            while True:
                msg = json.loads(await ws.read_message())
                if msg.get("parent_header", {{}}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = "\\n".join(msg["content"]["traceback"])
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
            await client.fetch(HTTPRequest(SERVER + f"api/kernels/{{kernel}}", method="DELETE",
                                           headers=headers))
            if error:
                sys.exit(error)
            print("".join(out), end="")

        asyncio.run(asyncio.wait_for(main(), {KERNEL_TIMEOUT}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=KERNEL_TIMEOUT + 30,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_kernel_logs_to_the_service_as_its_hub_user_with_no_configuration(hub: Hub) -> None:
    server = hub.start_server("user-a")
    code = textwrap.dedent(
        """
        import os, labtrack
        assert "LABTRACK_TRACKING_TOKEN" not in os.environ
        with labtrack.start_run(run_name="from-user-a") as run:
            labtrack.log_param("alpha", "0.5")
            labtrack.log_metric("loss", 0.25)
            labtrack.log_text("written by a kernel", "notes/hello.txt")
        print(run.info.run_id)
        """
    )
    run_id = _kernel_run(server, hub.tokens["user-a"], code).strip().splitlines()[-1]
    got = hub.request(
        "GET",
        f"labtrack/mlflow/api/2.0/mlflow/runs/get?run_id={run_id}",
        token=hub.tokens["user-a"],
    )
    assert got.status == 200, got
    run = got.body["run"]
    tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
    assert tags["mlflow.user"] == "user-a"
    assert run["info"]["user_id"] == "user-a"
    assert {p["key"]: p["value"] for p in run["data"]["params"]} == {"alpha": "0.5"}
    assert [m["value"] for m in run["data"]["metrics"] if m["key"] == "loss"] == [0.25]
    # The artifact went through the service's proxy into its object store (the kernel has no
    # S3 credentials).
    path = run["info"]["artifact_uri"].removeprefix("mlflow-artifacts:/")
    proxy = "labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts/"
    text = http_bytes(f"{hub.service_url}{proxy}{path}/notes/hello.txt", hub.tokens["user-a"])
    assert text == b"written by a kernel"


def test_a_kernels_mlflow_variables_from_the_hub_config_reach_the_service(hub: Hub) -> None:
    # What `import mlflow` in a kernel uses: MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN, set
    # for every single-user server by the example config's spawner environment.
    server = hub.start_server("user-b")
    code = textwrap.dedent(
        """
        import json, os, urllib.request
        url = os.environ["MLFLOW_TRACKING_URI"] + "/api/2.0/mlflow/experiments/search?max_results=1"
        token = os.environ["MLFLOW_TRACKING_TOKEN"]
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(req, timeout=60) as answer:
            print(json.dumps({"status": answer.status, "user": os.environ["JUPYTERHUB_USER"],
                              "same": token == os.environ["JUPYTERHUB_API_TOKEN"]}))
        """
    )
    out = json.loads(_kernel_run(server, hub.tokens["user-b"], code).strip().splitlines()[-1])
    assert out == {"status": 200, "user": "user-b", "same": True}


def test_the_users_jupyterlab_shows_the_services_runs(hub: Hub) -> None:
    # The sidebar's API on user-a's own server reads the shared service with user-a's token.
    server = hub.start_server("user-a")
    mine = http("GET", server + "labtrack/api/experiments", token=hub.tokens["user-a"])
    assert mine.status == 200, mine
    shared = hub.request("GET", "labtrack/api/experiments", token=hub.tokens["user-a"])
    assert shared.status == 200, shared
    assert {e["experiment_id"] for e in _experiments(mine.body)} == {
        e["experiment_id"] for e in _experiments(shared.body)
    }


def http_bytes(url: str, token: str) -> bytes:
    """The body of a GET with a token (a file from the artifact proxy)."""
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=60) as answer:
        return bytes(answer.read())


def _experiments(body: Any) -> list[dict[str, Any]]:
    return body["experiments"] if isinstance(body, dict) else body


# -- MLflow clients ------------------------------------------------------------------------------


def test_an_mlflow_client_with_a_users_hub_token_logs_and_reads(hub: Hub, mlflow3: Path) -> None:
    from tests.mlflow_protocol import envs

    script = textwrap.dedent(
        """
        import json, mlflow
        mlflow.set_experiment("hub-mlflow-client")
        with mlflow.start_run(run_name="from-user-b") as run:
            mlflow.log_param("depth", 3)
            mlflow.log_metric("acc", 0.75, step=1)
        got = mlflow.get_run(run.info.run_id)
        print(json.dumps({"run_id": run.info.run_id, "params": got.data.params,
                          "metrics": got.data.metrics, "user": got.data.tags["mlflow.user"],
                          "user_id": got.info.user_id}))
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
    assert out["params"] == {"depth": "3"}
    assert out["metrics"] == {"acc": 0.75}
    # MLflow sends the operating-system account; the service records the hub's name.
    assert out["user"] == out["user_id"] == "user-b"
    bad = envs.clean_env(
        MLFLOW_TRACKING_URI=hub.service_url + "labtrack/mlflow",
        MLFLOW_TRACKING_TOKEN="not-a-hub-token",
    )
    refused = subprocess.run(
        [str(mlflow3), "-c", "import mlflow; mlflow.search_experiments()"],
        env=bad,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode != 0
    assert "did not accept the token" in refused.stderr


# -- replicas ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica(hub: Hub) -> Iterator[str]:
    """A second ``labtrack server --jupyterhub`` with the service's identity, over the same
    PostgreSQL and artifact root (as a replica behind a load balancer runs); its URL."""
    port = free_port()
    env = {
        **clean_env(),
        "JUPYTERHUB_API_TOKEN": hub.service_token,
        "JUPYTERHUB_API_URL": hub.api_url,
        "JUPYTERHUB_SERVICE_NAME": "labtrack",
        "JUPYTERHUB_SERVICE_PREFIX": "/services/labtrack/",
        "JUPYTERHUB_CLIENT_ID": "service-labtrack",
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "LABTRACK_TRACKING_URI": hub.tracking_uri,
        "LABTRACK_ARTIFACT_ROOT": hub.artifact_root,
        "AWS_ENDPOINT_URL": hub.s3_endpoint,
    }
    log = hub.root / "replica.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "labtrack", "server"],  # the hub's environment turns it on
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/services/labtrack/"
    try:

        def up() -> bool:
            try:
                return http("GET", url + "labtrack/api/store", timeout=5).status == 401
            except OSError:
                return False

        wait_until(up, "the second labtrack replica", proc, log, timeout=60)
        yield url
    finally:
        stop_process(proc, signal.SIGINT)


def test_two_replicas_over_one_database_give_the_same_answers(hub: Hub, replica: str) -> None:
    token = hub.tokens["user-b"]
    made = http(
        "POST",
        replica + "labtrack/mlflow/api/2.0/mlflow/experiments/create",
        {"name": f"replicas-{time.monotonic_ns()}"},
        token,
    )
    assert made.status == 200, made
    experiment_id = made.body["experiment_id"]
    run = http(
        "POST",
        hub.service_direct + "labtrack/mlflow/api/2.0/mlflow/runs/create",
        {"experiment_id": experiment_id, "run_name": "on-replica-1"},
        token,
    )
    assert run.status == 200, run
    run_id = run.body["run"]["info"]["run_id"]
    logged = http(
        "POST",
        replica + "labtrack/mlflow/api/2.0/mlflow/runs/log-metric",
        {"run_id": run_id, "key": "m", "value": 1.5, "timestamp": 1, "step": 0},
        token,
    )
    assert logged.status == 200, logged
    paths = [
        f"labtrack/mlflow/api/2.0/mlflow/runs/get?run_id={run_id}",
        f"labtrack/mlflow/api/2.0/mlflow/experiments/get?experiment_id={experiment_id}",
        f"labtrack/api/runs?experiment_id={experiment_id}",
    ]
    proxy = "labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts/"
    where = run.body["run"]["info"]["artifact_uri"].removeprefix("mlflow-artifacts:/")
    upload = urllib.request.Request(
        hub.service_direct + proxy + where + "/model.txt",
        data=b"uploaded to replica 1",
        headers={"Authorization": f"token {token}"},
        method="PUT",
    )
    with urllib.request.urlopen(upload, timeout=60) as put:
        assert put.status == 200
    assert http_bytes(replica + proxy + where + "/model.txt", token) == b"uploaded to replica 1"
    bucket = hub.artifact_root.removeprefix("s3://").split("/")[0]
    listed = s3_client(hub.s3_endpoint).list_objects_v2(Bucket=bucket)
    assert any(item["Key"].endswith(f"{run_id}/artifacts/model.txt") for item in listed["Contents"])
    for path in paths:
        one = http("GET", hub.service_direct + path, token=token)
        two = http("GET", replica + path, token=token)
        assert one.status == two.status == 200, (path, one, two)
        assert one.body == two.body, path
    assert http("GET", replica + paths[1], token="not-a-hub-token").status == 401


# -- a browser's sign-in -------------------------------------------------------------------------


def test_a_browser_signs_in_at_the_hub_and_uses_the_service_with_its_cookie(hub: Hub) -> None:
    jar = http_cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(hub.url + "hub/login", timeout=60) as page:
        assert page.status == 200
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    form = urllib.parse.urlencode(
        {"username": "user-a", "password": HUB_PASSWORD, "_xsrf": xsrf}
    ).encode()
    next_url = urllib.parse.quote("/services/labtrack/")
    # Login, then the OAuth round trip: hub -> authorize -> the service's oauth_callback -> page.
    with browser.open(hub.url + f"hub/login?next={next_url}", data=form, timeout=60) as page:
        assert page.status == 200
        assert urllib.parse.urlsplit(page.url).path == "/services/labtrack/"
        assert "Signed in through JupyterHub as <b>user-a</b>" in page.read().decode()
    # The cookie opens the API for that browser...
    with browser.open(hub.service_url + "labtrack/api/experiments", timeout=60) as answer:
        assert answer.status == 200

    # ... and its writes, with the XSRF token a page of the service sends, not without.
    def create(name: str, headers: dict[str, str]) -> urllib.request.Request:
        body = json.dumps({"name": name}).encode()
        url = hub.service_url + "labtrack/api/experiments"
        headers = {"Content-Type": "application/json", **headers}
        return urllib.request.Request(url, data=body, headers=headers, method="POST")

    with pytest.raises(urllib.error.HTTPError) as refused:
        browser.open(create("without-xsrf", {}), timeout=60)
    assert refused.value.code == 403
    assert "XSRF" in json.loads(refused.value.read())["message"]
    xsrf = next(c.value for c in jar if c.name == "_xsrf" and c.path == "/services/labtrack/")
    with browser.open(create("with-xsrf", {"X-XSRFToken": xsrf}), timeout=60) as made:
        assert made.status == 201


def _every_route() -> list[tuple[str, str]]:
    """(verb, path below the service prefix) of every route labtrack mounts, sample values in
    the path groups."""
    from labtrack.server.routes import route_tables

    out = []
    for prefix, table in route_tables():
        for pattern, handler in table:
            path = prefix.strip("/") + "/" + re.sub(r"\(\?P<\w+>[^)]*\)", "x", pattern)
            path = path.replace("\\", "")
            for verb in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                if getattr(handler, verb.lower()) is not getattr(RequestHandler, verb.lower()):
                    out.append((verb, path))
    return out


def test_every_route_refuses_a_request_the_hub_does_not_vouch_for(hub: Hub) -> None:
    routes = _every_route()
    assert len(routes) > 50
    wrong = []
    for verb, path in routes:
        body = {} if verb in ("POST", "PUT", "PATCH") else None
        for token in (None, "not-a-hub-token"):
            answer = http(verb, hub.service_url + path, body, token)
            if answer.status != 401:
                wrong.append((verb, path, token, answer.status))
    assert not wrong
