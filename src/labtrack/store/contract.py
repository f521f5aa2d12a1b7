"""The store contract: every call the rest of labtrack makes on a tracking backend.

Tracking (experiments, runs, their params, tags and metrics), notebook versions and kernel
sessions, the model registry, and the reads the Jupyter server's views make; MLflow 3's logged
models and run inputs are declared in :mod:`.contract_logged_models`, which this extends. A
backend (the SQL store; a REST client store) implements each abstract method; nothing outside
``store/`` calls anything else on a store. Arguments and results are entities and plain dicts,
lists and tuples, never database types.

Convenience calls (``log_param``, ``set_tag``, ``log_metric``) are written here in terms of the
primitives, so a backend implements each behaviour once.

Every error is a :class:`~labtrack.errors.LabtrackError`: ``ResourceNotFoundError`` for an
unknown id or name, ``InvalidParameterError`` for a malformed argument,
``FilterSyntaxError`` for a filter or order-by that does not parse, ``InvalidStateError`` for
a write the object's state refuses, ``ResourceAlreadyExistsError`` for a name taken, and
``StoreError`` when the backend cannot be reached or written (with what to do about it).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypedDict

from labtrack.entities import (
    Experiment,
    Metric,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunTag,
    ViewType,
)
from labtrack.entities.model_registry import (
    ModelVersion,
    ModelVersionTransition,
    RegisteredModel,
)
from labtrack.store.contract_logged_models import LoggedModelStore
from labtrack.store.contract_permissions import PermissionStore
from labtrack.store.contract_transition_requests import TransitionRequestStore

# (run_id, key, value, timestamp_ms, step): what the background writer hands the store.
MetricPoint = tuple[str, str, float, int, int]


class RunEnd(NamedTuple):
    """A run to end along with a batch of metric points: its id, final status, end time (ms),
    and params (key, value) queued by the fluent ``log_params``, written in the same
    transaction by a store whose ``params_at_end`` is true (the writer sends them apart to
    the others)."""

    run_id: str
    status: str
    end_time: int
    params: tuple[tuple[str, str], ...] = ()


SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_LIMIT = 100_000
REGISTERED_MODELS_MAX_RESULTS_DEFAULT = 100
MODEL_VERSIONS_MAX_RESULTS_DEFAULT = 10_000


@dataclass(frozen=True)
class NotebookSession:
    """Which notebook a kernel serves, as the Jupyter server last recorded it."""

    kernel_id: str
    notebook_path: str
    notebook_id: str | None
    root_dir: str | None
    updated_time: int


class MetricSeries(TypedDict):
    """A metric's history for a chart: ``points`` are ``(step, timestamp, value)``."""

    total: int
    downsampled: bool
    points: list[tuple[int, int, float]]


# The fields of each run in a RunTable, in order.
RUN_TABLE_COLUMNS = (
    "run_id",
    "run_name",
    "experiment_id",
    "user_id",
    "status",
    "start_time",
    "end_time",
    "lifecycle_stage",
    "artifact_uri",
)


class RunTable(TypedDict):
    """Runs as plain rows, for tables (``search_runs`` -> DataFrame): no object per run.

    ``runs``: one tuple per run, fields as in :data:`RUN_TABLE_COLUMNS`, in the search's order;
    ``params`` and ``tags``: ``(run_id, key, value)``; ``metrics``: the latest value of each,
    ``(run_id, key, value, is_nan)``.
    """

    runs: list[tuple[Any, ...]]
    params: list[tuple[str, str, str]]
    tags: list[tuple[str, str, str]]
    metrics: list[tuple[str, str, float, bool]]


# One key's column of a RunKeyTable: (key, positions in ``runs`` of the runs that have it,
# their values in that order). Positions are a numpy intp array; values a list of str (params,
# tags) or a float64 array (metrics, NaN as NaN).
KeyColumn = tuple[str, Any, Any]


class RunKeyTable(TypedDict):
    """A :class:`RunTable` with its data one column per key, for the DataFrame (any key order)."""

    runs: list[tuple[Any, ...]]
    params: list[KeyColumn]
    tags: list[KeyColumn]
    metrics: list[KeyColumn]


class MetricSummary(TypedDict):
    """One metric of a run: its latest value and step, its range and how many points it has."""

    last: float
    step: int
    timestamp: int
    min: float | None
    max: float | None
    count: int


class RunKeys(TypedDict):
    """The sorted param, metric and tag keys some runs use (for suggestions and columns)."""

    params: list[str]
    metrics: list[str]
    tags: list[str]


class TrackingStore(LoggedModelStore, PermissionStore, TransitionRequestStore):
    """Experiments, runs, notebook versions, the model registry and the server's view reads."""

    tracking_uri: str
    artifact_root: str

    # -- experiments -------------------------------------------------------------------
    @abstractmethod
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[RunTag] | None = None,
    ) -> str:
        """Create an experiment and return its id. Its artifacts go to ``artifact_location``,
        by default ``<artifact_root>/<id>``. ResourceAlreadyExistsError if the name is taken
        (also by a deleted experiment); InvalidParameterError for a bad name or tag."""

    @abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment:
        """The experiment, deleted or not. ResourceNotFoundError if there is none;
        InvalidParameterError if ``experiment_id`` is not an experiment id."""

    @abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment | None:
        """The experiment with this name (deleted or not), or ``None``."""

    @abstractmethod
    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """A page of experiments in ``view_type`` matching the filter (``name``, times,
        ``tags.<key>``), ordered (default: newest first); ``.token`` fetches the next page.
        InvalidParameterError for ``max_results`` outside 1..100,000 or a bad page token;
        FilterSyntaxError for a bad filter or order-by."""

    @abstractmethod
    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        """Rename an experiment. ResourceNotFoundError if it does not exist;
        ResourceAlreadyExistsError if another experiment has ``new_name``."""

    @abstractmethod
    def delete_experiment(self, experiment_id: str) -> None:
        """Mark an experiment deleted (its runs stay). ResourceNotFoundError if it does not
        exist; InvalidParameterError for the Default experiment (id 0)."""

    @abstractmethod
    def restore_experiment(self, experiment_id: str) -> None:
        """Make a deleted experiment active again. ResourceNotFoundError if it does not exist."""

    @abstractmethod
    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None:
        """Set (or overwrite) an experiment tag. ResourceNotFoundError if the experiment does
        not exist; InvalidParameterError for a bad key or value."""

    @abstractmethod
    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        """Remove an experiment tag. ResourceNotFoundError if the experiment or the tag does
        not exist."""

    # -- runs --------------------------------------------------------------------------
    @abstractmethod
    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
        run_id: str | None = None,
    ) -> Run:
        """Start a RUNNING run and return it. Without ``run_name`` (or a ``mlflow.runName``
        tag) the run gets a generated name. ResourceNotFoundError for an unknown experiment;
        InvalidStateError for a deleted one; InvalidParameterError for bad tags or a name that
        differs from the name tag.

        ``run_id`` (32 lowercase hex characters) is the id the caller chose, so that a retried
        call finds the run its first try made (the REST store chooses one for every call): a
        run with that id in the same experiment and with the same start time is returned as
        it is; any other run with it is a ResourceAlreadyExistsError."""

    @abstractmethod
    def get_run(self, run_id: str) -> Run:
        """The run with its params, tags and latest metrics, its inputs (datasets, logged
        models) and outputs (logged models). ResourceNotFoundError if there is none;
        InvalidParameterError for a malformed id."""

    @abstractmethod
    def update_run_info(
        self,
        run_id: str,
        run_status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        """Change a run's status (a finished status sets ``end_time``, now by default), end time
        or name; return its info. ResourceNotFoundError if the run does not exist;
        InvalidParameterError for an unknown status or a bad name."""

    @abstractmethod
    def delete_run(self, run_id: str) -> None:
        """Mark a run deleted. ResourceNotFoundError if it does not exist."""

    @abstractmethod
    def restore_run(self, run_id: str) -> None:
        """Make a deleted run active again. ResourceNotFoundError if it does not exist."""

    @abstractmethod
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        allow_terminated: bool = False,
    ) -> None:
        """Write all of it or nothing. InvalidStateError if the run is deleted; a finished
        run takes data, as in MLflow (``allow_terminated`` is accepted and changes nothing);
        InvalidParameterError for bad keys or values, too many items, or a param that would
        change; ResourceNotFoundError for an unknown run. Metrics with a ``model_id`` are
        also linked to that logged model (with their ``dataset_name``/``dataset_digest``);
        ResourceNotFoundError, before anything is written, if that model does not exist."""

    @abstractmethod
    def log_metric_points(self, points: Sequence[MetricPoint], end: RunEnd | None = None) -> None:
        """Append metric points of any number of runs in one transaction (the writer's path).
        The points were validated by the caller; the runs' state is not checked. With ``end``,
        the same transaction also ends that run (its last points and its end are one write);
        an unknown run is no error there (``update_run_info`` says it). ``end.params`` (only
        given to a store whose ``params_at_end`` is true) are written in that transaction too,
        as ``log_batch`` writes params: InvalidParameterError if one would change,
        InvalidStateError if the run is deleted, and then nothing is written."""

    @abstractmethod
    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove a run tag (also on a finished run). ResourceNotFoundError if the run or the
        tag does not exist; InvalidStateError if the run is deleted."""

    @abstractmethod
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """A page of the runs of these experiments in ``run_view_type`` matching the filter,
        ordered (default: newest first), with their inputs and outputs; ``.token`` fetches the
        next page.
        InvalidParameterError for a bad experiment id, ``max_results`` outside 1..100,000 or a
        bad page token; FilterSyntaxError for a bad filter or order-by."""

    @abstractmethod
    def search_run_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_LIMIT,
        order_by: Sequence[str] | None = None,
    ) -> RunTable:
        """The first ``max_results`` runs :meth:`search_runs` would give, as plain rows with
        their params, tags and latest metrics (one query per table). Same errors."""

    def search_run_key_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_LIMIT,
        order_by: Sequence[str] | None = None,
    ) -> RunKeyTable | None:
        """:meth:`search_run_table` with the data one column per key, for a store that can read
        it that way (SQLite); None (the default) means: read :meth:`search_run_table`. Local
        only: not part of the store RPC."""
        return None

    # -- metrics -----------------------------------------------------------------------
    @abstractmethod
    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        """Every point of a run's metric, by step then timestamp (empty for an unknown key).
        ResourceNotFoundError for an unknown run."""

    @abstractmethod
    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> MetricSeries:
        """At most ``max_points`` points of a metric, keeping each step range's minimum and
        maximum so spikes survive; a history that fits comes whole (``downsampled`` false).
        Empty for an unknown run or key; InvalidParameterError for a malformed run id."""

    @abstractmethod
    def metric_summaries(self, run_id: str) -> dict[str, MetricSummary]:
        """Each metric of a run by key: last value and step, min, max and count (empty for an
        unknown run)."""

    def latest_metric_steps(self, run_ids: Sequence[str]) -> dict[str, dict[str, tuple[int, int]]]:
        """(step, timestamp) of each run's latest metric values, by run id and key (runs
        without metrics are left out). Stores override it with one read for all the runs."""
        out = {}
        for run_id in run_ids:
            summaries = self.metric_summaries(run_id)
            if summaries:
                out[run_id] = {k: (s["step"], s["timestamp"]) for k, s in summaries.items()}
        return out

    # -- notebooks: content-addressed blobs and kernel sessions -------------------------
    @abstractmethod
    def put_blob(self, kind: str, data: bytes) -> str:
        """Store ``data`` once under its SHA-256 digest and return the digest."""

    @abstractmethod
    def get_blob(self, digest: str) -> tuple[str, bytes]:
        """(kind, data) of a stored blob; ResourceNotFoundError if absent."""

    @abstractmethod
    def set_notebook_session(
        self, kernel_id: str, notebook_path: str, notebook_id: str | None, root_dir: str | None
    ) -> None:
        """Record which notebook a kernel serves (written by the Jupyter server)."""

    @abstractmethod
    def get_notebook_session(self, kernel_id: str) -> NotebookSession | None:
        """The notebook a kernel serves, or ``None`` if the server recorded none."""

    @abstractmethod
    def delete_notebook_session(self, kernel_id: str) -> None:
        """Forget a kernel's notebook (nothing happens if none is recorded)."""

    # -- the Jupyter server's views ----------------------------------------------------
    @abstractmethod
    def list_keys(self, experiment_ids: Sequence[str]) -> RunKeys:
        """The param, metric and tag keys of the active runs of these experiments.
        InvalidParameterError for a bad experiment id."""

    @abstractmethod
    def change_marker(self, experiment_ids: Sequence[str]) -> str:
        """An opaque string that changes whenever these experiments or any of their runs
        change (what the sidebar polls). InvalidParameterError for a bad experiment id."""

    @abstractmethod
    def kill_kernel_runs(
        self, kernel_id: str, started_before: int | None = None, user: str | None = None
    ) -> list[str]:
        """End as KILLED the RUNNING runs a kernel started (before ``started_before``, in ms,
        if given; only ``user``'s runs, if given); return their ids."""

    @abstractmethod
    def heartbeat_runs(self, run_ids: Sequence[str]) -> list[str]:
        """Record that the process logging into these runs is alive (now); return the ids of
        those still RUNNING (the others get no heartbeat)."""

    @abstractmethod
    def kill_stale_runs(self, heartbeat_before: int) -> list[str]:
        """End as KILLED the RUNNING runs whose last heartbeat is older than
        ``heartbeat_before`` (ms since the epoch; the end time is that last heartbeat). Runs
        of notebook kernels are left to the kernel watcher. Returns their ids."""

    # -- model registry: registered models ----------------------------------------------
    @abstractmethod
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        """Create a registered model with no versions and return it.
        ResourceAlreadyExistsError if the name is taken; InvalidParameterError for a bad
        name, tag or description."""

    @abstractmethod
    def get_registered_model(self, name: str) -> RegisteredModel:
        """The model with its latest version per stage, tags and aliases.
        ResourceNotFoundError if there is none."""

    @abstractmethod
    def registered_model_marker(self, name: str) -> int | None:
        """A number that grows on every change to the model, its versions, tags or aliases
        (what serving processes poll); ``None`` if the model does not exist."""

    @abstractmethod
    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model (its versions, tags, aliases and transitions follow) and return it.
        ResourceNotFoundError if it does not exist; ResourceAlreadyExistsError if
        ``new_name`` is taken."""

    @abstractmethod
    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        """Set a model's description and return the model. ResourceNotFoundError if it does
        not exist."""

    @abstractmethod
    def delete_registered_model(self, name: str) -> None:
        """Delete a model with its versions, tags and aliases (the files stay).
        ResourceNotFoundError if it does not exist."""

    @abstractmethod
    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """A page of models matching the filter (``name``, times, ``tags.<key>``), ordered
        (default: by name); ``.token`` fetches the next page. InvalidParameterError for
        ``max_results`` outside 1..100,000 or a bad page token; FilterSyntaxError for a bad
        filter or order-by."""

    @abstractmethod
    def set_registered_model_tag(self, name: str, tag: RunTag) -> None:
        """Set (or overwrite) a model tag. ResourceNotFoundError if the model does not exist."""

    @abstractmethod
    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Remove a model tag. ResourceNotFoundError if the model or the tag does not exist."""

    # -- model registry: aliases -------------------------------------------------------------
    @abstractmethod
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point an alias at a version (moving it if set). ResourceNotFoundError if the model
        or version does not exist; InvalidParameterError for an alias that would be ambiguous
        in a ``models:/`` URI."""

    @abstractmethod
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove an alias; removing one that is not set does nothing (as in MLflow).
        ResourceNotFoundError if the model does not exist."""

    @abstractmethod
    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias names. ResourceNotFoundError if the model or the alias does
        not exist."""

    # -- model registry: versions, stages and transitions --------------------------------------
    @abstractmethod
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
        user_id: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """Record the model's next version (numbers are never reused), whose files are already
        in the store at ``source``, and return it; a run it came from gets the model in its
        ``labtrack.registeredModels`` tag; ``model_id`` names the logged model it was
        registered from. ResourceNotFoundError if the model or the run does not exist;
        InvalidParameterError for a missing source or bad tags."""

    @abstractmethod
    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """One version. ResourceNotFoundError if the model or version does not exist."""

    @abstractmethod
    def update_model_version(
        self, name: str, version: int | str, description: str | None
    ) -> ModelVersion:
        """Set a version's description and return the version. ResourceNotFoundError if the
        model or version does not exist."""

    @abstractmethod
    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete a version with its tags and aliases; its number is never given again.
        ResourceNotFoundError if the model or version does not exist."""

    @abstractmethod
    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """A page of versions matching the filter (``name``, ``version_number``, ``run_id``,
        ``current_stage``, ``tags.<key>``...), ordered (default: by name, newest version
        first); ``.token`` fetches the next page. InvalidParameterError for ``max_results``
        outside 1..100,000 or a bad page token; FilterSyntaxError for a bad filter or
        order-by (versions cannot be ordered by tags)."""

    @abstractmethod
    def transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        user_id: str | None = None,
    ) -> ModelVersion:
        """Move a version to a stage (recorded with who and when), with
        ``archive_existing_versions`` the other versions in that stage to Archived; return
        the version. ResourceNotFoundError if the model or version does not exist;
        InvalidParameterError for an unknown stage, or archiving for None or Archived."""

    @abstractmethod
    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each stage asked (all four by default), in that order.
        ResourceNotFoundError if the model does not exist; InvalidParameterError for an
        unknown stage."""

    @abstractmethod
    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]:
        """A version's stage changes, oldest first. ResourceNotFoundError if the model or
        version does not exist."""

    @abstractmethod
    def set_model_version_tag(self, name: str, version: int | str, tag: RunTag) -> None:
        """Set (or overwrite) a version tag. ResourceNotFoundError if the model or version
        does not exist."""

    @abstractmethod
    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Remove a version tag. ResourceNotFoundError if the model, version or tag does not
        exist."""

    # -- conveniences, written once over the primitives --------------------------------
    def log_param(self, run_id: str, param: Param) -> None:
        """``log_batch`` with one param."""
        self.log_batch(run_id, params=[param])

    def set_tag(self, run_id: str, tag: RunTag) -> None:
        """``log_batch`` with one tag."""
        self.log_batch(run_id, tags=[tag])

    def log_metric(self, run_id: str, metric: Metric) -> None:
        """``log_batch`` with one metric point."""
        self.log_batch(run_id, metrics=[metric])

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the store is not used afterwards."""
