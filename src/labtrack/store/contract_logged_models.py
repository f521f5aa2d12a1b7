"""The store contract's part for MLflow 3: logged models, and the inputs and outputs of runs
(datasets, logged models). :class:`~labtrack.store.contract.TrackingStore` extends it; the
errors follow the rules written at the top of :mod:`labtrack.store.contract`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from labtrack.entities import Metric, PagedList
from labtrack.entities.dataset import DatasetInput
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelInput,
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelTag,
)

__all__ = ["LOGGED_MODELS_MAX_RESULTS_DEFAULT", "LoggedModelStore"]

LOGGED_MODELS_MAX_RESULTS_DEFAULT = 100


class LoggedModelStore(ABC):
    """Logged models and run inputs/outputs: abstract methods every tracking store has."""

    # -- logged models (MLflow 3) --------------------------------------------------------------
    @abstractmethod
    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Sequence[LoggedModelTag] | Mapping[str, Any] | None = None,
        params: Sequence[LoggedModelParameter] | Mapping[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """A new PENDING logged model (id ``m-<32 hex>``, a generated name if none), whose
        files go to ``<experiment artifact location>/models/<model_id>/artifacts``.
        ResourceNotFoundError for an unknown experiment or run; InvalidStateError for a deleted
        experiment; InvalidParameterError for a name with ``/ : . % " '`` or bad keys."""

    @abstractmethod
    def get_logged_model(self, model_id: str, allow_deleted: bool = False) -> LoggedModel:
        """The logged model with its tags, params and linked metric points.
        ResourceNotFoundError if there is none (or it is deleted and not ``allow_deleted``);
        InvalidParameterError for a malformed id."""

    @abstractmethod
    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel:
        """Set the model's status (READY or FAILED, as enum, name or number) and return it.
        ResourceNotFoundError if it does not exist."""

    @abstractmethod
    def delete_logged_model(self, model_id: str) -> None:
        """Mark a logged model deleted (its files stay). ResourceNotFoundError if it does not
        exist."""

    @abstractmethod
    def set_logged_model_tags(
        self, model_id: str, tags: Sequence[LoggedModelTag] | Mapping[str, Any]
    ) -> None:
        """Set (or overwrite) tags of a logged model. ResourceNotFoundError if it does not
        exist; InvalidParameterError for a bad key."""

    @abstractmethod
    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        """Remove a tag. ResourceNotFoundError if the model or the tag does not exist."""

    @abstractmethod
    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter] | Mapping[str, Any]
    ) -> None:
        """Add params to a logged model (re-logging the same value is fine).
        ResourceNotFoundError if it does not exist; InvalidParameterError for a param that
        would change."""

    @abstractmethod
    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None = None,
        datasets: Sequence[Mapping[str, Any]] | None = None,
        max_results: int = LOGGED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[Any] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        """A page of the live logged models of these experiments matching the filter (``name``,
        ``status``, ``source_run_id``, ``metrics.<key>``, ``params.<key>``, ``tags.<key>``...;
        metrics only on ``datasets`` when given), ordered by MLflow's order-by dicts or
        strings (default: newest first). InvalidParameterError for no experiment ids, a dataset
        without a name, ``max_results`` outside 1..100,000 or a bad page token;
        FilterSyntaxError for a bad filter or order-by."""

    @abstractmethod
    def link_metrics_to_models(self, run_id: str, metrics: Sequence[Metric]) -> None:
        """Link points already in run ``run_id``'s history to their ``model_id`` (with their
        dataset) without adding them to the history again (what ``log_model`` does with the
        run's metrics of its step); a link made twice is kept once. ResourceNotFoundError for
        an unknown model."""

    @abstractmethod
    def logged_models_of_runs(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModel]]:
        """The live logged models each run produced (``source_run_id``), oldest first."""

    # -- run inputs and outputs (datasets, logged models) -----------------------------------
    @abstractmethod
    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None = None,
        models: Sequence[LoggedModelInput] | None = None,
    ) -> None:
        """Record datasets (stored once per experiment, name and digest) and logged models a
        run used; a dataset the run already has keeps its first tags. Allowed on a finished
        run. InvalidStateError if the run is deleted; ResourceNotFoundError for an unknown run
        or model; InvalidParameterError for a dataset or input tag over MLflow's limits."""

    @abstractmethod
    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        """Record logged models a run produced, each at a step. InvalidStateError if the run
        is deleted; ResourceNotFoundError for an unknown run or model."""
