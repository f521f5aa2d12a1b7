"""The store contract: the primitives every tracking backend implements.

Convenience calls (``log_param``, ``set_tag``, ``log_metric``) are written here in terms of the
primitives, so a backend implements each behaviour once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
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

# (run_id, key, value, timestamp_ms, step): what the background writer hands the store.
MetricPoint = tuple[str, str, float, int, int]

SEARCH_MAX_RESULTS_DEFAULT = 1000
SEARCH_MAX_RESULTS_LIMIT = 100_000


class TrackingStore(ABC):
    """Experiments, runs and their params, metrics and tags."""

    tracking_uri: str
    artifact_root: str

    # -- experiments -------------------------------------------------------------------
    @abstractmethod
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[RunTag] | None = None,
    ) -> str: ...

    @abstractmethod
    def get_experiment(self, experiment_id: str) -> Experiment: ...

    @abstractmethod
    def get_experiment_by_name(self, name: str) -> Experiment | None: ...

    @abstractmethod
    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]: ...

    @abstractmethod
    def rename_experiment(self, experiment_id: str, new_name: str) -> None: ...

    @abstractmethod
    def delete_experiment(self, experiment_id: str) -> None: ...

    @abstractmethod
    def restore_experiment(self, experiment_id: str) -> None: ...

    @abstractmethod
    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None: ...

    # -- runs --------------------------------------------------------------------------
    @abstractmethod
    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> Run: ...

    @abstractmethod
    def get_run(self, run_id: str) -> Run: ...

    @abstractmethod
    def update_run_info(
        self,
        run_id: str,
        run_status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo: ...

    @abstractmethod
    def delete_run(self, run_id: str) -> None: ...

    @abstractmethod
    def restore_run(self, run_id: str) -> None: ...

    @abstractmethod
    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        allow_terminated: bool = False,
    ) -> None:
        """Write all of it or nothing. Raises if the run is deleted, or finished unless
        ``allow_terminated`` (post-training metrics, tag edits from the UI)."""

    @abstractmethod
    def log_metric_points(self, points: Sequence[MetricPoint]) -> None:
        """Append metric points of any number of runs in one transaction (the writer's path)."""

    @abstractmethod
    def delete_tag(self, run_id: str, key: str) -> None: ...

    @abstractmethod
    def get_metric_history(self, run_id: str, key: str) -> list[Metric]: ...

    @abstractmethod
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]: ...

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
    def get_notebook_session(self, kernel_id: str) -> Any: ...

    @abstractmethod
    def delete_notebook_session(self, kernel_id: str) -> None: ...

    # -- conveniences, written once over the primitives --------------------------------
    def log_param(self, run_id: str, param: Param) -> None:
        self.log_batch(run_id, params=[param])

    def set_tag(self, run_id: str, tag: RunTag) -> None:
        self.log_batch(run_id, tags=[tag])

    def log_metric(self, run_id: str, metric: Metric) -> None:
        self.log_batch(run_id, metrics=[metric])

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
