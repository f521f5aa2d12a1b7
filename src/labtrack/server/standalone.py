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
"""

from __future__ import annotations

import secrets
from typing import Any

from jupyter_server.serverapp import ServerApp
from traitlets import Bool

__all__ = ["LabtrackServerApp", "run_server"]


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


def run_server(
    host: str,
    port: int,
    tracking_uri: str | None,
    artifact_root: str | None,
    token: str | None,
    no_token: bool,
    base_url: str = "/",
    argv: list[str] | None = None,
    permissions: bool = False,
) -> None:
    """Start the server and serve until interrupted (prints the URL with its token);
    ``permissions`` turns team mode on (``c.Labtrack.permissions``)."""
    chosen = "" if no_token else (token or secrets.token_urlsafe(24))
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
    from traitlets.config import Config

    app = LabtrackServerApp(config=Config(config))
    app.initialize(argv or [])
    if not no_token:
        where = f"http://{host}:{port}{base_url}"
        print(  # noqa: T201 - the token is what the user needs to connect
            f"labtrack server at {where}\n"
            f"  MLflow clients: MLFLOW_TRACKING_URI={where}labtrack/mlflow "
            f"MLFLOW_TRACKING_TOKEN={chosen}\n"
            f"  labtrack clients: LABTRACK_TRACKING_URI={where} LABTRACK_TRACKING_TOKEN={chosen}",
            flush=True,
        )
    app.start()
