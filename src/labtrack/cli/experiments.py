"""``labtrack experiments``: list and create experiments."""

from __future__ import annotations

import json

import click

from labtrack.cli import _common


@click.group()
def experiments() -> None:
    """List and create experiments."""


@experiments.command("list")
@click.option("--view", type=click.Choice(list(_common.VIEWS)), default="active", show_default=True)
@click.option("--filter", "filter_string", default=None, help="e.g. \"name LIKE 'demo%'\"")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@_common.friendly
def experiments_list(
    ctx: click.Context, view: str, filter_string: str | None, as_json: bool
) -> None:
    """List experiments.

    Example: labtrack experiments list --view all
    """
    client = _common.client(ctx)
    found = []
    token = None
    while True:
        page = client.search_experiments(_common.VIEWS[view], 1000, filter_string, None, token)
        found.extend(page)
        token = page.token
        if not token:
            break
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "experiment_id": e.experiment_id,
                        "name": e.name,
                        "artifact_location": e.artifact_location,
                        "lifecycle_stage": e.lifecycle_stage,
                        "tags": e.tags,
                    }
                    for e in found
                ],
                indent=2,
            )
        )
        return
    rows = [[e.experiment_id, e.name, e.lifecycle_stage, e.artifact_location] for e in found]
    click.echo(_common.table(rows, ["ID", "Name", "Stage", "Artifact location"]))


@experiments.command("create")
@click.argument("name")
@click.option("--artifact-location", default=None, help="Where its runs' artifacts go.")
@click.pass_context
@_common.friendly
def experiments_create(ctx: click.Context, name: str, artifact_location: str | None) -> None:
    """Create an experiment and print its id.

    Example: labtrack experiments create /Team/churn
    """
    eid = _common.client(ctx).create_experiment(name, artifact_location)
    click.echo(f"Created experiment {name!r} with id {eid}")
