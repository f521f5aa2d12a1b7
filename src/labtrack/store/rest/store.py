"""``RestTrackingStore``: the store contract, served by a labtrack server over HTTP.

Every contract method is one authenticated RPC, ``POST <base_url>labtrack/api/store/<method>``
with the arguments as JSON (:mod:`.codec`); the server calls the same method on its own store
and sends back the result, or the error with its class, which is raised here as it was raised
there. So a client over HTTP behaves as one on the server's disk, method for method, and a
method added to the contract is declared here once (its signature; the ``@remote`` decorator
makes the call). Why this and not MLflow's protocol for labtrack's own client: MLflow's has
no notebook versions, kernel sessions, change markers, downsampled histories or transitions,
and mixing two protocols would give each method two places to live (docs/store.md).

Artifacts go through the server's artifact proxy: runs' artifact URIs are the proxy's URLs
(``.../labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts/<path>``), which
:class:`~labtrack.store.artifacts.ArtifactRepository` reads and writes over HTTP
(:mod:`.artifacts`).

Metric points arrive here in batches from the background writer (``log_metric_points``); the
transport retries a lost connection for a while, and a batch that still cannot be delivered
stays queued in the writer. At interpreter exit, what cannot be delivered is saved to a file
(:mod:`.spill`) with a warning saying how to send it later, never dropped silently.
"""

# Each method below is declared by its signature only; @remote turns it into the call.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from labtrack import errors
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
from labtrack.entities.model_registry import ModelVersion, ModelVersionTransition, RegisteredModel
from labtrack.errors import InvalidParameterError, LabtrackError, StoreError
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
    RunTable,
    TrackingStore,
)
from labtrack.store.contract_logged_models import LOGGED_MODELS_MAX_RESULTS_DEFAULT
from labtrack.store.rest import codec, point_columns, spill
from labtrack.store.rest.artifacts import PROXY_PATH
from labtrack.store.rest.permissions import RemotePermissionStore
from labtrack.store.rest.remote import remote
from labtrack.store.rest.transition_requests import RemoteTransitionRequestStore
from labtrack.store.rest.transport import Transport, register

__all__ = ["PROXY_PATH", "RPC_PATH", "WIRE_SCHEME", "RestTrackingStore", "resend"]

RPC_PATH = "labtrack/api/store/"
WIRE_SCHEME = "mlflow-artifacts:/"
RESEND_BATCH = 50_000
# The smallest batch the background writer sends here: each batch is a request whose fixed
# cost (HTTP, the server's checks and its commit) is worth ~1,000 points, so the local
# store's 250-point floor spent most of the time on requests (docs/store.md).
MIN_WRITER_BATCH = 2_000


def _error(status: int, body: bytes, base_url: str) -> LabtrackError:
    """The labtrack error the server raised (same class, code and message)."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and "error_code" in data:
        cls = getattr(errors, str(data.get("error_class", "")), None)
        message = str(data.get("message", ""))
        if isinstance(cls, type) and issubclass(cls, LabtrackError):
            try:
                err = cls(message)
            except TypeError:  # a class whose constructor takes other arguments
                err = LabtrackError(message)
            err.error_code = str(data["error_code"])
            return err
        return LabtrackError(message, str(data["error_code"]))
    if status in (401, 403):
        return LabtrackError(
            f"The labtrack server at {base_url} refused the request ({status}): give its token "
            "in LABTRACK_TRACKING_TOKEN (or MLFLOW_TRACKING_TOKEN).",
            "PERMISSION_DENIED",
        )
    if status == 404:
        return StoreError(
            f"{base_url} does not serve labtrack's store API ({RPC_PATH}): is it a labtrack "
            "server of this version, and is the URL its base URL?"
        )
    shown = body[:300].decode("utf-8", "replace")
    return StoreError(f"The labtrack server at {base_url} answered {status}: {shown}")


class RestTrackingStore(RemotePermissionStore, RemoteTransitionRequestStore, TrackingStore):
    """The store of the labtrack server at ``base_url`` (its Jupyter base URL).

    >>> store = RestTrackingStore("http://127.0.0.1:8888/", token="...")  # doctest: +SKIP
    >>> store.get_experiment("0").name  # doctest: +SKIP
    'Default'
    """

    min_batch = MIN_WRITER_BATCH  # read by the metric writer (labtrack.tracking.writer)

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.transport = Transport(base_url, token)
        self.tracking_uri = self.transport.base_url
        self.artifact_root = self.tracking_uri + PROXY_PATH
        register(self.transport)  # its artifact URIs are read with this token
        self._json_points = False  # the server reads metric points only as JSON lists

    def __repr__(self) -> str:
        return f"RestTrackingStore({self.tracking_uri!r})"

    # -- the call ----------------------------------------------------------------------------
    def to_wire(self, location: str) -> str:
        """A proxy URL as the server's ``mlflow-artifacts:/`` location."""
        prefix = self.artifact_root + "/"
        return WIRE_SCHEME + location[len(prefix) :] if location.startswith(prefix) else location

    def from_wire(self, location: str) -> str:
        """The server's ``mlflow-artifacts:/`` location as a proxy URL."""
        if location.startswith(WIRE_SCHEME):
            return f"{self.artifact_root}/{location[len(WIRE_SCHEME) :].lstrip('/')}"
        return location

    def call(self, method: str, arguments: dict[str, Any], plain: bool = False) -> Any:
        """Call ``method`` on the server's store with ``arguments``; its result or its error.

        ``plain`` arguments hold only JSON values and tuples (sent as lists), so they skip the
        codec: the writer's metric points, encoded at the JSON module's C speed.
        """
        for name in codec.URI_ARGS.get(method, ()):
            if isinstance(arguments.get(name), str):
                arguments[name] = self.to_wire(arguments[name])
        encoded = arguments if plain else codec.encode(arguments, self.to_wire)
        return self.post(method, json.dumps({"args": encoded}).encode())

    def post(self, method: str, body: bytes) -> Any:
        """Send an encoded call of ``method``; its decoded result, or its error raised."""
        answer = self.transport.request(
            "POST", RPC_PATH + method, body, {"Content-Type": "application/json"}
        )
        if answer.status != 200:
            raise _error(answer.status, answer.body, self.tracking_uri)
        try:
            result = json.loads(answer.body)["result"]
        except (ValueError, KeyError, TypeError):
            raise StoreError(
                f"The labtrack server at {self.tracking_uri} sent an unreadable answer to {method}."
            ) from None
        return codec.decode(result, self.from_wire)

    def close(self) -> None:
        self.transport.close()

    # -- experiments -------------------------------------------------------------------------
    @remote
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[RunTag] | None = None,
    ) -> str: ...

    @remote
    def get_experiment(self, experiment_id: str) -> Experiment: ...

    @remote
    def get_experiment_by_name(self, name: str) -> Experiment | None: ...

    @remote
    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]: ...

    @remote
    def rename_experiment(self, experiment_id: str, new_name: str) -> None: ...

    @remote
    def delete_experiment(self, experiment_id: str) -> None: ...

    @remote
    def restore_experiment(self, experiment_id: str) -> None: ...

    @remote
    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None: ...

    @remote
    def delete_experiment_tag(self, experiment_id: str, key: str) -> None: ...

    # -- runs --------------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
        run_id: str | None = None,
    ) -> Run:
        # The id is chosen here, once for all the tries of this call: a retry that reaches a
        # server which no longer remembers the first try (restarted, or another replica behind
        # a load balancer) gets the run that try made instead of making a second one.
        arguments: dict[str, Any] = {
            "experiment_id": experiment_id,
            "user_id": user_id,
            "start_time": start_time,
            "tags": tags,
            "run_name": run_name,
            "run_id": run_id or uuid.uuid4().hex,
        }
        try:
            run: Run = self.call("create_run", arguments)
        except InvalidParameterError as err:
            if "'run_id'" not in err.message or "unexpected keyword" not in err.message:
                raise
            # A server older than chosen run ids: create the run as before.
            del arguments["run_id"]
            run = self.call("create_run", arguments)
        return run

    @remote
    def get_run(self, run_id: str) -> Run: ...

    @remote
    def update_run_info(
        self,
        run_id: str,
        run_status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo: ...

    @remote
    def delete_run(self, run_id: str) -> None: ...

    @remote
    def restore_run(self, run_id: str) -> None: ...

    @remote
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        allow_terminated: bool = False,
    ) -> None: ...

    def _send_points(self, points: Sequence[MetricPoint]) -> None:
        """One batch, as packed columns (:mod:`.point_columns`) unless this server is known
        not to read them (an older one: it refuses the form, then gets the JSON lists)."""
        body = None if self._json_points else point_columns.encode_body(points)
        if body is not None:
            try:
                self.post("log_metric_points", body)
                return
            except InvalidParameterError:
                # An older server refuses the form, any server a bad point: the JSON form
                # tells which (nothing of a refused batch is stored, so it can be resent).
                pass
            self.call("log_metric_points", {"points": points}, plain=True)
            self._json_points = True  # the JSON form passed where the columns did not
            return
        self.call("log_metric_points", {"points": points}, plain=True)

    def log_metric_points(self, points: Sequence[MetricPoint], end: RunEnd | None = None) -> None:
        """Send the writer's batch; at interpreter exit, keep what cannot be sent (spill).
        With ``end``, the run is ended once its points are stored (a second call here)."""
        if points:
            try:
                self._send_points(points)
            except StoreError:
                if not spill.exiting():
                    raise
                spill.save(self, points)
                return  # not all of the run's points are stored: it is not ended as asked
        if end is not None:
            # As the contract says: an unknown run is no error here (update_run_info says it).
            with contextlib.suppress(errors.ResourceNotFoundError):
                self.update_run_info(end.run_id, end.status, end.end_time, None)

    @remote
    def search_run_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_LIMIT,
        order_by: Sequence[str] | None = None,
    ) -> RunTable: ...

    @remote
    def heartbeat_runs(self, run_ids: Sequence[str]) -> list[str]: ...

    @remote
    def kill_stale_runs(self, heartbeat_before: int) -> list[str]: ...

    @remote
    def delete_tag(self, run_id: str, key: str) -> None: ...

    @remote
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]: ...

    # -- metrics -----------------------------------------------------------------------------
    @remote
    def get_metric_history(self, run_id: str, key: str) -> list[Metric]: ...

    @remote
    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> MetricSeries: ...

    @remote
    def metric_summaries(self, run_id: str) -> dict[str, MetricSummary]: ...

    # -- notebooks ---------------------------------------------------------------------------
    @remote
    def put_blob(self, kind: str, data: bytes) -> str: ...

    @remote
    def get_blob(self, digest: str) -> tuple[str, bytes]: ...

    @remote
    def set_notebook_session(
        self, kernel_id: str, notebook_path: str, notebook_id: str | None, root_dir: str | None
    ) -> None: ...

    @remote
    def get_notebook_session(self, kernel_id: str) -> NotebookSession | None: ...

    @remote
    def delete_notebook_session(self, kernel_id: str) -> None: ...

    # -- the server's views ------------------------------------------------------------------
    @remote
    def list_keys(self, experiment_ids: Sequence[str]) -> RunKeys: ...

    @remote
    def change_marker(self, experiment_ids: Sequence[str]) -> str: ...

    @remote
    def kill_kernel_runs(
        self, kernel_id: str, started_before: int | None = None, user: str | None = None
    ) -> list[str]: ...

    # -- registered models -------------------------------------------------------------------
    @remote
    def create_registered_model(
        self,
        name: str,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
    ) -> RegisteredModel: ...

    @remote
    def get_registered_model(self, name: str) -> RegisteredModel: ...

    @remote
    def registered_model_marker(self, name: str) -> int | None: ...

    @remote
    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel: ...

    @remote
    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel: ...

    @remote
    def delete_registered_model(self, name: str) -> None: ...

    @remote
    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]: ...

    @remote
    def set_registered_model_tag(self, name: str, tag: RunTag) -> None: ...

    @remote
    def delete_registered_model_tag(self, name: str, key: str) -> None: ...

    # -- aliases -----------------------------------------------------------------------------
    @remote
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None: ...

    @remote
    def delete_registered_model_alias(self, name: str, alias: str) -> None: ...

    @remote
    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion: ...

    # -- model versions ----------------------------------------------------------------------
    @remote
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
        user_id: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion: ...

    @remote
    def get_model_version(self, name: str, version: int | str) -> ModelVersion: ...

    @remote
    def update_model_version(
        self, name: str, version: int | str, description: str | None
    ) -> ModelVersion: ...

    @remote
    def delete_model_version(self, name: str, version: int | str) -> None: ...

    @remote
    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]: ...

    @remote
    def transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        user_id: str | None = None,
    ) -> ModelVersion: ...

    @remote
    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]: ...

    @remote
    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]: ...

    @remote
    def set_model_version_tag(self, name: str, version: int | str, tag: RunTag) -> None: ...

    @remote
    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None: ...

    # -- logged models (MLflow 3) ------------------------------------------------------------
    @remote
    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[LoggedModelTag] | Mapping[str, Any] | None = None,
        params: Sequence[LoggedModelParameter] | Mapping[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel: ...

    @remote
    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel: ...

    @remote
    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel: ...

    @remote
    def delete_logged_model(self, model_id: str) -> None: ...

    @remote
    def set_logged_model_tags(
        self, model_id: str, tags: Sequence[LoggedModelTag] | Mapping[str, Any]
    ) -> None: ...

    @remote
    def delete_logged_model_tag(self, model_id: str, key: str) -> None: ...

    @remote
    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter] | Mapping[str, Any]
    ) -> None: ...

    @remote
    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        datasets: Sequence[Mapping[str, Any]] | None = None,
        max_results: int = LOGGED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[Any] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]: ...

    @remote
    def link_metrics_to_models(self, run_id: str, metrics: Sequence[Metric]) -> None: ...

    @remote
    def logged_models_of_runs(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModel]]: ...

    # -- run inputs and outputs --------------------------------------------------------------
    @remote
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[LoggedModelInput] | None = None,
    ) -> None: ...

    @remote
    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None: ...


def resend(path: str | os.PathLike[str], token: str | None = None) -> tuple[str, int]:
    """Send a file of unsent points (:mod:`.spill`) to its server, then delete it; returns
    (server, points sent)."""
    source = Path(path)
    server, points = spill.read(source)
    store = RestTrackingStore(server, token)
    for start in range(0, len(points), RESEND_BATCH):
        store.call("log_metric_points", {"points": points[start : start + RESEND_BATCH]}, True)
    source.unlink()
    return server, len(points)
