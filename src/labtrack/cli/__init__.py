"""The ``labtrack`` command: a thin click layer over the library.

Every command takes ``--tracking-uri`` (or ``LABTRACK_TRACKING_URI``); the default is the same
store the kernel and the Jupyter server use (``~/.labtrack``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any

import click

from labtrack.errors import LabtrackError

VIEWS = {"active": 1, "deleted": 2, "all": 3}


def _client(ctx: click.Context):  # type: ignore[no-untyped-def]
    from labtrack.tracking.client import TrackingClient

    return TrackingClient(ctx.obj.get("tracking_uri"))


def _friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn labtrack errors into a one-line message and exit code 1, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LabtrackError as exc:
            raise click.ClickException(exc.message) from None

    return wrapper


def _time(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--tracking-uri",
    envvar="LABTRACK_TRACKING_URI",
    help="Store to use: a folder, sqlite:///file.db or postgresql+psycopg://... "
    "[default: ~/.labtrack]",
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
    """
    ctx.ensure_object(dict)
    ctx.obj["tracking_uri"] = tracking_uri


# -- experiments ----------------------------------------------------------------------
@cli.group()
def experiments() -> None:
    """List and create experiments."""


@experiments.command("list")
@click.option("--view", type=click.Choice(list(VIEWS)), default="active", show_default=True)
@click.option("--filter", "filter_string", default=None, help="e.g. \"name LIKE 'demo%'\"")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
@_friendly
def experiments_list(
    ctx: click.Context, view: str, filter_string: str | None, as_json: bool
) -> None:
    """List experiments.

    Example: labtrack experiments list --view all
    """
    client = _client(ctx)
    found = []
    token = None
    while True:
        page = client.search_experiments(VIEWS[view], 1000, filter_string, None, token)
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
    click.echo(_table(rows, ["ID", "Name", "Stage", "Artifact location"]))


@experiments.command("create")
@click.argument("name")
@click.option("--artifact-location", default=None, help="Where its runs' artifacts go.")
@click.pass_context
@_friendly
def experiments_create(ctx: click.Context, name: str, artifact_location: str | None) -> None:
    """Create an experiment and print its id.

    Example: labtrack experiments create /Team/churn
    """
    eid = _client(ctx).create_experiment(name, artifact_location)
    click.echo(f"Created experiment {name!r} with id {eid}")


# -- runs -----------------------------------------------------------------------------
def _experiment_ids(client, experiment: tuple[str, ...]) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for ref in experiment or ("0",):
        exp = client.get_experiment_by_name(ref)
        if exp is None and ref.isdigit():
            exp = client.get_experiment(ref)
        if exp is None:
            from labtrack.tracking.client import experiment_not_found

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
    from labtrack.entities import ViewType

    client = _client(ctx)
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


@cli.group()
def runs() -> None:
    """List, show, export, import and reproduce runs."""


@runs.command("list")
@run_query_options
@click.pass_context
@_friendly
def runs_list(ctx: click.Context, **query: Any) -> None:
    """List runs of experiments, newest first.

    Example: labtrack runs list -e Default --filter "params.model = 'rf'" --order-by "metrics.rmse"
    """
    from labtrack.tracking.runs_csv import format_duration

    found = _search(ctx, **query)
    rows = [
        [
            r.info.run_id,
            r.info.run_name,
            r.info.status,
            _time(r.info.start_time),
            format_duration(r.info.start_time, r.info.end_time) or "-",
        ]
        for r in found
    ]
    click.echo(_table(rows, ["Run ID", "Name", "Status", "Start (UTC)", "Duration"]))


@runs.command("show")
@click.argument("run_id")
@click.pass_context
@_friendly
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

    run = _client(ctx).get_run(run_id)
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
@_friendly
def runs_csv(ctx: click.Context, output: str, **query: Any) -> None:
    """Export runs as CSV (the sidebar's "Download CSV" layout).

    Example: labtrack runs csv -e Default -o runs.csv
    """
    from labtrack.tracking.runs_csv import iter_csv

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
@_friendly
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
    from labtrack.reproduce import parse_param_overrides, reproduce_run
    from labtrack.tracking.fluent import set_tracking_uri

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
@_friendly
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
        from labtrack.share.mlflow_interop import export_to_mlflow

        summary: Any = export_to_mlflow(list(run_ids), to_uri, **options)
        click.echo(f"Exported {len(summary.mapping) - len(summary.skipped)} run(s) to {to_uri}")
        for old, new in summary.mapping.items():
            click.echo(f"  {old} -> {new}")
        return
    if not output:
        raise click.UsageError("Give the bundle to write: -o bundle.zip")
    from labtrack.share import export_runs

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
@_friendly
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
        from labtrack.share.mlflow_interop import import_from_mlflow

        summary = import_from_mlflow(mlflow_uri, list(experiment), tracking_uri=uri)
    else:
        if len(experiment) > 1:
            raise click.UsageError("A bundle goes into one --experiment.")
        from labtrack.share import import_bundle

        assert bundle is not None
        summary = import_bundle(bundle, experiment[0] if experiment else None, tracking_uri=uri)
    click.echo(str(summary))
    for old, new in summary.mapping.items():
        click.echo(f"  {old} -> {new}")


# -- db -------------------------------------------------------------------------------
@cli.group()
def db() -> None:
    """Manage the store's database."""


@db.command("upgrade")
@click.argument("tracking_uri", required=False)
@click.pass_context
@_friendly
def db_upgrade(ctx: click.Context, tracking_uri: str | None) -> None:
    """Create the store or migrate it to the current schema (safe to repeat).

    Example: labtrack db upgrade postgresql+psycopg://user@127.0.0.1/labtrack
    """
    from labtrack import config
    from labtrack.store.sql import schema
    from labtrack.store.sql.engine import make_engines

    location = config.resolve(tracking_uri or ctx.obj.get("tracking_uri"))
    engine, _ = make_engines(location.tracking_uri)
    try:
        with engine.connect() as conn:
            before = schema.current_revision(conn)
        schema.ensure_schema(engine, location.artifact_root)
        with engine.connect() as conn:
            after = schema.current_revision(conn)
    finally:
        engine.dispose()
    if before == after:
        click.echo(f"{location.tracking_uri} is at the current schema ({after}).")
    else:
        click.echo(f"Upgraded {location.tracking_uri} from {before or 'nothing'} to {after}.")


# -- serve ----------------------------------------------------------------------------
@cli.command("serve")
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
@click.pass_context
@_friendly
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
    """
    from labtrack.serving import ServeOptions
    from labtrack.serving import serve as run

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
        )
    )


def main() -> None:
    cli(prog_name="labtrack", obj={})


if __name__ == "__main__":  # pragma: no cover
    main()
