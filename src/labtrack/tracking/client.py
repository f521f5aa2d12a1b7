"""``TrackingClient``: the explicit-id API over one store (MLflow's ``MlflowClient``).

>>> client = TrackingClient("/tmp/labtrack-doc")
>>> run = client.create_run("0")
>>> client.log_metric(run.info.run_id, "loss", 0.25, step=1)
>>> client.set_terminated(run.info.run_id)
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack import config
from labtrack.entities import (
    Experiment,
    LifecycleStage,
    Metric,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunTag,
    ViewType,
    status_name,
)
from labtrack.errors import InvalidParameterError, InvalidStateError, ResourceNotFoundError
from labtrack.registry.client import RegistryClientMixin
from labtrack.registry.transition_requests import TransitionRequestClientMixin
from labtrack.store import artifacts, get_store
from labtrack.store.contract import SEARCH_MAX_RESULTS_DEFAULT, TrackingStore
from labtrack.tracking import async_logging
from labtrack.tracking.async_logging import RunOperations
from labtrack.tracking.logged_model_client import LoggedModelClientMixin
from labtrack.utils import mlflow_tags, validation
from labtrack.utils.mlflow_tags import PARENT_RUN_ID
from labtrack.utils.user import current_user

if TYPE_CHECKING:
    from labtrack.store.artifacts import ArtifactRepository, FileInfo

__all__ = ["TrackingClient"]


def _now() -> int:
    return int(time.time() * 1000)


_last_start = 0
_start_lock = threading.Lock()


def _start_time() -> int:
    """Now, in ms, but after every run this process started before: runs started within one
    millisecond (a sweep) keep their order in the newest-first listings, which break ties of
    ``start_time`` by run id, that is at random."""
    global _last_start
    with _start_lock:
        _last_start = max(_now(), _last_start + 1)
        return _last_start


class TrackingClient(RegistryClientMixin, TransitionRequestClientMixin, LoggedModelClientMixin):
    """Create and read experiments and runs by id.

    ``tracking_uri`` is a labtrack home folder, ``sqlite:///...`` or
    ``postgresql+psycopg://...``; by default the one ``set_tracking_uri`` or the environment set.
    """

    def __init__(
        self,
        tracking_uri: str | None = None,
        registry_uri: str | None = None,
        *,
        artifact_root: str | None = None,
    ) -> None:
        if tracking_uri is None:  # the process's store (set_tracking_uri), else the default
            process_uri, process_root = config.process_location()
            tracking_uri, artifact_root = process_uri, artifact_root or process_root
        self.location = config.resolve(tracking_uri, artifact_root)
        self._registry_uri = registry_uri
        self._store: TrackingStore | None = None

    @property
    def store(self) -> TrackingStore:
        if self._store is None:
            self._store = get_store(self.location)
        return self._store

    @property
    def tracking_uri(self) -> str:
        return self.location.tracking_uri

    # -- experiments -------------------------------------------------------------------
    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: dict[str, Any] | None = None,
    ) -> str:
        return self.store.create_experiment(
            name, artifact_location, [RunTag(k, str(v)) for k, v in (tags or {}).items()]
        )

    def get_experiment(self, experiment_id: str | int) -> Experiment:
        return self.store.get_experiment(validation.experiment_id(experiment_id))

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        return self.store.get_experiment_by_name(name)

    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        return self.store.search_experiments(
            view_type, max_results, filter_string, order_by, page_token
        )

    def rename_experiment(self, experiment_id: str | int, new_name: str) -> None:
        self.store.rename_experiment(validation.experiment_id(experiment_id), new_name)

    def delete_experiment(self, experiment_id: str | int) -> None:
        self.store.delete_experiment(validation.experiment_id(experiment_id))

    def restore_experiment(self, experiment_id: str | int) -> None:
        self.store.restore_experiment(validation.experiment_id(experiment_id))

    def set_experiment_tag(self, experiment_id: str | int, key: str, value: Any) -> None:
        self.store.set_experiment_tag(
            validation.experiment_id(experiment_id), RunTag(key, str(value))
        )

    # -- runs --------------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: str | int,
        start_time: int | None = None,
        tags: dict[str, Any] | None = None,
        run_name: str | None = None,
    ) -> Run:
        """A RUNNING run holding ``tags`` (and ``mlflow.runName``), nothing else.

        Unlike ``start_run``, no system tags are added and the run does not become active
        (MLflow's rule); ``user_id`` is the ``mlflow.user`` tag, else the current user.
        """
        all_tags = dict(tags or {})
        # start_run's system tags name the user: the environment is read only without them.
        user = all_tags[mlflow_tags.USER] if mlflow_tags.USER in all_tags else current_user()
        return self.store.create_run(
            validation.experiment_id(experiment_id),
            user_id=str(user),
            start_time=start_time or _start_time(),
            tags=[RunTag(k, str(v)) for k, v in all_tags.items()],
            run_name=run_name,
        )

    def _queued_params(self) -> None:
        # The fluent log_params queues params for the background writer: a read in this
        # process sees them (the writer's module is only loaded once something was queued).
        writer = sys.modules.get("labtrack.tracking.writer")
        if writer is not None:
            writer.flush_params(self.store)

    def get_run(self, run_id: str) -> Run:
        self._queued_params()
        return self.store.get_run(run_id)

    def get_parent_run(self, run_id: str) -> Run | None:

        parent = self.get_run(run_id).data.tags.get(PARENT_RUN_ID)
        return self.get_run(parent) if parent else None

    def update_run(self, run_id: str, status: str | None = None, name: str | None = None) -> None:
        self.store.update_run_info(run_id, run_status=status, run_name=name)

    def set_terminated(
        self, run_id: str, status: str | None = None, end_time: int | None = None
    ) -> RunInfo:
        return self.store.update_run_info(
            run_id,
            run_status=status_name(status or "FINISHED"),
            end_time=end_time,
        )

    def delete_run(self, run_id: str) -> None:
        self.store.delete_run(run_id)

    def restore_run(self, run_id: str) -> None:
        self.store.restore_run(run_id)

    def log_param(self, run_id: str, key: str, value: Any, synchronous: bool | None = None) -> Any:
        """Log a param; returns ``value`` (``RunOperations`` with ``synchronous=False``)."""
        param = Param(validation.validate_key(key, "param key"), validation.param_value(key, value))
        if async_logging.is_async(synchronous):
            return async_logging.submit(self.store.log_param, run_id, param)
        self.store.log_param(run_id, param)
        return value

    def log_metric(
        self,
        run_id: str,
        key: str,
        value: float,
        timestamp: int | None = None,
        step: int | None = None,
        synchronous: bool | None = None,
        dataset_name: str | None = None,
        dataset_digest: str | None = None,
        model_id: str | None = None,
    ) -> RunOperations | None:
        """Log one metric point, written before returning (``RunOperations`` with
        ``synchronous=False``); ``model_id`` (and the dataset it was measured on) also links it
        to a logged model (MLflow 3)."""
        metric = Metric(
            validation.validate_key(key, "metric key"),
            validation.metric_value(key, value),
            _now() if timestamp is None else validation.timestamp_value(key, timestamp),
            validation.step_value(key, step),
            model_id=model_id,
            dataset_name=dataset_name,
            dataset_digest=dataset_digest,
        )
        if async_logging.is_async(synchronous):
            return async_logging.submit(self.store.log_metric, run_id, metric)
        self.store.log_metric(run_id, metric)
        return None

    def set_tag(
        self, run_id: str, key: str, value: Any, synchronous: bool | None = None
    ) -> RunOperations | None:
        """Set a tag (``RunOperations`` with ``synchronous=False``)."""
        tag = RunTag(validation.validate_key(key, "tag key"), validation.tag_value(key, value))
        if async_logging.is_async(synchronous):
            return async_logging.submit(self.store.set_tag, run_id, tag)
        self.store.set_tag(run_id, tag)
        return None

    def delete_tag(self, run_id: str, key: str) -> None:
        self.store.delete_tag(run_id, key)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        synchronous: bool | None = None,
    ) -> RunOperations | None:
        """Log many values in one transaction: all are written, or none (in the background,
        returning ``RunOperations``, with ``synchronous=False``)."""
        batch = (run_id, list(metrics), list(params), list(tags))
        if async_logging.is_async(synchronous):
            validation.batch_sizes(len(batch[1]), len(batch[2]), len(batch[3]))
            return async_logging.submit(self.store.log_batch, *batch)
        self.store.log_batch(*batch)
        return None

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        return self.store.get_metric_history(run_id, key)

    def search_runs(
        self,
        experiment_ids: Sequence[str | int] | str | int,
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        ids = [validation.experiment_id(e) for e in experiment_ids]
        self._queued_params()
        return self.store.search_runs(
            ids, filter_string or "", run_view_type, max_results, order_by, page_token
        )

    # -- artifacts ---------------------------------------------------------------------
    def _repo(self, run_id: str) -> ArtifactRepository:

        return artifacts.ArtifactRepository(self.get_run(run_id).info.artifact_uri)

    def _writable_repo(self, run_id: str) -> ArtifactRepository:

        info = self.get_run(run_id).info
        if info.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidStateError(
                f"Run {run_id} is deleted; restore it with restore_run() before logging."
            )
        return artifacts.ArtifactRepository(info.artifact_uri)

    def log_artifact(
        self, run_id: str, local_path: str | os.PathLike[str], artifact_path: str | None = None
    ) -> None:
        path = Path(local_path)
        if not path.exists():
            raise InvalidParameterError(
                f"log_artifact: {str(path)!r} does not exist. Give the path of a file to upload "
                "(log_artifacts uploads a whole folder)."
            )
        repo = self._writable_repo(run_id)
        if path.is_dir():
            repo.log_artifacts(str(path), artifact_path)
        else:
            repo.log_artifact(str(path), artifact_path)

    def log_artifacts(
        self, run_id: str, local_dir: str | os.PathLike[str], artifact_path: str | None = None
    ) -> None:
        path = Path(local_dir)
        if not path.is_dir():
            raise InvalidParameterError(
                f"log_artifacts: {str(path)!r} is not a folder. Use log_artifact for one file."
            )
        self._writable_repo(run_id).log_artifacts(str(path), artifact_path)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        if not isinstance(text, str):
            raise InvalidParameterError(f"log_text takes a str; got {type(text).__name__}.")
        self._writable_repo(run_id).write_text(artifact_file, text)

    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> None:
        ext = Path(artifact_file).suffix.lower()
        if ext in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(dictionary, sort_keys=False, default_flow_style=False)
        else:
            text = json.dumps(dictionary, indent=2, default=str)
        self._writable_repo(run_id).write_text(artifact_file, text)

    def log_figure(
        self,
        run_id: str,
        figure: Any,
        artifact_file: str,
        save_kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Save a matplotlib figure (any image format by extension) or a plotly figure (.html)."""
        import io

        repo = self._writable_repo(run_id)
        kind = type(figure).__module__
        if kind.startswith("matplotlib"):
            buf = io.BytesIO()
            ext = Path(artifact_file).suffix.lstrip(".") or "png"
            figure.savefig(buf, format=ext, **(save_kwargs or {}))
            repo.write_bytes(artifact_file, buf.getvalue())
        elif kind.startswith("plotly"):
            if Path(artifact_file).suffix.lower() in (".html", ".htm"):
                repo.write_text(artifact_file, figure.to_html(**(save_kwargs or {})))
            else:
                repo.write_bytes(artifact_file, figure.to_image(**(save_kwargs or {})))
        else:
            raise InvalidParameterError(
                f"log_figure takes a matplotlib or plotly figure; got {type(figure).__name__}."
            )

    def log_image(
        self,
        run_id: str,
        image: Any,
        artifact_file: str | None = None,
        key: str | None = None,
        step: int | None = None,
        timestamp: int | None = None,
        synchronous: bool | None = None,
    ) -> None:
        """Save a numpy array or PIL image: as the file ``artifact_file``, or as step ``step``
        of the image series ``key`` (:mod:`labtrack.tracking.media`)."""
        from labtrack.tracking import media

        media.log_image(self, run_id, image, artifact_file, key, step, timestamp)

    def log_table(self, run_id: str, data: Any, artifact_file: str) -> None:
        """Write a DataFrame or dict of columns as a JSON or Parquet table artifact (appending
        to the rows already in ``artifact_file``)."""
        from labtrack.tracking import tables

        tables.log_table(self, run_id, data, artifact_file)

    def load_table(
        self,
        experiment_id: str,
        artifact_file: str,
        run_ids: list[str] | None = None,
        extra_columns: list[str] | None = None,
    ) -> Any:
        """The table ``artifact_file`` of ``run_ids`` (default: every run of the experiment
        that logged it) as one DataFrame."""
        from labtrack.tracking import tables

        return tables.load_table(
            self, validation.experiment_id(experiment_id), artifact_file, run_ids, extra_columns
        )

    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        return self._repo(run_id).list_artifacts(path)

    def download_artifacts(self, run_id: str, path: str = "", dst_path: str | None = None) -> str:
        """Files of a run; ``path`` naming a model the run logged (MLflow 3 keeps its files
        with the logged model, not the run) gives that model's files."""
        repo = self._repo(run_id)
        if path and not repo.exists(path):
            model = self.logged_model_of_run(run_id, path)
            if model is not None:
                import tempfile  # here, not at the top: it pulls in shutil, random, bz2...

                dst = dst_path or tempfile.mkdtemp(prefix="labtrack-")
                target = os.path.join(dst, path.strip("/").rsplit("/", 1)[-1])
                os.makedirs(target, exist_ok=True)
                repo = artifacts.ArtifactRepository(model.artifact_location)
                return repo.download_artifacts("", target)
        return repo.download_artifacts(path, dst_path)

    def load_text(self, run_id: str, artifact_file: str) -> str:
        with self._repo(run_id).open(artifact_file) as f:
            return str(f.read().decode())

    def download_to_temp(self, run_id: str, path: str) -> str:
        import tempfile  # here, not at the top: it pulls in shutil, random, bz2...

        return self.download_artifacts(run_id, path, tempfile.mkdtemp(prefix="labtrack-"))


def experiment_not_found(name: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"No experiment named {name!r}. Create it with create_experiment({name!r}) or "
        f"set_experiment({name!r})."
    )
