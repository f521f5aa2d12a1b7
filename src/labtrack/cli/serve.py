"""``labtrack serve``: a model as a REST endpoint (MLflow's scoring protocol)."""

from __future__ import annotations

import secrets

import click

from labtrack.cli import _common
from labtrack.serving import ServeOptions
from labtrack.serving import serve as run
from labtrack.utils.host_check import is_loopback


@click.command("serve")
@click.argument("model_uri")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", type=int, default=5000, show_default=True, help="0: any free port.")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes sharing the port (each loads the model and follows the registry).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="Seconds between checks of the registry for a new version behind a stage or alias.",
)
@click.option(
    "--max-body-mb",
    type=click.FloatRange(min=0.001),
    default=20.0,
    show_default=True,
    help="Largest request body accepted; a larger one gets a 413.",
)
@click.option(
    "--max-batch",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Answer up to this many requests that queued while the model was busy with one "
    "predict call (for models whose rows are predicted independently, as scikit-learn's are).",
)
@click.option(
    "--allow-unsafe", is_flag=True, help="Load pickle-format models (their loading runs code)."
)
@click.option(
    "--token",
    envvar="LABTRACK_SERVE_TOKEN",
    help="Require 'Authorization: Bearer TOKEN' on every request but /ping and /health. "
    "Default: none on a loopback --host; a new random token (printed) on any other.",
)
@click.option(
    "--no-token",
    is_flag=True,
    help="Serve without a token on a non-loopback --host (behind a gateway that authenticates).",
)
@click.pass_context
@_common.friendly
def serve(
    ctx: click.Context,
    model_uri: str,
    host: str,
    port: int,
    workers: int,
    poll_interval: float,
    max_body_mb: float,
    max_batch: int,
    allow_unsafe: bool,
    token: str | None,
    no_token: bool,
) -> None:
    """Serve a model over HTTP (MLflow's scoring protocol) until Ctrl-C.

    MODEL_URI is models:/<name>/<stage|version|latest>, models:/<name>@<alias>, runs:/... or a
    model folder. A stage or alias follows the registry: when another version takes it, the
    next requests get that version, with no restart. Endpoints: POST /invocations (JSON with
    one of dataframe_split, dataframe_records, instances, inputs; or text/csv), GET /ping,
    /health, /version.

    \b
    Example:
      labtrack serve models:/churn/Production --port 5001 --workers 2
      curl -X POST localhost:5001/invocations -H 'Content-Type: application/json' \\
           -d '{"dataframe_records": [{"age": 42, "plan": "pro"}]}'

    On a loopback --host (the default) only requests for localhost / 127.0.0.1 are answered
    (no page of another site can reach the model); on any other address requests need a
    token (printed at start, or --token).
    """

    if token is not None and no_token:
        raise click.UsageError("Give --token or --no-token, not both.")
    if token is None and not no_token and not is_loopback(host):
        # Anyone who can reach the address could use the model: on by default off loopback.
        token = secrets.token_urlsafe(24)
        click.echo(
            f"Requests need 'Authorization: Bearer {token}' (--token sets one, --no-token "
            "serves without).",
            err=True,
        )
    click.echo(f"Serving {model_uri} on http://{host}:{port} with {workers} worker(s)", err=True)
    run(
        ServeOptions(
            model_uri=model_uri,
            tracking_uri=ctx.obj.get("tracking_uri"),
            host=host,
            port=port,
            workers=workers,
            poll_interval=poll_interval,
            max_body_mb=max_body_mb,
            max_batch=max_batch,
            allow_unsafe=allow_unsafe,
            unsafe_hint="To serve it anyway, pass --allow-unsafe to `labtrack serve`.",
            access_token=token or None,
        )
    )
