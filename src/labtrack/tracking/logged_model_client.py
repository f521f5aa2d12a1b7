"""``MlflowClient``'s MLflow 3 calls: logged models (create, read, search, tags, params,
artifacts) and run inputs and outputs (datasets, logged models).

Mixed into :class:`~labtrack.tracking.client.TrackingClient`.

>>> model = client.create_logged_model("0", name="clf", params={"C": "1.0"})  # doctest: +SKIP
>>> client.finalize_logged_model(model.model_id, "READY").status            # doctest: +SKIP
<LoggedModelStatus.READY: 'READY'>
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from labtrack.entities import PagedList
from labtrack.entities.dataset import DatasetInput
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelStatus,
)
from labtrack.errors import InvalidParameterError
from labtrack.store import artifacts
from labtrack.store.contract_logged_models import LOGGED_MODELS_MAX_RESULTS_DEFAULT
from labtrack.utils import validation

if TYPE_CHECKING:
    from labtrack.store.artifacts import ArtifactRepository, FileInfo
    from labtrack.store.contract import TrackingStore


def _string_dict(values: Any, what: str) -> dict[str, str]:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InvalidParameterError(f"{what} must be a dict of name -> value; got {values!r}.")
    return {str(k): str(v) for k, v in values.items()}


class LoggedModelClientMixin:
    """Logged models and run inputs/outputs over ``self.store``."""

    if TYPE_CHECKING:

        @property
        def store(self) -> TrackingStore: ...

    # -- logged models ---------------------------------------------------------------------
    def create_logged_model(
        self,
        experiment_id: str | int,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """A new PENDING logged model; its files go to ``model.artifact_location``."""
        return self.store.create_logged_model(
            validation.experiment_id(experiment_id),
            name,
            source_run_id,
            _string_dict(tags, "tags"),
            _string_dict(params, "params"),
            model_type,
        )

    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        return self.store.get_logged_model(model_id, allow_deleted)

    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel:
        """Mark the model READY or FAILED (``LoggedModelStatus`` or its name)."""
        final = LoggedModelStatus.parse(status)
        if final not in (LoggedModelStatus.READY, LoggedModelStatus.FAILED):
            raise InvalidParameterError(
                f"finalize_logged_model takes READY or FAILED; got {status!r}."
            )
        return self.store.finalize_logged_model(model_id, final)

    def delete_logged_model(self, model_id: str) -> None:
        self.store.delete_logged_model(model_id)

    def set_logged_model_tags(self, model_id: str, tags: dict[str, Any]) -> None:
        self.store.set_logged_model_tags(model_id, _string_dict(tags, "tags"))

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        self.store.delete_logged_model_tag(model_id, key)

    def log_model_params(self, model_id: str, params: dict[str, Any]) -> None:
        """Add params to a logged model (a param cannot change once set)."""
        self.store.log_logged_model_params(model_id, _string_dict(params, "params"))

    def search_logged_models(
        self,
        experiment_ids: Sequence[str | int],
        filter_string: str | None = None,
        datasets: list[dict[str, Any]] | None = None,
        max_results: int | None = None,
        order_by: list[Any] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        """A page of logged models; ``.token`` fetches the next page.

        ``filter_string`` as in MLflow (``"metrics.accuracy > 0.9 AND params.C = '1.0'"``),
        ``order_by`` as MLflow's dicts (``[{"field_name": "metrics.accuracy", "ascending":
        False}]``); ``datasets`` limits metric filters and order to those datasets.
        """
        if isinstance(experiment_ids, (str, int)):
            experiment_ids = [experiment_ids]
        ids = [validation.experiment_id(e) for e in experiment_ids]
        return self.store.search_logged_models(
            ids,
            filter_string,
            datasets,
            max_results or LOGGED_MODELS_MAX_RESULTS_DEFAULT,
            order_by,
            page_token,
        )

    def logged_model_of_run(self, run_id: str, name: str) -> LoggedModel | None:
        """The model ``log_model(name=...)`` logged in a run (the newest if several), or
        ``None``: what ``runs:/<run_id>/<name>`` means when the run's own files hold no
        such folder."""
        found = [
            m for m in self.store.logged_models_of_runs([run_id]).get(run_id, []) if m.name == name
        ]
        return found[-1] if found else None

    # -- a logged model's files -------------------------------------------------------------
    def _model_repo(self, model_id: str) -> ArtifactRepository:
        return artifacts.ArtifactRepository(self.get_logged_model(model_id).artifact_location)

    def log_model_artifact(self, model_id: str, local_path: str | os.PathLike[str]) -> None:
        """Upload a file into the logged model's files."""
        self._model_repo(model_id).log_artifact(os.fspath(local_path))

    def log_model_artifacts(self, model_id: str, local_dir: str | os.PathLike[str]) -> None:
        """Upload a folder's contents into the logged model's files."""
        self._model_repo(model_id).log_artifacts(os.fspath(local_dir))

    def list_logged_model_artifacts(self, model_id: str, path: str | None = None) -> list[FileInfo]:
        return self._model_repo(model_id).list_artifacts(path)

    def download_logged_model_artifacts(
        self, model_id: str, path: str = "", dst_path: str | None = None
    ) -> str:
        return self._model_repo(model_id).download_artifacts(path, dst_path)

    # -- what runs used and produced --------------------------------------------------------
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[LoggedModelInput] | None = None,
    ) -> None:
        """Record datasets (``DatasetInput``) and logged models a run used."""
        if datasets is not None and not isinstance(datasets, list):
            raise InvalidParameterError(
                f"datasets must be a list of DatasetInput; got {type(datasets).__name__}."
            )
        self.store.log_inputs(run_id, datasets, models)

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        """Record logged models a run produced."""
        self.store.log_outputs(run_id, list(models))
