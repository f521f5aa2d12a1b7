"""Team mode: the store as one caller may use it.

:class:`GuardedStore` stands in front of the server's store for one request. Every method of
the store contract has a rule here (:data:`RULES`: which resource it touches, which argument
names it, which permission it needs); a method without a rule is refused, so a method added
to the contract stays closed in team mode until someone decides who may call it. All three
protocols (labtrack's REST API, the store RPC of the REST store, MLflow's) reach the store
through this, so one table enforces them all.

Searches do not check rows one by one: experiment and registered-model searches become the
store's ``search_readable_*`` (the readable set is a subquery of the search), and searches over
runs need READ on every experiment they name (one query for all of them).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from labtrack.entities import Experiment, PagedList, Run, RunTag
from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.errors import PermissionDeniedError
from labtrack.server.identity import Caller
from labtrack.server.permissions import Guard
from labtrack.server.permissions_transition_requests import TransitionRequestRules
from labtrack.store.contract import TrackingStore
from labtrack.tracking.client import TrackingClient
from labtrack.utils.mlflow_tags import USER

__all__ = ["RULES", "GuardedStore", "Rule", "guarded_client", "points_store"]


@dataclass(frozen=True)
class Rule:
    """``needed`` on the resource(s) of kind ``on`` named by argument ``arg``.

    ``on``: ``experiment`` / ``experiments`` (a list), ``run`` / ``runs``, ``logged_model``,
    ``registered_model``; ``anyone`` (any authenticated caller); ``admin``; ``own`` (the
    method has its own code in :class:`GuardedStore`).
    """

    on: str
    arg: str = ""
    needed: str = "READ"


def _r(on: str, arg: str = "", needed: str = "READ") -> Rule:
    return Rule(on, arg, needed)


EXP, RUN, MODEL, LOGGED = "experiment", "run", "registered_model", "logged_model"
RULES: dict[str, Rule] = {
    # experiments
    "create_experiment": _r("own"),
    "get_experiment": _r(EXP, "experiment_id"),
    "get_experiment_by_name": _r("own"),
    "search_experiments": _r("own"),
    "rename_experiment": _r(EXP, "experiment_id", "EDIT"),
    "set_experiment_tag": _r(EXP, "experiment_id", "EDIT"),
    "delete_experiment_tag": _r(EXP, "experiment_id", "EDIT"),
    "delete_experiment": _r(EXP, "experiment_id", "MANAGE"),
    "restore_experiment": _r(EXP, "experiment_id", "MANAGE"),
    # runs and their data
    "create_run": _r("own"),
    "get_run": _r(RUN, "run_id"),
    "update_run_info": _r(RUN, "run_id", "EDIT"),
    "log_batch": _r(RUN, "run_id", "EDIT"),
    "log_param": _r(RUN, "run_id", "EDIT"),
    "log_metric": _r(RUN, "run_id", "EDIT"),
    "set_tag": _r(RUN, "run_id", "EDIT"),
    "delete_tag": _r(RUN, "run_id", "EDIT"),
    "log_inputs": _r(RUN, "run_id", "EDIT"),
    "log_outputs": _r(RUN, "run_id", "EDIT"),
    "link_metrics_to_models": _r(RUN, "run_id", "EDIT"),
    "latest_metric_steps": _r("runs", "run_ids"),
    "log_metric_points": _r("own"),
    "heartbeat_runs": _r("runs", "run_ids", "EDIT"),
    "delete_run": _r(RUN, "run_id", "MANAGE"),
    "restore_run": _r(RUN, "run_id", "MANAGE"),
    "get_metric_history": _r(RUN, "run_id"),
    "metric_downsampled": _r(RUN, "run_id"),
    "metric_summaries": _r(RUN, "run_id"),
    "logged_models_of_runs": _r("runs", "run_ids"),
    "search_runs": _r("experiments", "experiment_ids"),
    "search_run_table": _r("experiments", "experiment_ids"),
    "search_run_key_table": _r("experiments", "experiment_ids"),
    "list_keys": _r("experiments", "experiment_ids"),
    "change_marker": _r("experiments", "experiment_ids"),
    # logged models (MLflow 3): their experiment's permission
    "create_logged_model": _r(EXP, "experiment_id", "EDIT"),
    "get_logged_model": _r(LOGGED, "model_id"),
    "finalize_logged_model": _r(LOGGED, "model_id", "EDIT"),
    "set_logged_model_tags": _r(LOGGED, "model_id", "EDIT"),
    "delete_logged_model_tag": _r(LOGGED, "model_id", "EDIT"),
    "log_logged_model_params": _r(LOGGED, "model_id", "EDIT"),
    "delete_logged_model": _r(LOGGED, "model_id", "MANAGE"),
    "search_logged_models": _r("experiments", "experiment_ids"),
    # notebook versions are content-addressed (a digest is not guessable); sessions are the
    # Jupyter server's record of which notebook a kernel serves.
    "put_blob": _r("anyone"),
    "get_blob": _r("anyone"),
    "set_notebook_session": _r("anyone"),
    "get_notebook_session": _r("anyone"),
    "delete_notebook_session": _r("anyone"),
    # ending other people's runs is the service's own housekeeping
    # a user's server ends its own kernels' runs (only that user's: see _kill_kernel_runs)
    "kill_kernel_runs": _r("own"),
    "kill_stale_runs": _r("admin"),
    # registry
    "create_registered_model": _r("own"),
    "get_registered_model": _r(MODEL, "name"),
    "registered_model_marker": _r(MODEL, "name"),
    "search_registered_models": _r("own"),
    "rename_registered_model": _r(MODEL, "name", "EDIT"),
    "update_registered_model": _r(MODEL, "name", "EDIT"),
    "set_registered_model_tag": _r(MODEL, "name", "EDIT"),
    "delete_registered_model_tag": _r(MODEL, "name", "EDIT"),
    "set_registered_model_alias": _r(MODEL, "name", "EDIT"),
    "delete_registered_model_alias": _r(MODEL, "name", "EDIT"),
    "get_model_version_by_alias": _r(MODEL, "name"),
    "delete_registered_model": _r(MODEL, "name", "MANAGE"),
    "create_model_version": _r("own"),
    "get_model_version": _r(MODEL, "name"),
    "update_model_version": _r(MODEL, "name", "EDIT"),
    "delete_model_version": _r(MODEL, "name", "MANAGE"),
    "search_model_versions": _r("own"),
    "transition_model_version_stage": _r("own"),  # EDIT on the model, recorded as the caller
    "get_latest_versions": _r(MODEL, "name"),
    "get_model_version_transitions": _r(MODEL, "name"),
    "set_model_version_tag": _r(MODEL, "name", "EDIT"),
    "delete_model_version_tag": _r(MODEL, "name", "EDIT"),
    # transition requests and comments (Databricks' table, docs/permissions.md): asking and
    # commenting need READ, approving and rejecting what a direct move needs (EDIT); who acts
    # is always the caller, whatever user_id says
    "create_transition_request": _r("own"),
    "get_transition_requests": _r(MODEL, "name"),
    "get_pending_transition_requests": _r(MODEL, "name"),
    "approve_transition_request": _r("own"),
    "reject_transition_request": _r("own"),
    "delete_transition_request": _r("own"),
    "create_comment": _r("own"),
    "get_comment": _r("own"),
    "update_comment": _r("own"),
    "delete_comment": _r("own"),
    "get_model_version_activities": _r(MODEL, "name"),
    # owners and grants: seeing them needs READ, changing them MANAGE
    "get_permissions": _r("own"),
    "set_owner": _r("own"),
    "set_permission": _r("own"),
    "delete_permission": _r("own"),
    "access": _r("own"),
    "search_readable_experiments": _r("own"),
    "search_readable_registered_models": _r("own"),
    "search_readable_model_versions": _r("own"),
    "experiments_of": _r("anyone"),
    "whoami": _r("own"),
}
# Calls after which cached permissions may be wrong.
MOVES_GRANTS = frozenset({"rename_registered_model", "delete_registered_model"})
# Plain attributes a client reads from its store.
ATTRIBUTES = frozenset({"tracking_uri", "artifact_root"})
_SIGNATURES = {
    name: inspect.signature(getattr(TrackingStore, name))
    for name in RULES
    if hasattr(TrackingStore, name)
}


class GuardedStore(TransitionRequestRules):
    """The store contract for one caller: each call checked by its :data:`RULES` entry."""

    def __init__(self, store: TrackingStore, guard: Guard) -> None:
        self.unguarded = store
        self.guard = guard

    def __getattr__(self, name: str) -> Any:
        if name in ATTRIBUTES:
            return getattr(self.unguarded, name)
        rule = RULES.get(name)
        if rule is None or name not in _SIGNATURES:
            raise PermissionDeniedError(
                f"{name!r} is not available in team mode (no permission rule covers it)."
            )
        if rule.on == "own":
            method: Callable[..., Any] = getattr(self, f"_{name}")
            return method
        target = getattr(self.unguarded, name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            self.check(name, rule, args, kwargs)
            result = target(*args, **kwargs)
            if name in MOVES_GRANTS:  # the grants of a model go with its name
                self.guard.changed()
            return result

        return checked

    def check(self, name: str, rule: Rule, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Raise PermissionDeniedError unless the caller may call ``name`` so."""
        guard = self.guard
        if rule.on == "anyone" or guard.caller.admin:
            return
        if rule.on == "admin":
            raise PermissionDeniedError(f"{guard.caller.name} needs to be an admin to {name}.")
        bound = _SIGNATURES[name].bind(None, *args, **kwargs).arguments
        value = bound.get(rule.arg)
        if rule.on in ("experiment", "registered_model"):
            guard.require(rule.on, [str(value)], rule.needed)
        elif rule.on == "experiments":
            guard.require("experiment", [str(v) for v in value or ()], rule.needed)
        elif rule.on == "run":
            guard.require_runs([str(value)], rule.needed)
        elif rule.on == "runs":
            guard.require_runs([str(v) for v in value or ()], rule.needed)
        elif rule.on == "logged_model":
            guard.require_logged_models([str(value)], rule.needed)
        else:  # pragma: no cover - a rule of an unknown shape is a bug here
            raise PermissionDeniedError(f"{name!r} has a permission rule this server cannot read.")

    # -- methods with their own rule -----------------------------------------------------------
    # Experiment names are unique in the store, but two users' notebooks of the same path (or
    # two private experiments of the same name) must not collide: where a name is taken by an
    # experiment the caller cannot read, the caller's own is "<name> (<user>)", and looking
    # the name up finds that one.
    def _qualified(self, name: str) -> str:
        return f"{name} ({self.guard.caller.name})"

    def _readable(self, found: Experiment | None) -> bool:
        if found is None:
            return False
        return self.guard.permission("experiment", found.experiment_id) is not None

    def _create_experiment(
        self, name: str, artifact_location: str | None = None, tags: Sequence[RunTag] | None = None
    ) -> str:
        taken = self.unguarded.get_experiment_by_name(name)
        if taken is not None and not self._readable(taken):
            name = self._qualified(name)
        experiment_id = self.unguarded.create_experiment(name, artifact_location, tags)
        self.guard.claim("experiment", experiment_id)
        return experiment_id

    def _get_experiment_by_name(self, name: str) -> Experiment | None:
        found = self.unguarded.get_experiment_by_name(name)
        if found is None or self._readable(found):
            return found
        own = self.unguarded.get_experiment_by_name(self._qualified(name))
        return own if self._readable(own) else None

    def _search_experiments(
        self,
        view_type: int = 1,
        max_results: int = 1000,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        return self._search_readable_experiments(
            "", (), view_type, max_results, filter_string, order_by, page_token
        )

    def _search_readable_experiments(
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
        # The caller's own identity, whatever a client sent.
        caller = self.guard.caller
        if caller.admin and not others_only:
            return self.unguarded.search_experiments(
                view_type, max_results, filter_string, order_by, page_token
            )
        return self.unguarded.search_readable_experiments(
            caller.name,
            self.guard.groups,
            view_type,
            max_results,
            filter_string,
            order_by,
            page_token,
            others_only,
        )

    def _filtered(self, everything: str, readable: str, args: tuple[Any, ...]) -> Any:
        """An admin's search (everything), or the one limited to what the caller may read;
        the caller's own identity, whatever a client sent."""
        if self.guard.caller.admin:
            return getattr(self.unguarded, everything)(*args)
        guard = self.guard
        return getattr(self.unguarded, readable)(guard.caller.name, guard.groups, *args)

    def _search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        return self._search_readable_registered_models(
            "", (), filter_string, max_results, order_by, page_token
        )

    def _search_readable_registered_models(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        args = (filter_string, max_results, order_by, page_token)
        found: PagedList[RegisteredModel] = self._filtered(
            "search_registered_models", "search_readable_registered_models", args
        )
        return found

    def _search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10_000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        return self._search_readable_model_versions(
            "", (), filter_string, max_results, order_by, page_token
        )

    def _search_readable_model_versions(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 10_000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        args = (filter_string, max_results, order_by, page_token)
        found: PagedList[ModelVersion] = self._filtered(
            "search_model_versions", "search_readable_model_versions", args
        )
        return found

    def _create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
        run_id: str | None = None,
    ) -> Run:
        self.guard.require(EXP, [str(experiment_id)], "EDIT")
        # A run logged through the service is the caller's, not the server's OS user's.
        name = self.guard.caller.name or user_id
        tags = [t for t in tags if t.key != USER] + [RunTag(USER, name)]
        return self.unguarded.create_run(experiment_id, name, start_time, tags, run_name, run_id)

    def _log_metric_points(self, points: Sequence[Any], end: Any = None) -> None:
        run_ids = {str(p[0]) for p in points} | ({str(end[0])} if end is not None else set())
        self.guard.require_runs(run_ids, "EDIT")
        self.unguarded.log_metric_points(points, end)

    def _create_registered_model(
        self,
        name: str,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
    ) -> RegisteredModel:
        model = self.unguarded.create_registered_model(name, tags, description)
        self.guard.claim(MODEL, model.name)
        return model

    def _create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Sequence[RunTag] | None = None,
        description: str | None = None,
        user_id: str | None = None,
        model_id: str | None = None,
    ) -> Any:
        self.guard.require(MODEL, [name], "EDIT")
        if run_id:  # registering a run's model reads the run
            self.guard.require_runs([run_id], "READ")
        return self.unguarded.create_model_version(
            name, source, run_id, tags, description, self.guard.caller.name or user_id, model_id
        )

    def _transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        user_id: str | None = None,
    ) -> ModelVersion:
        # The move is recorded in the version's activity as the caller's, whatever user_id says.
        self.guard.require(MODEL, [name], "EDIT")
        return self.unguarded.transition_model_version_stage(
            name, version, stage, archive_existing_versions, self.guard.caller.name or user_id
        )

    def _get_permissions(self, resource_kind: str, resource_id: str) -> dict[str, Any]:
        self.guard.require(resource_kind, [resource_id], "READ")
        return self.unguarded.get_permissions(resource_kind, resource_id)

    def _set_owner(self, resource_kind: str, resource_id: str, owner: str | None) -> None:
        self.guard.require(resource_kind, [resource_id], "MANAGE")
        self.unguarded.set_owner(resource_kind, resource_id, owner)
        self.guard.changed()

    def _set_permission(
        self,
        resource_kind: str,
        resource_id: str,
        principal_kind: str,
        principal: str,
        permission: str,
    ) -> None:
        self.guard.require(resource_kind, [resource_id], "MANAGE")
        self.unguarded.set_permission(
            resource_kind, resource_id, principal_kind, principal, permission
        )
        self.guard.changed()

    def _delete_permission(
        self, resource_kind: str, resource_id: str, principal_kind: str, principal: str
    ) -> None:
        self.guard.require(resource_kind, [resource_id], "MANAGE")
        self.unguarded.delete_permission(resource_kind, resource_id, principal_kind, principal)
        self.guard.changed()

    def _kill_kernel_runs(
        self, kernel_id: str, started_before: int | None = None, user: str | None = None
    ) -> list[str]:
        # A user's JupyterLab whose store is this service ends the runs of its kernels that
        # died; runs logged through the service carry their caller's name, so a user ends
        # only their own (an admin, anyone's, or those of ``user``).
        caller = self.guard.caller
        only = (user or None) if caller.admin else caller.name
        return self.unguarded.kill_kernel_runs(kernel_id, started_before, only)

    def _whoami(self) -> dict[str, Any]:
        caller = self.guard.caller
        return {
            "name": caller.name,
            "groups": sorted(caller.groups),
            "admin": caller.admin,
            "permissions_enabled": True,
        }

    def _access(
        self, resource_kind: str, resource_ids: Sequence[str], user: str, groups: Sequence[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        return self.guard.access(resource_kind, resource_ids)  # the caller's, whoever was named


def points_store(store: Any, run_ids: Sequence[str]) -> TrackingStore:
    """The store to hand metric points of ``run_ids`` to the shared ingest (which batches
    across requests, so it holds the unguarded store), once the caller may EDIT those runs."""
    if isinstance(store, GuardedStore):
        store.guard.require_runs(run_ids, "EDIT")
        return store.unguarded
    assert isinstance(store, TrackingStore)
    return store


def guarded_client(settings: Any, caller: Caller) -> TrackingClient:
    """A client over the server's store as ``caller`` may use it (``settings``: the
    ``Labtrack`` configuration). Cheap: it shares the server's store and connections."""
    base: TrackingClient = settings.client()
    client = copy.copy(base)
    guard = Guard(
        base.store, caller, settings.default_permission, settings.permission_cache_seconds
    )
    # The guarded store has every method of the contract (each checked), so it stands in.
    client._store = cast(TrackingStore, GuardedStore(base.store, guard))
    return client
