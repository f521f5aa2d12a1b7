"""``labtrack server``: the tracking server without JupyterLab; ``labtrack resend``."""

from __future__ import annotations

import os

import click

from labtrack.cli import _common
from labtrack.store.rest.store import resend as send


@click.command("server")
@click.option(
    "--host",
    help="Address to listen on [default: 127.0.0.1, or JUPYTERHUB_SERVICE_URL's as a hub service].",
)
@click.option(
    "--port",
    "-p",
    type=int,
    help="Port to listen on [default: 5000, or JUPYTERHUB_SERVICE_URL's as a hub service].",
)
@click.option(
    "--artifact-root",
    envvar="LABTRACK_ARTIFACT_ROOT",
    help="Where artifacts go: a folder or an fsspec URL such as s3://bucket/prefix "
    "[default: the store's].",
)
@click.option(
    "--token",
    envvar="LABTRACK_SERVER_TOKEN",
    help="The token clients must send (MLFLOW_TRACKING_TOKEN / LABTRACK_TRACKING_TOKEN) "
    "[default: a new random one, printed at start].",
)
@click.option(
    "--no-token",
    is_flag=True,
    help="Serve without authentication: anyone who can connect may read, change and delete "
    "everything. Only on a trusted network.",
)
@click.option("--base-url", default="/", show_default=True, help="Path prefix of every route.")
@click.option(
    "--permissions/--no-permissions",
    default=None,
    help="Team mode: owners and READ / EDIT / MANAGE grants on experiments and registered "
    "models, enforced on every route (docs/permissions.md). On by default as a JupyterHub "
    "service, off otherwise.",
)
@click.option(
    "--jupyterhub/--no-jupyterhub",
    default=None,
    help="Run as a JupyterHub service: the hub authenticates every request (its users' API "
    "tokens, OAuth for browsers) and the routes live under the service prefix. On by default "
    "when the hub's service environment is set (JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL, "
    "JUPYTERHUB_SERVICE_NAME).",
)
@click.pass_context
@_common.friendly
def server(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    artifact_root: str | None,
    token: str | None,
    no_token: bool,
    base_url: str,
    permissions: bool | None,
    jupyterhub: bool | None,
) -> None:
    """Serve labtrack's APIs over HTTP until Ctrl-C, without JupyterLab.

    The same routes as inside JupyterLab: MLflow's REST protocol under /labtrack/mlflow/ (so
    MLflow clients and integrations log here), the sidebar's API and the store API under
    /labtrack/api/ (so labtrack clients with an http:// tracking URI log here), and model
    serving under /labtrack/serving/. The store is --tracking-uri (before the command name),
    LABTRACK_TRACKING_URI or ~/.labtrack.

    \b
    Example:
      labtrack --tracking-uri postgresql+psycopg://lt@db/lt server --host 0.0.0.0 \\
          --artifact-root s3://bucket/labtrack --token "$TOKEN"
      MLFLOW_TRACKING_URI=http://host:5000/labtrack/mlflow MLFLOW_TRACKING_TOKEN="$TOKEN" \\
          python train.py
    """
    from labtrack.server.standalone import hub_environment, run_server

    if jupyterhub is None:
        jupyterhub = hub_environment()
    if jupyterhub:
        _check_hub_options(token, no_token, base_url)
    if token and no_token:
        raise click.UsageError("Give --token or --no-token, not both.")
    if not base_url.startswith("/") or not base_url.endswith("/"):
        raise click.UsageError(
            f"--base-url must start and end with '/', e.g. /lt/; got {base_url!r}."
        )
    if no_token and not jupyterhub:
        click.secho(
            "WARNING: --no-token: authentication is OFF. Anyone who can reach "
            f"{host}:{port} can read, change and delete every run and model.",
            fg="red",
            err=True,
        )
    run_server(
        host,
        port,
        ctx.obj.get("tracking_uri"),
        artifact_root,
        token,
        no_token,
        base_url,
        jupyterhub=jupyterhub,
        # A hub's service is shared by its users: their experiments are private unless shared.
        permissions=jupyterhub if permissions is None else permissions,
    )


def _check_hub_options(token: str | None, no_token: bool, base_url: str) -> None:
    """As a hub service, the hub decides who may call and where the routes live."""
    from labtrack.server.standalone import HUB_ENV

    if token or no_token:
        raise click.UsageError(
            "--token and --no-token do not apply to a JupyterHub service: the hub "
            "authenticates every request. Drop them (or pass --no-jupyterhub)."
        )
    if base_url != "/":
        raise click.UsageError(
            "--base-url does not apply to a JupyterHub service: its routes live under "
            "JUPYTERHUB_SERVICE_PREFIX (/services/<name>/). Drop it."
        )
    missing = [name for name in HUB_ENV if not os.environ.get(name)]
    if missing:
        raise click.UsageError(
            f"--jupyterhub needs the hub's service environment; {', '.join(missing)} not set. "
            "Declare the service in jupyterhub_config.py (c.JupyterHub.services; the hub sets "
            "them for a managed service) or set them for an external one (docs/jupyterhub.md)."
        )


@click.command("resend")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_common.friendly
def resend(files: tuple[str, ...]) -> None:
    """Send metric points a process could not deliver to its server before it ended.

    FILES are the files named in that process's message (under ~/.labtrack/unsent/); each is
    deleted once its points are stored. The token comes from LABTRACK_TRACKING_TOKEN.
    """
    for path in files:
        where, count = send(path)
        click.echo(f"{path}: {count} points sent to {where}")
