"""The store contract's part for team mode: owners of experiments and registered models, and
the grants (READ, EDIT, MANAGE to a user or a group) that share them.

:class:`~labtrack.store.contract.TrackingStore` extends it. The store only records and looks
up; who is allowed what is decided by the server (:mod:`labtrack.server.permissions`), which
is the one place a caller's identity is known. Results are plain dicts and lists, so they
cross the REST store's wire as they are.

Names: ``resource_kind`` is ``"experiment"`` or ``"registered_model"``; ``resource_id`` an
experiment id or a registered model's name; ``principal_kind`` ``"user"`` or ``"group"``
(the group ``"*"`` is everyone); ``permission`` ``"READ"``, ``"EDIT"`` or ``"MANAGE"``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from labtrack.entities import Experiment, PagedList
from labtrack.entities.model_registry import ModelVersion, RegisteredModel

__all__ = [
    "EVERYONE",
    "PERMISSIONS",
    "PRINCIPAL_KINDS",
    "RESOURCE_KINDS",
    "PermissionStore",
    "stronger",
]

RESOURCE_KINDS = ("experiment", "registered_model")
PRINCIPAL_KINDS = ("user", "group")
# Weakest first: each permission includes the ones before it.
PERMISSIONS = ("READ", "EDIT", "MANAGE")
# The group every caller belongs to (a grant to it is the "for everyone" default).
EVERYONE = "*"


def stronger(a: str | None, b: str | None) -> str | None:
    """The stronger of two permissions (None is no permission).

    >>> stronger("READ", "EDIT"), stronger(None, "READ"), stronger(None, None)
    ('EDIT', 'READ', None)
    """
    if a is None:
        return b
    if b is None:
        return a
    return a if PERMISSIONS.index(a) >= PERMISSIONS.index(b) else b


class PermissionStore(ABC):
    """Owners and grants: abstract methods every tracking store has."""

    @abstractmethod
    def get_permissions(self, resource_kind: str, resource_id: str) -> dict[str, Any]:
        """``{"owner": name or None, "grants": [{"principal_kind", "principal",
        "permission"}, ...]}`` of one resource, grants ordered by kind and name.
        ResourceNotFoundError if the resource does not exist; InvalidParameterError for an
        unknown kind."""

    @abstractmethod
    def set_owner(self, resource_kind: str, resource_id: str, owner: str | None) -> None:
        """Make ``owner`` (a user name; None: nobody, so admins only) the resource's owner.
        ResourceNotFoundError if it does not exist."""

    @abstractmethod
    def set_permission(
        self,
        resource_kind: str,
        resource_id: str,
        principal_kind: str,
        principal: str,
        permission: str,
    ) -> None:
        """Grant ``permission`` on the resource to a user or group (replacing the grant it
        had). ResourceNotFoundError if the resource does not exist; InvalidParameterError for
        an unknown kind or permission or an empty name."""

    @abstractmethod
    def delete_permission(
        self, resource_kind: str, resource_id: str, principal_kind: str, principal: str
    ) -> None:
        """Remove a grant. ResourceNotFoundError if there is no such grant."""

    @abstractmethod
    def access(
        self, resource_kind: str, resource_ids: Sequence[str], user: str, groups: Sequence[str]
    ) -> dict[str, tuple[str | None, str | None]]:
        """For each existing resource of ``resource_ids``: ``(owner, permission)``, the
        permission being the strongest of the user's grants and their groups' (``"*"`` is
        always one of them), MANAGE for the owner, None for none. Unknown ids are left out."""

    @abstractmethod
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
        """:meth:`~labtrack.store.contract.TrackingStore.search_experiments` limited (in the
        query) to the experiments ``user`` owns or has a grant on, directly or through
        ``groups``; ``others_only`` leaves out those ``user`` owns ("shared with me")."""

    @abstractmethod
    def search_readable_registered_models(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """:meth:`~labtrack.store.contract.TrackingStore.search_registered_models` limited
        (in the query) to the models ``user`` owns or has a grant on."""

    @abstractmethod
    def search_readable_model_versions(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = 10_000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """:meth:`~labtrack.store.contract.TrackingStore.search_model_versions` limited (in
        the query) to versions of the models ``user`` may read."""

    @abstractmethod
    def experiments_of(self, kind: str, ids: Sequence[str]) -> dict[str, str]:
        """The experiment id each run (``kind="run"``) or logged model (``"logged_model"``)
        belongs to; unknown ids are left out."""

    @abstractmethod
    def whoami(self) -> dict[str, Any]:
        """Who the store serves, as permissions see them: ``{"name", "groups", "admin",
        "permissions_enabled"}``. A database store checks nothing (its process's user, every
        permission); the team service answers for the caller of each request, so a JupyterLab
        whose store is that service (an ``http(s)://`` tracking URI) learns who it is there."""
