"""Team mode: who may do what, checked for one caller.

:class:`Guard` answers "may this caller do X on these experiments / registered models" with one
store query per request (the resource's owner and the caller's grants, user and groups, in one
``IN``), and raises :class:`~labtrack.errors.PermissionDeniedError` (403) saying which
permission is missing on what. MANAGE > EDIT > READ; an owner has MANAGE, an admin has MANAGE on
everything. A resource the caller may not read answers 403, as MLflow's basic-auth app and
Databricks do (a resource that does not exist stays a 404).

The rules per store method live in :mod:`.permissions_store`; this module knows nothing of
routes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from labtrack.errors import PermissionDeniedError
from labtrack.server.identity import Caller
from labtrack.server.permissions_cache import ACCESS, RUN_EXPERIMENTS
from labtrack.store.contract import TrackingStore
from labtrack.store.contract_permissions import EVERYONE, PERMISSIONS

__all__ = ["Guard", "at_least", "describe"]

KIND_WORDS = {"experiment": "experiment", "registered_model": "registered model"}


def at_least(have: str | None, needed: str) -> bool:
    """Whether permission ``have`` includes ``needed``.

    >>> at_least("MANAGE", "EDIT"), at_least("READ", "EDIT"), at_least(None, "READ")
    (True, False, False)
    """
    return have is not None and PERMISSIONS.index(have) >= PERMISSIONS.index(needed)


class Guard:
    """The permission checks of one caller over one store (the unguarded one)."""

    def __init__(
        self,
        store: TrackingStore,
        caller: Caller,
        default_permission: str,
        cache_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.caller = caller
        self.default_permission = default_permission
        self.cache_seconds = cache_seconds

    @property
    def groups(self) -> list[str]:
        return sorted(self.caller.groups | {EVERYONE})

    def access(self, kind: str, ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """``{id: (owner, the caller's permission)}`` of the existing resources among ``ids``."""
        wanted = sorted({str(i) for i in ids})
        if not wanted:
            return {}
        found: dict[str, tuple[str | None, str | None]] = {}
        # Keyed by store too: a server re-resolves its store, and ids repeat across stores.
        who = (str(getattr(self.store, "tracking_uri", "")), self.caller.name, tuple(self.groups))
        if self.cache_seconds > 0:
            for key in wanted:
                hit = ACCESS.get((kind, key, who), self.cache_seconds)
                if hit is not None:
                    found[key] = hit
        missing = [key for key in wanted if key not in found]
        if missing:
            fresh = self.store.access(kind, missing, self.caller.name, self.groups)
            if self.cache_seconds > 0:
                for key, value in fresh.items():
                    ACCESS.put((kind, key, who), value)
            found.update(fresh)
        if self.caller.admin:
            return {key: (owner, "MANAGE") for key, (owner, _) in found.items()}
        return found

    def changed(self) -> None:
        """Owners or grants changed: forget every cached permission (of every caller)."""
        ACCESS.clear()

    def permission(self, kind: str, resource_id: str) -> str | None:
        """The caller's permission on one resource (None: none, or no such resource)."""
        return self.access(kind, [resource_id]).get(str(resource_id), (None, None))[1]

    def require(self, kind: str, ids: Iterable[str], needed: str) -> None:
        """PermissionDeniedError unless the caller has ``needed`` on every existing resource of
        ``ids`` (unknown ones are left to the store, which answers 404)."""
        if self.caller.admin:
            return
        for key, (_, have) in sorted(self.access(kind, ids).items()):
            if not at_least(have, needed):
                raise self.denied(kind, key, needed)

    def require_runs(self, run_ids: Iterable[str], needed: str) -> None:
        """``needed`` on the experiments of these runs."""
        if self.caller.admin:
            return
        self.require("experiment", self.experiments_of_runs(run_ids), needed)

    def experiments_of_runs(self, run_ids: Iterable[str]) -> set[str]:
        """The experiments of these runs (a run never moves: remembered for good)."""
        out, missing = set(), []
        where = str(getattr(self.store, "tracking_uri", ""))
        for run_id in {str(r) for r in run_ids}:
            hit = RUN_EXPERIMENTS.get((where, run_id))
            if hit is None:
                missing.append(run_id)
            else:
                out.add(hit)
        if missing:
            for run_id, experiment_id in self.store.experiments_of("run", missing).items():
                RUN_EXPERIMENTS.put((where, run_id), experiment_id)
                out.add(experiment_id)
        return out

    def require_logged_models(self, model_ids: Iterable[str], needed: str) -> None:
        if self.caller.admin:
            return
        found = self.store.experiments_of("logged_model", list(model_ids))
        self.require("experiment", found.values(), needed)

    def require_artifact_path(self, rel: str, needed: str) -> None:
        """``needed`` on the experiment of a path below the artifact root (its first part
        is the experiment's id); only admins reach paths outside any experiment's folder."""
        if self.caller.admin:
            return
        first = rel.strip("/").split("/", 1)[0]
        if not first.isdigit():
            raise PermissionDeniedError(
                f"{self.caller.name} needs to be an admin to reach artifacts outside an "
                f"experiment's folder ({rel!r})."
            )
        found = self.access("experiment", [first])
        if first not in found:
            raise PermissionDeniedError(
                f"{self.caller.name} needs {needed} on experiment {first}, which does not exist."
            )
        self.require("experiment", [first], needed)

    def denied(self, kind: str, resource_id: str, needed: str) -> PermissionDeniedError:
        """``"bob needs EDIT on experiment 'x' (id 3)"``, with what to do about it."""
        if kind == "experiment":
            name = self.store.get_experiment(resource_id).name
            what = f"experiment {name!r} (id {resource_id})"
        else:
            what = f"{KIND_WORDS.get(kind, kind)} {resource_id!r}"
        return PermissionDeniedError(
            f"{self.caller.name} needs {needed} on {what}. Ask its owner (or an admin) to "
            "share it with you."
        )

    def claim(self, kind: str, resource_id: str) -> None:
        """Make the caller the owner of a resource they just created, and apply the default
        grant for new resources (to everyone)."""
        self.store.set_owner(kind, resource_id, self.caller.name or None)
        if self.default_permission != "NONE":
            self.store.set_permission(kind, resource_id, "group", EVERYONE, self.default_permission)
        self.changed()


def describe(access: dict[str, tuple[str | None, str | None]], key: str) -> dict[str, Any]:
    """``{"owner", "my_permission"}`` of one resource, for the JSON the API returns."""
    owner, permission = access.get(str(key), (None, None))
    return {"owner": owner, "my_permission": permission}
