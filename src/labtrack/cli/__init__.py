"""The ``labtrack`` command: a thin click layer over the library.

Every command takes ``--tracking-uri`` (or ``LABTRACK_TRACKING_URI``); the default is the same
store the kernel and the Jupyter server use (``~/.labtrack``).
"""

from __future__ import annotations

import click

from labtrack.cli.db import db
from labtrack.cli.experiments import experiments
from labtrack.cli.runs import runs
from labtrack.cli.serve import serve
from labtrack.cli.server import resend, server


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--tracking-uri",
    envvar="LABTRACK_TRACKING_URI",
    help="Store to use: a folder, sqlite:///file.db, postgresql+psycopg://... or a labtrack "
    "server's http(s):// URL [default: ~/.labtrack]",
)
@click.version_option(package_name="labtrack", message="labtrack %(version)s")
@click.pass_context
def cli(ctx: click.Context, tracking_uri: str | None) -> None:
    """labtrack: experiment tracking for notebooks.

    \b
    Examples:
      labtrack experiments list
      labtrack runs list --experiment Default --filter "metrics.rmse < 1"
      labtrack db upgrade
      labtrack server --port 5000
    """
    ctx.ensure_object(dict)
    ctx.obj["tracking_uri"] = tracking_uri


cli.add_command(experiments)
cli.add_command(runs)
cli.add_command(db)
cli.add_command(serve)
cli.add_command(server)
cli.add_command(resend)


def main() -> None:
    cli(prog_name="labtrack", obj={})


if __name__ == "__main__":  # pragma: no cover
    main()
