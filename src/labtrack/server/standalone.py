"""``labtrack server``: labtrack's APIs without JupyterLab, for a team or a machine without Jupyter.

It is jupyter_server's ``ServerApp`` with only the labtrack extension and only the services it
needs (``api``, ``auth``, ``security``): no contents, kernels, terminals or sessions, so the
token opens the tracking APIs and nothing that runs code. It serves the same routes as the
extension inside JupyterLab: MLflow's REST protocol (``/labtrack/mlflow/``), the sidebar's REST
API and labtrack's store RPC (``/labtrack/api/``) and model serving (``/labtrack/serving/``).

Why ServerApp rather than a tornado application of its own: the handlers are Jupyter
handlers (Jupyter's identity provider and authorizer decide who may call them), so reusing
the server app keeps one code path for both modes, and the authentication a team needs
later (a JupyterHub service's OAuth, per-user identity) plugs in as it does into Jupyter.

Token authentication is on unless turned off explicitly; then every request is anonymous and
a warning says so at start.

As a JupyterHub service (``--jupyterhub``, or on its own when the hub's service environment is
set: ``JUPYTERHUB_API_TOKEN``, ``JUPYTERHUB_API_URL``, ``JUPYTERHUB_SERVICE_NAME``), the hub
authenticates every request instead (:mod:`labtrack.server.hub_identity`), the routes live
under the service prefix (``/services/<name>/``) and the address comes from
``JUPYTERHUB_SERVICE_URL``. Nothing is kept in the process that another replica would need
(the store is the database and the object store), so replicas over one PostgreSQL answer alike;
browsers stay signed in across replicas when they share ``LABTRACK_COOKIE_SECRET``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from jupyter_server.serverapp import ServerApp
from traitlets import Bool

from labtrack.errors import LabtrackError

__all__ = [
    "HUB_ENV",
    "HubService",
    "LabtrackServerApp",
    "hub_environment",
    "hub_service",
    "run_server",
]

# What the hub puts in a managed service's environment (and an admin gives an external one).
HUB_ENV = ("JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL")


class LabtrackServerApp(ServerApp):
    """jupyter_server with the labtrack extension alone."""

    name = "labtrack-server"
    description = "labtrack's tracking, MLflow and serving APIs, without JupyterLab."
    # The services whose routes are mounted: Jupyter's status and spec, login, CSP reports.
    default_services = ("api", "auth", "security")  # type: ignore[assignment]

    insecure_no_auth = Bool(
        False, config=True, help="Serve without any authentication (anyone who can connect)."
    )

    def find_server_extensions(self) -> None:
        # Only labtrack: the extensions enabled in Jupyter's config (JupyterLab, ...) stay out.
        self.jpserver_extensions = {"labtrack": True}

    def initialize(
        self,
        argv: list[str] | None = None,
        find_extensions: bool = True,
        new_httpserver: bool = True,
        starter_extension: Any = None,
    ) -> None:
        super().initialize(argv, find_extensions, new_httpserver, starter_extension)
        if self.insecure_no_auth:
            self.log.warning(
                "labtrack server: AUTHENTICATION IS OFF. Anyone who can reach %s can read, "
                "change and delete every experiment, run, artifact and model. Use this only on "
                "a trusted network; drop --no-token to require a token.",
                self.connection_url,
            )


def hub_environment(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process was started as a JupyterHub service (the hub's variables are set).

    >>> hub_environment({"JUPYTERHUB_API_TOKEN": "t", "JUPYTERHUB_API_URL": "http://hub/hub/api",
    ...                  "JUPYTERHUB_SERVICE_NAME": "labtrack"})
    True
    """
    env = os.environ if environ is None else environ
    # A single-user server's environment has the token, the API URL and a prefix too, but no
    # service name and a JUPYTERHUB_USER: `labtrack server` in a user's terminal stays standalone.
    service = bool(env.get("JUPYTERHUB_SERVICE_NAME")) and not env.get("JUPYTERHUB_USER")
    return service and all(env.get(name) for name in HUB_ENV)


class HubService:
    """Where and as what a JupyterHub service runs, from the hub's environment variables."""

    def __init__(self, name: str, prefix: str, host: str | None, port: int | None) -> None:
        self.name = name
        self.prefix = prefix
        self.host = host
        self.port = port


def hub_service(environ: Mapping[str, str] | None = None) -> HubService:
    """The service's name, URL prefix and address as the hub sets them.

    >>> s = hub_service({"JUPYTERHUB_SERVICE_NAME": "labtrack",
    ...                  "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:10101"})
    >>> (s.prefix, s.host, s.port)
    ('/services/labtrack/', '127.0.0.1', 10101)
    """
    env = os.environ if environ is None else environ
    name = env.get("JUPYTERHUB_SERVICE_NAME", "labtrack")
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX") or f"/services/{name}/"
    if not prefix.endswith("/"):
        prefix += "/"
    url = urlsplit(env.get("JUPYTERHUB_SERVICE_URL", ""))
    return HubService(name, prefix, url.hostname, url.port)


def _cookie_secret() -> bytes | None:
    """Replicas share the secret of the OAuth cookie, or a browser signed in at one is sent
    through the hub's login again (and an OAuth callback reaching another replica fails)."""
    raw = os.environ.get("LABTRACK_COOKIE_SECRET", "")
    return raw.encode() if raw else None


def _hub_config(service: HubService) -> dict[str, Any]:
    try:
        from labtrack.server.hub_identity import HubAuthorizer, HubIdentityProvider
    except ImportError as exc:
        raise LabtrackError(
            f"Running as a JupyterHub service needs the jupyterhub package ({exc}). Install it "
            "with: pip install 'labtrack[hub]'"
        ) from None

    server: dict[str, Any] = {
        "base_url": service.prefix,
        "default_url": service.prefix,
        "identity_provider_class": HubIdentityProvider,
        "authorizer_class": HubAuthorizer,
        "allow_unauthenticated_access": False,
        # Token-authenticated requests skip the XSRF check (HubOAuth's patch); cookie ones keep it.
        "disable_check_xsrf": False,
    }
    secret = _cookie_secret()
    if secret:
        server["cookie_secret"] = secret
    return server


def run_server(
    host: str | None,
    port: int | None,
    tracking_uri: str | None,
    artifact_root: str | None,
    token: str | None,
    no_token: bool,
    base_url: str = "/",
    argv: list[str] | None = None,
    jupyterhub: bool = False,
    permissions: bool = False,
) -> None:
    """Start the server and serve until interrupted (prints the URL with its token).

    With ``jupyterhub``, the hub authenticates every request and the prefix and address are the
    service's (``host`` and ``port`` still win when given). ``permissions`` turns team mode on
    (``c.Labtrack.permissions``).
    """
    service = hub_service() if jupyterhub else None
    if service is not None:
        host = host or service.host or "127.0.0.1"
        port = port or service.port or 5000
        base_url = service.prefix
    else:
        host = host or "127.0.0.1"
        port = port or 5000
    chosen = "" if no_token or service else (token or secrets.token_urlsafe(24))
    config: dict[str, Any] = {
        "ServerApp": {
            "ip": host,
            "port": port,
            "port_retries": 0,
            "open_browser": False,
            "allow_root": True,  # no kernels or terminals: nothing here runs user code
            "base_url": base_url,
            "default_url": base_url,
            "jpserver_extensions": {"labtrack": True},
            "allow_unauthenticated_access": no_token,
            # XSRF checks protect a browser's login cookie; without authentication there is
            # none, and MLflow clients send no XSRF token.
            "disable_check_xsrf": no_token,
        },
        "IdentityProvider": {"token": chosen},
        "PasswordIdentityProvider": {"hashed_password": ""},
        "LabtrackServerApp": {"insecure_no_auth": no_token},
        "Labtrack": {
            "tracking_uri": tracking_uri or "",
            "artifact_root": artifact_root or "",
            "permissions": permissions,
        },
    }
    if service is not None:
        config["ServerApp"].update(_hub_config(service))
        # The hub's provider has no token of its own to configure.
        del config["IdentityProvider"], config["PasswordIdentityProvider"]
    from traitlets.config import Config

    app = LabtrackServerApp(config=Config(config))
    app.initialize(argv or [])
    where = f"http://{host}:{port}{base_url}"
    if service is not None:
        print(  # noqa: T201 - where the service listens, for the hub's log
            f"labtrack server: JupyterHub service {service.name!r} at {where}; requests are "
            "authenticated by the hub",
            flush=True,
        )
    elif not no_token:
        print(  # noqa: T201 - the token is what the user needs to connect
            f"labtrack server at {where}\n"
            f"  MLflow clients: MLFLOW_TRACKING_URI={where}labtrack/mlflow "
            f"MLFLOW_TRACKING_TOKEN={chosen}\n"
            f"  labtrack clients: LABTRACK_TRACKING_URI={where} LABTRACK_TRACKING_TOKEN={chosen}",
            flush=True,
        )
    app.start()
