"""The SQL tracking store (SQLite or PostgreSQL through SQLAlchemy Core).

:class:`SqlTrackingStore` is the store contract over one :class:`~.database.Database` and a
repository per area; each method hands its call to the repository that owns it. Behaviour
lives in the repositories:

- :mod:`.experiments` and :mod:`.runs` (with :mod:`.run_data`): experiments, runs, params, tags;
- :mod:`.metrics`: metric points, histories, downsampled reads, summaries;
- :mod:`.notebooks`: notebook versions (blobs) and kernel sessions;
- :mod:`.registry` and :mod:`.model_versions`: the model registry;
- :mod:`.logged_models` and :mod:`.datasets`: MLflow 3's logged models; datasets, run inputs
  and outputs;
- :mod:`.views`: the Jupyter server's key lists, change markers and killed kernels;
- :mod:`.permissions`: owners and grants (team mode);
- :mod:`.transition_requests`: stage-transition requests, comments, activities (their
  delegations in :mod:`.store_transition_requests`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

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
from labtrack.entities.dataset import DatasetInput
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelTag,
)
from labtrack.entities.model_registry import (
    ModelVersion,
    ModelVersionTransition,
    RegisteredModel,
)
from labtrack.store.contract import (
    MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
    REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_LIMIT,
    MetricPoint,
    MetricSeries,
    MetricSummary,
    NotebookSession,
    RunEnd,
    RunKeys,
    RunKeyTable,
    RunTable,
    TrackingStore,
)
from labtrack.store.contract_logged_models import LOGGED_MODELS_MAX_RESULTS_DEFAULT
from labtrack.store.sql.database import Database
from labtrack.store.sql.datasets import DatasetRepository
from labtrack.store.sql.experiments import ExperimentRepository
from labtrack.store.sql.logged_models import LoggedModelRepository
from labtrack.store.sql.metrics import MetricRepository
from labtrack.store.sql.model_versions import ModelVersionRepository
from labtrack.store.sql.notebooks import NotebookRepository
from labtrack.store.sql.permissions import PermissionRepository, readable_clause
from labtrack.store.sql.registry import RegisteredModelRepository
from labtrack.store.sql.runs import RunRepository
from labtrack.store.sql.search_columns import read_key_columns
from labtrack.store.sql.store_transition_requests import SqlTransitionRequestMethods
from labtrack.store.sql.transition_requests import TransitionRequestRepository
from labtrack.store.sql.views import ViewRepository
from labtrack.utils.user import current_user


class SqlTrackingStore(SqlTransitionRequestMethods, TrackingStore):
    """Tracking data in a SQL database; ``artifact_root`` holds each experiment's folder."""

    # log_metric_points writes a RunEnd's params in the end's transaction (see RunEnd).
    params_at_end = True

    def __init__(self, tracking_uri: str, artifact_root: str) -> None:
        self.tracking_uri = tracking_uri
        self.artifact_root = artifact_root.rstrip("/")
        self.database = Database(tracking_uri, self.artifact_root)
        self.experiments = ExperimentRepository(self.database, self.artifact_root)
        self.runs = RunRepository(self.database)
        self.metrics = MetricRepository(self.database)
        self.notebooks = NotebookRepository(self.database)
        self.registered_models = RegisteredModelRepository(self.database)
        self.model_versions = ModelVersionRepository(self.database)
        self.views = ViewRepository(self.database)
        self.logged_models = LoggedModelRepository(self.database)
        self.datasets = DatasetRepository(self.database)
        self.permissions = PermissionRepository(self.database)
        self.transition_requests = TransitionRequestRepository(self.database)

    def _with_edges(self, runs: list[Run]) -> None:
        """Fill in each run's inputs and outputs (one read for all of them)."""
        if not runs:
            return
        ids = [run.info.run_id for run in runs]
        edges = self.database.read(lambda connection: self.datasets.run_edges(connection, ids))
        for run in runs:
            run.inputs, run.outputs = edges[run.info.run_id]

    def close(self) -> None:
        self.database.close()

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[RunTag] | None = None,
    ) -> str:
        return self.experiments.create_experiment(name, artifact_location, tags)

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self.experiments.get_experiment(experiment_id)

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return self.experiments.get_experiment_by_name(name)

    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        return self.experiments.search_experiments(
            view_type, max_results, filter_string, order_by, page_token
        )

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        self.experiments.rename_experiment(experiment_id, new_name)

    def delete_experiment(self, experiment_id: str) -> None:
        self.experiments.delete_experiment(experiment_id)

    def restore_experiment(self, experiment_id: str) -> None:
        self.experiments.restore_experiment(experiment_id)

    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None:
        self.experiments.set_experiment_tag(experiment_id, tag)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        self.experiments.delete_experiment_tag(experiment_id, key)

    # -- runs --------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
        run_id: str | None = None,
    ) -> Run:
        return self.runs.create_run(experiment_id, user_id, start_time, tags, run_name, run_id)

    def get_run(self, run_id: str) -> Run:
        run = self.runs.get_run(run_id)
        self._with_edges([run])
        return run

    def update_run_info(
        self,
        run_id: str,
        run_status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        return self.runs.update_run_info(run_id, run_status, end_time, run_name)

    def delete_run(self, run_id: str) -> None:
        self.runs.delete_run(run_id)

    def restore_run(self, run_id: str) -> None:
        self.runs.restore_run(run_id)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        allow_terminated: bool = False,
    ) -> None:
        linked = [m for m in metrics if m.model_id is not None]
        if linked:  # an unknown model is reported before the run's metrics are written
            for model_id in {m.model_id for m in linked}:
                self.logged_models.get_logged_model(str(model_id), True)
        self.runs.log_batch(run_id, metrics, params, tags, allow_terminated)
        if linked:
            self.logged_models.log_model_metrics(run_id, linked)

    def log_metric_points(self, points: Sequence[MetricPoint], end: RunEnd | None = None) -> None:
        self.metrics.log_metric_points(points, end)

    def delete_tag(self, run_id: str, key: str) -> None:
        self.runs.delete_tag(run_id, key)

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        found = self.runs.search_runs(
            experiment_ids, filter_string, run_view_type, max_results, order_by, page_token
        )
        self._with_edges(found)
        return found

    # -- metrics -----------------------------------------------------------------------
    def search_run_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_LIMIT,
        order_by: Sequence[str] | None = None,
    ) -> RunTable:
        return self.runs.search_run_table(
            experiment_ids, filter_string, run_view_type, max_results, order_by
        )

    def search_run_key_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_LIMIT,
        order_by: Sequence[str] | None = None,
    ) -> RunKeyTable | None:
        """:meth:`search_run_table` with the data one column per key (the DataFrame's read);
        None on PostgreSQL, which reads the rows (not part of the contract)."""
        if self.database.write_engine.dialect.name != "sqlite":
            return None
        search = (experiment_ids, filter_string, run_view_type, max_results, order_by)
        return self.runs.search_table(*search, read_key_columns)

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        return self.metrics.get_metric_history(run_id, key)

    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> MetricSeries:
        return self.metrics.metric_downsampled(run_id, key, max_points)

    def metric_summaries(self, run_id: str) -> dict[str, MetricSummary]:
        return self.metrics.metric_summaries(run_id)

    def latest_metric_steps(self, run_ids: Sequence[str]) -> dict[str, dict[str, tuple[int, int]]]:
        return self.metrics.latest_metric_steps(run_ids)

    # -- notebooks ---------------------------------------------------------------------
    def put_blob(self, kind: str, data: bytes) -> str:
        return self.notebooks.put_blob(kind, data)

    def get_blob(self, digest: str) -> tuple[str, bytes]:
        return self.notebooks.get_blob(digest)

    def set_notebook_session(
        self, kernel_id: str, notebook_path: str, notebook_id: str | None, root_dir: str | None
    ) -> None:
        self.notebooks.set_notebook_session(kernel_id, notebook_path, notebook_id, root_dir)

    def get_notebook_session(self, kernel_id: str) -> NotebookSession | None:
        return self.notebooks.get_notebook_session(kernel_id)

    def delete_notebook_session(self, kernel_id: str) -> None:
        self.notebooks.delete_notebook_session(kernel_id)

    # -- the Jupyter server's views ----------------------------------------------------
    def list_keys(self, experiment_ids: Sequence[str]) -> RunKeys:
        return self.views.list_keys(experiment_ids)

    def change_marker(self, experiment_ids: Sequence[str]) -> str:
        return self.views.change_marker(experiment_ids)

    def kill_kernel_runs(
        self, kernel_id: str, started_before: int | None = None, user: str | None = None
    ) -> list[str]:
        return self.views.kill_kernel_runs(kernel_id, started_before, user)

    def heartbeat_runs(self, run_ids: Sequence[str]) -> list[str]:
        return self.runs.heartbeat_runs(run_ids)

    def kill_stale_runs(self, heartbeat_before: int) -> list[str]:
        return self.views.kill_stale_runs(heartbeat_before)

    # -- model registry: registered models ----------------------------------------------
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        return self.registered_models.create_registered_model(name, tags, description)

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self.registered_models.get_registered_model(name)

    def registered_model_marker(self, name: str) -> int | None:
        return self.registered_models.registered_model_marker(name)

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self.registered_models.rename_registered_model(name, new_name)

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        return self.registered_models.update_registered_model(name, description)

    def delete_registered_model(self, name: str) -> None:
        self.registered_models.delete_registered_model(name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        return self.registered_models.search_registered_models(
            filter_string, max_results, order_by, page_token
        )

    def set_registered_model_tag(self, name: str, tag: RunTag) -> None:
        self.registered_models.set_registered_model_tag(name, tag)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self.registered_models.delete_registered_model_tag(name, key)

    # -- model registry: aliases -------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        self.registered_models.set_registered_model_alias(name, alias, version)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self.registered_models.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self.registered_models.get_model_version_by_alias(name, alias)

    # -- model registry: versions, stages and transitions ------------------------------
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
        return self.model_versions.create_model_version(
            name, source, run_id, tags, description, user_id, model_id
        )

    # -- logged models (MLflow 3) --------------------------------------------------------------
    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[LoggedModelTag] | Mapping[str, Any] | None = None,
        params: Sequence[LoggedModelParameter] | Mapping[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        return self.logged_models.create_logged_model(
            experiment_id, name, source_run_id, tags, params, model_type
        )

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        return self.logged_models.get_logged_model(model_id, allow_deleted)

    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel:
        return self.logged_models.finalize_logged_model(model_id, status)

    def delete_logged_model(self, model_id: str) -> None:
        self.logged_models.delete_logged_model(model_id)

    def set_logged_model_tags(
        self, model_id: str, tags: Sequence[LoggedModelTag] | Mapping[str, Any]
    ) -> None:
        self.logged_models.set_logged_model_tags(model_id, tags)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self.logged_models.delete_logged_model_tag(model_id, key)

    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter] | Mapping[str, Any]
    ) -> None:
        self.logged_models.log_logged_model_params(model_id, params)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        datasets: Sequence[Mapping[str, Any]] | None = None,
        max_results: int = LOGGED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[Any] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        return self.logged_models.search_logged_models(
            experiment_ids, filter_string, datasets, max_results, order_by, page_token
        )

    def link_metrics_to_models(self, run_id: str, metrics: Sequence[Metric]) -> None:
        self.logged_models.log_model_metrics(run_id, metrics)

    def logged_models_of_runs(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModel]]:
        return self.logged_models.models_of_runs(list(run_ids))

    # -- run inputs and outputs ----------------------------------------------------------------
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[LoggedModelInput] | None = None,
    ) -> None:
        self.datasets.log_inputs(run_id, datasets, models)

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        self.datasets.log_outputs(run_id, models)

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        return self.model_versions.get_model_version(name, version)

    def update_model_version(
        self, name: str, version: int | str, description: str | None
    ) -> ModelVersion:
        return self.model_versions.update_model_version(name, version, description)

    def delete_model_version(self, name: str, version: int | str) -> None:
        self.model_versions.delete_model_version(name, version)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        return self.model_versions.search_model_versions(
            filter_string, max_results, order_by, page_token
        )

    def transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        user_id: str | None = None,
    ) -> ModelVersion:
        return self.model_versions.transition_model_version_stage(
            name, version, stage, archive_existing_versions, user_id
        )

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        return self.model_versions.get_latest_versions(name, stages)

    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]:
        return self.model_versions.get_model_version_transitions(name, version)

    def set_model_version_tag(self, name: str, version: int | str, tag: RunTag) -> None:
        self.model_versions.set_model_version_tag(name, version, tag)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        self.model_versions.delete_model_version_tag(name, version, key)

    # -- team mode: owners and grants ----------------------------------------------------------
    def get_permissions(self, resource_kind: str, resource_id: str) -> dict[str, Any]:
        return self.permissions.get_permissions(resource_kind, resource_id)

    def set_owner(self, resource_kind: str, resource_id: str, owner: str | None) -> None:
        self.permissions.set_owner(resource_kind, resource_id, owner)

    def set_permission(
        self,
        resource_kind: str,
        resource_id: str,
        principal_kind: str,
        principal: str,
        permission: str,
    ) -> None:
        self.permissions.set_permission(
            resource_kind, resource_id, principal_kind, principal, permission
        )

    def delete_permission(
        self, resource_kind: str, resource_id: str, principal_kind: str, principal: str
    ) -> None:
        self.permissions.delete_permission(resource_kind, resource_id, principal_kind, principal)

    def access(
        self, resource_kind: str, resource_ids: Sequence[str], user: str, groups: Sequence[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        return self.permissions.access(resource_kind, resource_ids, user, groups)

    def search_readable_experiments(
        self,
        user: str,
        groups: Sequence[str],
        view_type: int,
        max_results: int,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
        others_only: bool = False,
    ) -> PagedList[Experiment]:
        return self.experiments.search_experiments(
            view_type,
            max_results,
            filter_string,
            order_by,
            page_token,
            readable_clause("experiment", user, groups, others_only),
        )

    def search_readable_registered_models(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        return self.registered_models.search_registered_models(
            filter_string,
            max_results,
            order_by,
            page_token,
            readable_clause("registered_model", user, groups),
        )

    def search_readable_model_versions(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        return self.model_versions.search_model_versions(
            filter_string,
            max_results,
            order_by,
            page_token,
            readable_clause("model_version", user, groups),
        )

    def experiments_of(self, kind: str, ids: Sequence[str]) -> dict[str, str]:
        return self.permissions.experiments_of(kind, ids)

    def whoami(self) -> dict[str, Any]:
        # Nothing is checked on a database the process opens itself.
        return {
            "name": current_user(),
            "groups": [],
            "admin": True,
            "permissions_enabled": False,
        }
