"""``labtrack runs``: list, show, download, reproduce, export and import runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from labtrack.cli import _common
from labtrack.entities import ViewType
from labtrack.reproduce import parse_param_overrides, reproduce_run
from labtrack.share import export_runs, import_bundle
from labtrack.share.mlflow_interop import export_to_mlflow, import_from_mlflow
from labtrack.tracking.client import experiment_not_found
from labtrack.tracking.fluent import set_tracking_uri
from labtrack.tracking.runs_csv import format_duration, iter_csv


def _experiment_ids(client, experiment: tuple[str, ...]) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for ref in experiment or ("0",):
        exp = client.get_experiment_by_name(ref)
        if exp is None and ref.isdigit():
            exp = client.get_experiment(ref)
        if exp is None:
            raise experiment_not_found(ref)
        ids.append(exp.experiment_id)
    return ids


_run_options = [
    click.option(
        "--experiment", "-e", multiple=True, help="Experiment name or id (repeatable). [default: 0]"
    ),
    click.option("--filter", "filter_string", default="", help='e.g. "metrics.rmse < 1"'),
    click.option("--order-by", multiple=True, help='e.g. "metrics.rmse ASC" (repeatable)'),
    click.option("--max-results", type=int, default=1000, show_default=True),
    click.option("--all-stages", is_flag=True, help="Include deleted runs."),
]


def run_query_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_run_options):
        fn = option(fn)
    return fn


def _search(ctx: click.Context, experiment, filter_string, order_by, max_results, all_stages):  # type: ignore[no-untyped-def]

    client = _common.client(ctx)
    runs: list[Any] = []
    token = None
    while len(runs) < max_results:
        page = client.search_runs(
            _experiment_ids(client, experiment),
            filter_string,
            ViewType.ALL if all_stages else ViewType.ACTIVE_ONLY,
            min(10_000, max_results - len(runs)),
            list(order_by) or None,
            token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    return runs


@click.group()
def runs() -> None:
    """List, show, export, import and reproduce runs."""


@runs.command("list")
@run_query_options
@click.pass_context
@_common.friendly
def runs_list(ctx: click.Context, **query: Any) -> None:
    """List runs of experiments, newest first.

    Example: labtrack runs list -e Default --filter "params.model = 'rf'" --order-by "metrics.rmse"
    """

    found = _search(ctx, **query)
    rows = [
        [
            r.info.run_id,
            r.info.run_name,
            r.info.status,
            _common.time(r.info.start_time),
            format_duration(r.info.start_time, r.info.end_time) or "-",
        ]
        for r in found
    ]
    click.echo(_common.table(rows, ["Run ID", "Name", "Status", "Start (UTC)", "Duration"]))


@runs.command("show")
@click.argument("run_id")
@click.pass_context
@_common.friendly
def runs_show(ctx: click.Context, run_id: str) -> None:
    """Print a run (info, params, metrics, tags) as JSON.

    Example: labtrack runs show 0123456789abcdef0123456789abcdef
    """

    def finite(obj: Any) -> Any:
        if isinstance(obj, float) and obj != obj:
            return "NaN"
        if isinstance(obj, float) and obj in (float("inf"), float("-inf")):
            return "Infinity" if obj > 0 else "-Infinity"
        if isinstance(obj, dict):
            return {k: finite(v) for k, v in obj.items()}
        return obj

    run = _common.client(ctx).get_run(run_id)
    click.echo(json.dumps(finite(run.to_dictionary()), indent=2))


@runs.command("csv")
@run_query_options
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="File to write [default: standard output].",
)
@click.pass_context
@_common.friendly
def runs_csv(ctx: click.Context, output: str, **query: Any) -> None:
    """Export runs as CSV (the sidebar's "Download CSV" layout).

    Example: labtrack runs csv -e Default -o runs.csv
    """

    found = _search(ctx, **query)
    if output == "-":
        for chunk in iter_csv(found):
            click.echo(chunk, nl=False)
    else:
        with open(output, "w", encoding="utf-8", newline="") as out:
            for chunk in iter_csv(found):
                out.write(chunk)
    if output != "-":
        click.echo(f"Wrote {len(found)} runs to {output}", err=True)


@runs.command("reproduce")
@click.argument("run_id")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Run with another value (repeatable); typed like the parameters cell's default.",
)
@click.option("--kernel", "kernel_name", default=None, help="Kernel [default: the notebook's].")
@click.option("--timeout", type=int, default=None, help="Seconds per cell [default: no limit].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
@_common.friendly
def runs_reproduce(
    ctx: click.Context,
    run_id: str,
    params: tuple[str, ...],
    kernel_name: str | None,
    timeout: int | None,
    as_json: bool,
) -> None:
    """Execute the notebook version of a run again and print the metric drift.

    Example: labtrack runs reproduce 0123456789abcdef0123456789abcdef -p n_estimators=200
    """

    set_tracking_uri(ctx.obj.get("tracking_uri"))
    overrides = parse_param_overrides(run_id, params)
    result = reproduce_run(run_id, overrides, kernel_name, timeout, progress=not as_json)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else str(result))


@runs.command("export")
@click.argument("run_ids", nargs=-1)
@click.option("--experiment", "-e", multiple=True, help="Export a whole experiment (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="The bundle zip to write.")
@click.option("--format", "fmt", type=click.Choice(["bundle", "mlflow"]), default="bundle")
@click.option("--to", "to_uri", default=None, help="MLflow tracking URI (with --format mlflow).")
@click.option("--no-children", is_flag=True, help="Leave the child runs of the runs out.")
@click.option("--all-stages", is_flag=True, help="Include the experiments' deleted runs.")
@click.pass_context
@_common.friendly
def runs_export(
    ctx: click.Context,
    run_ids: tuple[str, ...],
    experiment: tuple[str, ...],
    output: str | None,
    fmt: str,
    to_uri: str | None,
    no_children: bool,
    all_stages: bool,
) -> None:
    """Export runs, with metrics history, artifacts and notebook versions, to a bundle (or MLflow).

    \b
    Examples:
      labtrack runs export 0123456789abcdef0123456789abcdef -o bundle.zip
      labtrack runs export -e /Team/churn -o churn.zip
      labtrack runs export -e /Team/churn --format mlflow --to http://127.0.0.1:5000
    """
    if not run_ids and not experiment:
        raise click.UsageError("Name runs (RUN_ID...) or experiments (--experiment NAME).")
    options: dict[str, Any] = {
        "experiments": list(experiment),
        "tracking_uri": ctx.obj.get("tracking_uri"),
        "include_children": not no_children,
        "include_deleted": all_stages,
    }
    if fmt == "mlflow":
        if not to_uri:
            raise click.UsageError("--format mlflow needs --to <MLflow tracking URI>.")

        summary: Any = export_to_mlflow(list(run_ids), to_uri, **options)
        click.echo(f"Exported {len(summary.mapping) - len(summary.skipped)} run(s) to {to_uri}")
        for old, new in summary.mapping.items():
            click.echo(f"  {old} -> {new}")
        return
    if not output:
        raise click.UsageError("Give the bundle to write: -o bundle.zip")

    click.echo(str(export_runs(list(run_ids), output, **options)))


@runs.command("import")
@click.argument("bundle", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--experiment",
    "-e",
    multiple=True,
    help="Bundle: put every run in this experiment. --from-mlflow: read only these MLflow "
    "experiments (repeatable).",
)
@click.option("--from-mlflow", "mlflow_uri", default=None, help="Import from this MLflow URI.")
@click.pass_context
@_common.friendly
def runs_import(
    ctx: click.Context, bundle: str | None, experiment: tuple[str, ...], mlflow_uri: str | None
) -> None:
    """Import runs from a bundle (or an MLflow store) under new run ids.

    \b
    Examples:
      labtrack runs import bundle.zip
      labtrack runs import bundle.zip --experiment /Team/imported
      labtrack runs import --from-mlflow sqlite:///mlflow.db -e churn
    """
    if (bundle is None) == (mlflow_uri is None):
        raise click.UsageError("Give a bundle file or --from-mlflow URI (one of them).")
    uri = ctx.obj.get("tracking_uri")
    summary: Any
    if mlflow_uri is not None:
        summary = import_from_mlflow(mlflow_uri, list(experiment), tracking_uri=uri)
    else:
        if len(experiment) > 1:
            raise click.UsageError("A bundle goes into one --experiment.")

        assert bundle is not None
        summary = import_bundle(bundle, experiment[0] if experiment else None, tracking_uri=uri)
    click.echo(str(summary))
    for old, new in summary.mapping.items():
        click.echo(f"  {old} -> {new}")
