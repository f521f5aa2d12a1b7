"""A real JupyterHub with labtrack as its service, for the team-mode tests.

``hub`` (one per package of tests) starts ``jupyterhub`` on 127.0.0.1 with free ports, its
proxy (configurable-http-proxy, installed by ``./dev setup`` into ``.cache/chp``), the
DummyAuthenticator (password ``HUB_PASSWORD``), the SimpleLocalProcessSpawner, and the hub
config admins copy, ``examples/jupyterhub_config.py``, loaded as it is: the ``labtrack``
service (``labtrack server --jupyterhub``, started by the hub) over a fresh PostgreSQL database
and S3 bucket (moto) of ``tests/services.py``, the roles and scopes, the single-user servers'
environment. What the tests add is only what a test machine needs: ports, paths, users, a
group, root.

Users: ``user-a`` and ``user-b`` (group ``team``), and ``hub-admin`` (an admin). The fixture
yields a :class:`Hub` with the hub's and the service's URLs and one API token per user, made
through the hub's REST API by a test-only service with a fixed token, so any test module can
add cross-user checks with ``hub.request(..., token=hub.tokens["user-b"])``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.services import (
    PostgresServer,
    S3Server,
    _connect,
    _with_database,
    free_port,
    s3_client,
    stop_process,
    wait_until,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "jupyterhub_config.py"
CHP = ROOT / ".cache" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
USERS = ("user-a", "user-b", "hub-admin")
HUB_PASSWORD = "labtrack-test-password"
SERVICE = "labtrack"
START_TIMEOUT = 90


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_plain = urllib.request.build_opener(_NoRedirect)


def _lower(headers: Any) -> dict[str, str]:
    # The proxy sends header names in lower case, tornado in title case.
    return {k.lower(): v for k, v in headers.items()}


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


def http(
    method: str,
    url: str,
    body: Any = None,
    token: str | None = None,
    scheme: str = "token",
    timeout: float = 60,
) -> Answer:
    """One request, no redirects followed, no cookies; JSON in and out where it is JSON."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"{scheme} {token}")
    try:
        with _plain.open(req, timeout=timeout) as answer:
            raw, status, headers = answer.read(), answer.status, _lower(answer.headers)
    except urllib.error.HTTPError as err:
        raw, status, headers = err.read(), err.code, _lower(err.headers)
    try:
        decoded: Any = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw.decode(errors="replace")
    return Answer(status, decoded, headers)


@dataclass
class Hub:
    """A running JupyterHub with the labtrack service."""

    url: str  # the proxy's public URL: http://127.0.0.1:PORT/
    api_url: str  # http://127.0.0.1:HUB_PORT/hub/api
    service_url: str  # through the proxy: <url>services/labtrack/
    service_direct: str  # the service process itself: http://127.0.0.1:PORT/services/labtrack/
    admin_token: str  # a test-only service's token with admin scopes
    service_token: str  # the labtrack service's own hub token (replicas share it)
    tracking_uri: str  # the service's PostgreSQL database
    artifact_root: str  # s3://<bucket>/labtrack on the session's moto S3 server
    s3_endpoint: str
    root: Path
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
        """``method`` on a path of the labtrack service, through the hub's proxy."""
        return http(method, self.service_url + path.lstrip("/"), body, token)

    def hub_api(self, method: str, path: str, body: Any = None) -> Answer:
        """The hub's REST API, as the test admin."""
        return http(method, f"{self.api_url}/{path.lstrip('/')}", body, self.admin_token)

    def start_server(self, user: str) -> str:
        """Start ``user``'s single-user server (if it is not running); its URL."""
        answer = self.hub_api("POST", f"users/{user}/server")
        assert answer.status in (201, 202, 400), answer  # 400: already running

        def ready() -> bool:
            model = self.hub_api("GET", f"users/{user}").body
            server = (model.get("servers") or {}).get("")
            return bool(server and server.get("ready"))

        wait_until(ready, f"{user}'s single-user server", log=self.log, timeout=START_TIMEOUT)
        return f"{self.url}user/{user}/"


def _config(hub_dir: Path, ports: dict[str, int], admin_token: str, service_token: str) -> str:
    venv_bin = Path(sys.executable).parent
    return textwrap.dedent(
        f"""
        c = get_config()  # noqa: F821
        # The configuration a hub admin copies, as it is.
        load_subconfig({str(EXAMPLE)!r})  # noqa: F821

        # What only a test machine needs: ports, paths, users, root.
        c.JupyterHub.bind_url = "http://127.0.0.1:{ports["proxy"]}"
        c.JupyterHub.hub_ip = "127.0.0.1"
        c.JupyterHub.hub_port = {ports["hub"]}
        c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
        c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
        c.JupyterHub.db_url = "sqlite:///{hub_dir}/jupyterhub.sqlite"
        c.JupyterHub.cookie_secret_file = "{hub_dir}/cookie_secret"
        c.JupyterHub.pid_file = "{hub_dir}/jupyterhub.pid"
        c.JupyterHub.authenticator_class = "dummy"
        c.DummyAuthenticator.password = {HUB_PASSWORD!r}
        c.Authenticator.allowed_users = {set(USERS)!r}
        c.Authenticator.admin_users = {{"hub-admin"}}
        c.JupyterHub.load_groups = {{"team": {{"users": ["user-a", "user-b"]}}}}
        c.JupyterHub.spawner_class = "simple"
        c.SimpleLocalProcessSpawner.home_dir_template = "{hub_dir}/homes/{{username}}"
        c.Spawner.cmd = [{str(venv_bin / "jupyterhub-singleuser")!r}]
        c.Spawner.args = [
            "--allow-root",
            "--ServerApp.jpserver_extensions={{'labtrack': True}}",
            # The browser test drives JupyterLab through window.jupyterapp, as tests/ui does.
            "--LabApp.expose_app_in_browser=True",
        ]
        c.Spawner.ip = "127.0.0.1"
        c.Spawner.start_timeout = {START_TIMEOUT}
        c.Spawner.http_timeout = {START_TIMEOUT}
        c.JupyterHub.services[0]["api_token"] = {service_token!r}
        c.JupyterHub.services.append({{"name": "test-admin", "api_token": {admin_token!r}}})
        c.JupyterHub.load_roles.append(
            {{
                "name": "test-admin",
                "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "groups"],
                "services": ["test-admin"],
            }}
        )
        """
    )


def clean_env() -> dict[str, str]:
    """This process's environment without labtrack's, MLflow's, the hub's or Jupyter's
    variables: what the tests pass to a hub or service is all they get."""
    skip = ("LABTRACK_", "MLFLOW_", "JUPYTERHUB_", "JPY_")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)}


def _fresh_database(postgres: PostgresServer) -> str:
    name = f"lt_hub_{secrets.token_hex(6)}"
    with _connect(postgres.admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(postgres.admin_url, name)


@pytest.fixture(scope="package")
def hub(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: PostgresServer,
    s3_server: S3Server,
) -> Iterator[Hub]:
    """A JupyterHub with the labtrack service, three users, a group; stopped afterwards."""
    pytest.importorskip("jupyterhub", reason="jupyterhub is in the test extra: ./dev setup")
    if not CHP.exists():
        pytest.skip(f"configurable-http-proxy is not installed at {CHP}: run ./dev setup")
    if shutil.which("node") is None:
        pytest.skip("Node.js (for configurable-http-proxy) is not installed: run ./dev setup")
    root = tmp_path_factory.mktemp("hub")
    hub_dir = root / "hub"
    (hub_dir / "homes").mkdir(parents=True)
    ports = {name: free_port() for name in ("proxy", "hub", "proxy_api", "service")}
    admin_token, service_token = secrets.token_hex(16), secrets.token_hex(16)
    (hub_dir / "jupyterhub_config.py").write_text(
        _config(hub_dir, ports, admin_token, service_token)
    )
    tracking_uri = _fresh_database(postgres_server)
    bucket = f"lt-hub-{secrets.token_hex(6)}"
    s3_client(s3_server.endpoint).create_bucket(Bucket=bucket)
    artifact_root = f"s3://{bucket}/labtrack"
    env = {
        **clean_env(),  # with the S3 server's test credentials, which the config passes on
        "AWS_ENDPOINT_URL": s3_server.endpoint,
        "LABTRACK_TRACKING_URI": tracking_uri,
        "LABTRACK_ARTIFACT_ROOT": artifact_root,
        "LABTRACK_SERVICE_PORT": str(ports["service"]),
    }
    log = root / "jupyterhub.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(hub_dir / "jupyterhub_config.py")],
            cwd=hub_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{ports['proxy']}/"
    started = Hub(
        url=base,
        api_url=f"http://127.0.0.1:{ports['hub']}/hub/api",
        service_url=f"{base}services/{SERVICE}/",
        service_direct=f"http://127.0.0.1:{ports['service']}/services/{SERVICE}/",
        admin_token=admin_token,
        service_token=service_token,
        tracking_uri=tracking_uri,
        artifact_root=artifact_root,
        s3_endpoint=s3_server.endpoint,
        root=root,
        log=log,
    )
    try:

        def up() -> bool:
            try:
                hub_ok = http("GET", f"{base}hub/api/", timeout=5).status == 200
                # The service answers through the proxy (401 without a token) once it started.
                probe = started.service_url + "labtrack/api/store"
                return hub_ok and http("GET", probe, timeout=5).status == 401
            except OSError:
                return False

        wait_until(up, "jupyterhub with the labtrack service", proc, log, timeout=START_TIMEOUT)
        for user in USERS:
            made = started.hub_api("POST", f"users/{user}/tokens", {"note": "labtrack tests"})
            assert made.status == 201, made
            started.tokens[user] = made.body["token"]
        yield started
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the hub (it stops its service, proxy and single-user servers), then its group."""
    stop_process(proc, signal.SIGTERM)
    # Anything the hub left behind in its session (the proxy, a server) goes with it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="package")
def mlflow3() -> Path:
    """The Python of a venv with MLflow 3 (made once, as the MLflow-protocol tests do)."""
    from tests.mlflow_protocol import envs

    return envs.mlflow_python("3")
