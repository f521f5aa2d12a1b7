"""Team mode's store methods in the REST store: owners, grants and who the caller is.

The server answers each for the user whose token the store sends (its guarded store decides),
so a JupyterLab whose store is a team service learns its user's permissions from there.
"""

# The bodies are the declarations @remote replaces.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from labtrack.entities import Experiment, PagedList
from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.store.contract import (
    MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
    REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
)
from labtrack.store.contract_permissions import PermissionStore
from labtrack.store.rest.remote import remote

__all__ = ["RemotePermissionStore"]


class RemotePermissionStore(PermissionStore):
    """The :class:`~labtrack.store.contract_permissions.PermissionStore` methods, remote."""

    @remote
    def get_permissions(self, resource_kind: str, resource_id: str) -> dict[str, Any]: ...

    @remote
    def set_owner(self, resource_kind: str, resource_id: str, owner: str | None) -> None: ...

    @remote
    def set_permission(
        self,
        resource_kind: str,
        resource_id: str,
        principal_kind: str,
        principal: str,
        permission: str,
    ) -> None: ...

    @remote
    def delete_permission(
        self, resource_kind: str, resource_id: str, principal_kind: str, principal: str
    ) -> None: ...

    @remote
    def access(
        self, resource_kind: str, resource_ids: Sequence[str], user: str, groups: Sequence[str]
    ) -> dict[str, tuple[str | None, str | None]]: ...

    @remote
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
    ) -> PagedList[Experiment]: ...

    @remote
    def search_readable_registered_models(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = REGISTERED_MODELS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]: ...

    @remote
    def search_readable_model_versions(
        self,
        user: str,
        groups: Sequence[str],
        filter_string: str | None = None,
        max_results: int = MODEL_VERSIONS_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]: ...

    @remote
    def experiments_of(self, kind: str, ids: Sequence[str]) -> dict[str, str]: ...

    @remote
    def whoami(self) -> dict[str, Any]: ...
