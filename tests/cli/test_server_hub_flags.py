"""``labtrack server --jupyterhub``: when it turns on, and the arguments it refuses (the service
itself runs under a real hub in ``tests/hub/``)."""

from __future__ import annotations

import pytest

from labtrack.config import server_base_url
from labtrack.server.standalone import hub_environment, hub_service
from labtrack.utils.user import current_user
from tests.cli.test_server_command import invoke

SERVICE_ENV = {
    "JUPYTERHUB_API_TOKEN": "t",
    "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api",
    "JUPYTERHUB_SERVICE_NAME": "labtrack",
}


@pytest.fixture
def no_hub(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in [*SERVICE_ENV, "JUPYTERHUB_USER", "JUPYTERHUB_SERVICE_PREFIX"]:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_hubs_service_environment_turns_hub_mode_on() -> None:
    assert hub_environment(SERVICE_ENV)
    assert not hub_environment({**SERVICE_ENV, "JUPYTERHUB_API_TOKEN": ""})


def test_a_single_user_servers_environment_does_not() -> None:
    # `labtrack server` in a user's terminal inside a hub stays a standalone server.
    user_env = {**SERVICE_ENV, "JUPYTERHUB_USER": "ann"}
    del user_env["JUPYTERHUB_SERVICE_NAME"]
    assert not hub_environment({**user_env, "JUPYTERHUB_SERVICE_PREFIX": "/user/ann/"})
    assert not hub_environment({**SERVICE_ENV, "JUPYTERHUB_USER": "ann"})


def test_the_service_listens_where_the_hub_says() -> None:
    service = hub_service(
        {
            "JUPYTERHUB_SERVICE_NAME": "tracking",
            "JUPYTERHUB_SERVICE_PREFIX": "/hub-base/services/tracking",
            "JUPYTERHUB_SERVICE_URL": "http://0.0.0.0:10101",
        }
    )
    assert (service.prefix, service.host, service.port) == (
        "/hub-base/services/tracking/",
        "0.0.0.0",
        10101,
    )


def test_jupyterhub_without_the_hubs_environment_says_what_is_missing(no_hub: object) -> None:
    code, out = invoke("server", "--jupyterhub")
    assert code == 2
    assert "JUPYTERHUB_API_TOKEN" in out and "c.JupyterHub.services" in out


@pytest.mark.parametrize(
    "args", [("--token", "t"), ("--no-token",), ("--base-url", "/lt/")], ids=str
)
def test_jupyterhub_refuses_what_the_hub_decides(
    no_hub: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    for name, value in SERVICE_ENV.items():
        no_hub.setenv(name, value)
    code, out = invoke("server", *args)  # hub mode by the environment alone
    assert code == 2
    assert "JupyterHub service" in out


def test_a_hub_service_prefix_named_labtrack_is_a_base_url() -> None:
    # Regression: the REST store cut "/services/labtrack/" down to "/services/" (it took the
    # service's name for labtrack's own route prefix), so kernels in a hub failed to log.
    assert server_base_url("http://hub/services/labtrack/") == "http://hub/services/labtrack/"
    assert server_base_url("http://hub/services/labtrack/labtrack/mlflow") == (
        "http://hub/services/labtrack/"
    )
    assert server_base_url("http://host:8888/labtrack") == "http://host:8888/"


def test_runs_in_a_hub_carry_the_hub_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "user-a")
    assert current_user() == "user-a"
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert current_user() != "user-a"
