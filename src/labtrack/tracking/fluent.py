"""The module-level API: tracking URI, experiments and the active run (MLflow's fluent API)."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from labtrack import config
from labtrack.entities import (
    Experiment,
    LifecycleStage,
    PagedList,
    Run,
    RunTag,
    ViewType,
    status_name,
)
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    LabtrackError,
    ResourceAlreadyExistsError,
    StoreError,
)
from labtrack.store.artifacts.paths import safe_artifact_path
from labtrack.store.contract import RunEnd
from labtrack.tracking import _state, async_logging, context, hooks
from labtrack.utils import mlflow_tags, validation

__all__ = [
    "ActiveRun",
    "active_run",
    "create_experiment",
    "delete_experiment",
    "delete_run",
    "end_run",
    "get_artifact_uri",
    "get_experiment",
    "get_experiment_by_name",
    "get_parent_run",
    "get_registry_uri",
    "get_run",
    "get_tracking_uri",
    "last_active_run",
    "restore_experiment",
    "restore_run",
    "search_experiments",
    "set_experiment",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_registry_uri",
    "set_tracking_uri",
    "start_run",
]


# -- where ----------------------------------------------------------------------------
def set_tracking_uri(uri: str | os.PathLike[str] | None, artifact_root: str | None = None) -> None:
    """Use another store: a folder (a labtrack home), ``sqlite:///...`` or ``postgresql+psycopg://...``.

    ``None`` goes back to the environment / ``~/.labtrack`` default.
    """
    if uri is not None and not isinstance(uri, (str, os.PathLike)):
        raise InvalidParameterError(
            f"set_tracking_uri takes a str or path; got {type(uri).__name__}."
        )
    # A Path becomes a file: URI, as MLflow makes it (get_tracking_uri returns it so).
    value = uri.absolute().as_uri() if isinstance(uri, Path) else uri
    value = os.fspath(value) if value is not None else None

    config.resolve(value, artifact_root)  # validate now, not at the first log call
    _state.reset_client(value, artifact_root)


def get_tracking_uri() -> str:
    """The tracking URI as it was set (``set_tracking_uri``, ``LABTRACK_TRACKING_URI`` or
    ``MLFLOW_TRACKING_URI``), like MLflow; without one, the database URL of the default store.

    >>> set_tracking_uri("sqlite:///mlflow.db"); get_tracking_uri()  # doctest: +SKIP
    'sqlite:///mlflow.db'
    """
    return (
        config.process_location()[0]
        or config.env_value("TRACKING_URI")
        or (_state.client().tracking_uri)
    )


def is_tracking_uri_set() -> bool:
    """Whether a tracking URI was set, by ``set_tracking_uri`` or the environment."""
    return config.process_location()[0] is not None or config.env_value("TRACKING_URI") is not None


def set_registry_uri(uri: str | None) -> None:
    """Where the model registry is. labtrack keeps the registry in the tracking store, so this
    must name the same store (or ``None``); registry calls say so otherwise."""
    if uri is not None and not isinstance(uri, (str, os.PathLike)):
        raise InvalidParameterError(
            f"set_registry_uri takes a str or path; got {type(uri).__name__}."
        )
    config.set_process_registry_uri(os.fspath(uri) if uri is not None else None)


def get_registry_uri() -> str:
    """The registry URI as set (``set_registry_uri``, ``LABTRACK_REGISTRY_URI`` or
    ``MLFLOW_REGISTRY_URI``), else the tracking URI (MLflow's default)."""
    return config.registry_uri_set() or get_tracking_uri()


# -- experiments ----------------------------------------------------------------------
def create_experiment(
    name: str, artifact_location: str | None = None, tags: dict[str, Any] | None = None
) -> str:
    """Create an experiment and return its id (a str)."""
    return _state.client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id: str | int) -> Experiment:
    return _state.client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    """The experiment with that name, or ``None``."""
    return _state.client().get_experiment_by_name(name)


def search_experiments(
    view_type: int = ViewType.ACTIVE_ONLY,
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[Experiment]:
    """All experiments matching the filter (``"name LIKE 'demo%'"``, ``"tags.team = 'x'"``)."""
    client = _state.client()
    out: list[Experiment] = []
    token = None
    while True:
        want = 1000 if max_results is None else min(1000, max_results - len(out))
        page: PagedList[Experiment] = client.search_experiments(
            view_type, want, filter_string, order_by, token
        )
        out.extend(page)
        token = page.token
        if not token or (max_results is not None and len(out) >= max_results):
            return out


def delete_experiment(experiment_id: str | int) -> None:
    _state.client().delete_experiment(experiment_id)


def restore_experiment(experiment_id: str | int) -> None:
    """Bring a deleted experiment back, with its runs."""
    _state.client().restore_experiment(experiment_id)


def set_experiment_tag(key: str, value: Any) -> None:
    """Set a tag on the active experiment (the one ``start_run`` would use).

    >>> set_experiment("nlp"); set_experiment_tag("nlp.framework", "Spark NLP")  # doctest: +SKIP
    """
    _state.client().set_experiment_tag(_resolve_experiment_id(), key, value)


def set_experiment_tags(tags: dict[str, Any]) -> None:
    """Set several tags on the active experiment."""
    if not isinstance(tags, dict):
        raise InvalidParameterError(
            f"set_experiment_tags takes a dict of name -> value; got {type(tags).__name__}."
        )
    exp_id = _resolve_experiment_id()
    client = _state.client()
    for key, value in tags.items():
        client.set_experiment_tag(exp_id, key, value)


def set_experiment(
    experiment_name: str | None = None, experiment_id: str | int | None = None
) -> Experiment:
    """Make an experiment active for new runs, creating it by name if needed.

    >>> set_experiment("/Demo/MLFlowDemo/")  # doctest: +SKIP
    """
    if (experiment_name is None) == (experiment_id is None):
        raise InvalidParameterError(
            "set_experiment needs exactly one of experiment_name or experiment_id."
        )
    client = _state.client()
    if experiment_id is not None:
        exp = client.get_experiment(experiment_id)
    else:
        name = validation.experiment_name(experiment_name)
        found = client.get_experiment_by_name(name)
        if found is None:
            with contextlib.suppress(ResourceAlreadyExistsError):
                client.create_experiment(name)  # another process may create it first
            found = client.get_experiment_by_name(name)
        assert found is not None
        exp = found
    if exp.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidStateError(
            f"Experiment {exp.name!r} (id {exp.experiment_id}) is deleted. Restore it with "
            "TrackingClient().restore_experiment(id), or use another name."
        )
    _state.active_experiment_id = exp.experiment_id
    return exp


def _experiment_id_from_env(client: Any) -> str | None:
    """``LABTRACK_`` / ``MLFLOW_EXPERIMENT_NAME`` (created if missing), else ``_EXPERIMENT_ID``;
    both set must agree (MLflow's rule)."""
    env_name = config.env_value("EXPERIMENT_NAME")
    env_id = config.env_value("EXPERIMENT_ID")
    if env_name:
        exp = client.get_experiment_by_name(env_name)
        if exp is None:
            with contextlib.suppress(ResourceAlreadyExistsError):
                client.create_experiment(env_name)
            exp = client.get_experiment_by_name(env_name)
        assert exp is not None
        if env_id and str(env_id) != exp.experiment_id:
            raise InvalidParameterError(
                f"The experiment id in the environment ({env_id}) is not the id of the "
                f"experiment named {env_name!r} ({exp.experiment_id}); unset one of "
                "MLFLOW_EXPERIMENT_ID / MLFLOW_EXPERIMENT_NAME (or LABTRACK_...)."
            )
        return str(exp.experiment_id)
    if env_id:
        try:
            return str(client.get_experiment(env_id).experiment_id)
        except LabtrackError as exc:
            raise InvalidParameterError(
                f"The experiment id {env_id!r} in MLFLOW_EXPERIMENT_ID (or LABTRACK_EXPERIMENT_ID) "
                "does not exist in this store. Give the id of an existing experiment."
            ) from exc
    return None


def _resolve_experiment_id() -> str:
    if _state.active_experiment_id is not None:
        return _state.active_experiment_id
    client = _state.client()
    found = _experiment_id_from_env(client)
    if found is not None:
        return found
    for resolver in hooks.experiment_resolvers:  # the notebook's experiment, when in one
        found = resolver(client)
        if found is not None:
            return found
    return "0"


# -- runs -----------------------------------------------------------------------------
class ActiveRun(Run):
    """The run ``start_run`` returned; ends itself when used as a context manager."""

    def __init__(self, run: Run) -> None:
        super().__init__(run.info, run.data, run.inputs, run.outputs)

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        status = "FINISHED" if exc_type is None else "FAILED"
        _end_run_id(self.info.run_id, status)


def start_run(
    run_id: str | None = None,
    experiment_id: str | int | None = None,
    run_name: str | None = None,
    nested: bool = False,
    parent_run_id: str | None = None,
    tags: dict[str, Any] | None = None,
    description: str | None = None,
    log_system_metrics: bool | None = None,
) -> ActiveRun:
    """Start a run (or resume ``run_id``) and make it active in this thread.

    >>> with start_run(run_name="baseline") as run:  # doctest: +SKIP
    ...     log_param("alpha", 0.5)
    """
    stack = _state.run_stack()
    if stack and not nested:
        raise LabtrackError(
            f"Run {stack[-1].info.run_id} is already active. End it first with end_run(), "
            "or pass nested=True to start a child run inside it.",
            "INVALID_STATE",
        )
    client = _state.client()
    for prepare in hooks.run_prepare_hooks:
        prepare()
    parent = parent_run_id or (stack[-1].info.run_id if stack and nested else None)
    if run_id is None:
        run_id = _take_env_run_id()
    if run_id is not None:
        existing = client.get_run(run_id)
        if experiment_id is not None and validation.experiment_id(experiment_id) != (
            existing.info.experiment_id
        ):
            raise InvalidParameterError(
                f"Run {run_id} belongs to experiment {existing.info.experiment_id}, "
                f"not {experiment_id}; drop experiment_id to resume it."
            )
        if existing.info.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidStateError(f"Run {run_id} is deleted; restore it before resuming.")
        client.store.update_run_info(run_id, run_status="RUNNING", run_name=run_name)
        extra = dict(tags or {})
        if description is not None:
            extra[mlflow_tags.NOTE] = description
        if extra:
            client.store.log_batch(run_id, tags=_tags(extra))
        run = client.get_run(run_id)
    else:
        exp_id = (
            validation.experiment_id(experiment_id)
            if experiment_id is not None
            else _resolve_experiment_id()
        )
        all_tags = dict(tags or {})
        if parent:
            all_tags[mlflow_tags.PARENT_RUN_ID] = parent
        if description is not None:
            all_tags[mlflow_tags.NOTE] = description
        run = client.create_run(
            exp_id, tags=context.resolve_tags(client, all_tags), run_name=run_name
        )
        wrote = [hook(client, run.info.run_id) is not False for hook in hooks.run_start_hooks]
        run = client.get_run(run.info.run_id) if any(wrote) else run
    active = ActiveRun(run)
    stack.append(active)
    _state.writer().watch(run.info.run_id)  # heartbeats while this process lives
    return active


def _take_env_run_id() -> str | None:
    """The run ``LABTRACK_RUN_ID`` (or ``MLFLOW_RUN_ID``) names: the next ``start_run``
    resumes it, once (MLflow's rule: the variable is removed when used)."""
    found = config.env_value("RUN_ID")
    if found is not None:  # os.environ.pop of a missing name raises inside: a few µs a run
        for name in ("LABTRACK_RUN_ID", "MLFLOW_RUN_ID"):
            os.environ.pop(name, None)
    return found


def _tags(values: dict[str, Any]) -> list:  # type: ignore[type-arg]

    return [RunTag(k, str(v)) for k, v in values.items()]


# The params this process logged into each of its active runs through the fluent API, as
# stored: log_params queues them for the writer (written with the run's end, one transaction),
# so a changed value is refused here, at the call, as MLflow's store refuses it. What another
# process logged is only known to the store: refused when the queue is written.
_logged_params: dict[str, dict[str, str]] = {}


def check_params(run_id: str, params: dict[str, str]) -> None:
    """InvalidParameterError (MLflow's message) if a value differs from what this process
    logged for the run."""
    logged = _logged_params.get(run_id)
    if not logged:
        return
    for key, value in params.items():
        old = logged.get(key, value)
        if old != value:
            raise InvalidParameterError(
                f"Changing param values is not allowed. Param with key={key!r} was already "
                f"logged with value={old!r} for run ID={run_id!r}. Attempted logging new "
                f"value {value!r}. A param cannot change: log the new value under another "
                "key, or start a new run for a new configuration."
            )


def record_params(run_id: str, params: dict[str, str]) -> None:
    """Remember params logged into an active run of this process (until it ends)."""
    _logged_params.setdefault(run_id, {}).update(params)


def _end_run_id(run_id: str, status: str) -> None:
    stack = _state.run_stack()
    # Children left open inside this run end with it.
    first: StoreError | None = None
    while stack and any(r.info.run_id == run_id for r in stack):
        top = stack.pop()
        try:
            _terminate(top.info.run_id, status)
        except StoreError as exc:  # end the others too, then say it
            first = first or exc
    if first is not None:
        raise first


def _terminate(run_id: str, status: str, at_exit: bool = False) -> None:
    """End a run of this process: its points written first; a run that lost points is not
    FINISHED (FAILED when the store can still be written), and the loss is raised."""
    client = _state.client()
    async_logging.flush()  # synchronous=False params and tags land before the run ends
    writer = _state.writer()
    for hook in hooks.run_end_hooks:
        hook(client, run_id)
    writer.unwatch(run_id)
    _state.last_run_id = run_id
    _logged_params.pop(run_id, None)
    # The run's last points, its queued params and its end in one transaction, when all its
    # points are stored.
    ended = writer.flush(raise_errors=False, end=RunEnd(run_id, status, int(time.time() * 1000)))
    refused = writer.take_param_error(run_id)
    missing = writer.describe_loss(run_id, at_exit)
    if refused is not None:
        # log_params was accepted at the call, but the store refused the params when they
        # were written (another process had set another value, or deleted the run).
        with contextlib.suppress(LabtrackError):
            client.set_terminated(run_id, "FAILED" if status == "FINISHED" else status)
        outcome = " The run is marked FAILED, not FINISHED." if status == "FINISHED" else ""
        more = (f" {missing}" if missing else "") + outcome
        raise writer.param_refusal(run_id, refused, more) from refused
    if missing is None:
        if not ended:
            client.set_terminated(run_id, status)
        return
    failed = "FAILED" if status == "FINISHED" else status
    try:
        client.set_terminated(run_id, failed)
        outcome = f"The run is marked {failed}, not FINISHED."
    except LabtrackError:
        outcome = "The run could not be marked as ended either."
    raise StoreError(f"{missing} {outcome}")


def end_run(status: str = "FINISHED") -> None:
    """End the active run of this thread (no-op when there is none).

    ``status`` is a name (``"FINISHED"``, ``"FAILED"``, ``"KILLED"``) or a ``RunStatus`` int.
    Raises :class:`~labtrack.errors.StoreError` if some of the run's metric points could not
    be stored (the run then ends FAILED, not FINISHED).
    """
    status = status_name(status)
    stack = _state.run_stack()
    if stack:
        _terminate(stack.pop().info.run_id, status)


def active_run() -> ActiveRun | None:
    """The run this thread logs into now, or ``None``."""
    stack = _state.run_stack()
    return stack[-1] if stack else None


def last_active_run() -> Run | None:
    """The active run, else the most recently ended one (fresh from the store)."""
    current = active_run()
    run_id = current.info.run_id if current else _state.last_run_id
    return _state.client().get_run(run_id) if run_id else None


def get_or_start_run() -> ActiveRun:
    current = active_run()
    return current if current is not None else start_run()


def get_run(run_id: str) -> Run:
    _state.writer().flush(raise_errors=False)
    return _state.client().get_run(run_id)


def delete_run(run_id: str) -> None:
    _state.client().delete_run(run_id)


def restore_run(run_id: str) -> None:
    """Bring a deleted run back."""
    _state.client().restore_run(run_id)


def get_parent_run(run_id: str) -> Run | None:
    """The run ``run_id`` is nested in (its ``mlflow.parentRunId``), or ``None``."""
    _state.writer().flush(raise_errors=False)
    return _state.client().get_parent_run(run_id)


def get_artifact_uri(artifact_path: str | None = None) -> str:
    """Where the active run's artifacts (or one of them) are stored."""
    uri = get_or_start_run().info.artifact_uri
    if artifact_path:
        return f"{uri.rstrip('/')}/{safe_artifact_path(artifact_path)}"
    return uri


def _end_runs_at_exit() -> None:
    # A script that exits normally finished its run (MLflow's rule). A kernel that exits with
    # a run open was shut down or restarted under it: the run did not finish, it was killed.
    # Then whatever could not be stored is said on stderr, the only place left to say it.
    status = "KILLED" if "ipykernel" in sys.modules else "FINISHED"
    stack = _state.run_stack()
    while stack:
        try:
            _terminate(stack[-1].info.run_id, status, at_exit=True)
        except Exception as exc:  # never turn interpreter exit into a traceback
            print(f"labtrack: {exc}", file=sys.stderr, flush=True)
        stack.pop()
    if "labtrack.tracking.writer" in sys.modules:
        sys.modules["labtrack.tracking.writer"].report_at_exit()
    if "labtrack.store.sql.database" in sys.modules:  # its WAL into the file, now it is final
        sys.modules["labtrack.store.sql.database"].close_sqlite_stores()


atexit.register(_end_runs_at_exit)
