"""Experiment routes: list, create, read, rename, delete, restore; a notebook's experiment."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.entities import ViewType
from labtrack.errors import InvalidParameterError
from labtrack.notebook.experiment import ensure_notebook_experiment, find_notebook_experiment
from labtrack.notebook.identity import NotebookInfo
from labtrack.server.base import LabtrackHandler
from labtrack.server.permissions_routes import annotate
from labtrack.server.serialize import experiment_json
from labtrack.store.contract_permissions import EVERYONE
from labtrack.utils import validation

KEY = "experiment_id"
VIEWS = {"active": ViewType.ACTIVE_ONLY, "deleted": ViewType.DELETED_ONLY, "all": ViewType.ALL}


def view_arg(handler: LabtrackHandler) -> int:
    view = handler.arg("view", "active") or "active"
    if view not in VIEWS:
        raise InvalidParameterError(f"view must be one of {', '.join(VIEWS)}; got {view!r}.")
    return VIEWS[view]


async def reply(handler: LabtrackHandler, experiment_id: str, status: int = 200) -> None:
    """Send the experiment as JSON, with its owner and the caller's permission."""
    exp = await handler.call(handler.client.get_experiment, experiment_id)
    (item,) = await annotate(handler, "experiment", [experiment_json(exp)], KEY)
    handler.write_json(item, status)


class ExperimentsHandler(LabtrackHandler):
    """``GET experiments`` (search) and ``POST experiments`` (create)."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        shared = self.arg("shared_with_me", "false")
        if shared not in ("true", "false"):
            raise InvalidParameterError(f"shared_with_me must be true or false; got {shared!r}.")
        args = (
            view_arg(self),
            self.int_arg("max_results", 1000, 1, 10_000),
            self.arg("filter") or None,
            self.list_arg("order_by") or None,
            self.arg("page_token") or None,
        )
        store = self.client.store
        if shared == "true":  # owned by others, readable by the caller
            caller = self.caller
            groups = sorted(caller.groups | {EVERYONE})
            page = await self.call(
                store.search_readable_experiments, caller.name, groups, *args, others_only=True
            )
        else:
            page = await self.call(store.search_experiments, *args)
        items = await annotate(self, "experiment", [experiment_json(e) for e in page], KEY)
        self.write_json({"experiments": items, "next_page_token": page.token})

    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.read_json()
        eid = await self.call(
            self.client.create_experiment, body.get("name"), None, self.tags_arg(body)
        )
        await reply(self, eid, 201)


class ExperimentHandler(LabtrackHandler):
    """``GET|PATCH|DELETE experiments/{id}``."""

    @web.authenticated
    @authorized
    async def get(self, experiment_id: str) -> None:
        await reply(self, experiment_id)

    @web.authenticated
    @authorized
    async def patch(self, experiment_id: str) -> None:
        body = self.read_json()
        # Checked before anything is written; the rename, the one edit that can still be
        # refused (409: the name is taken), goes first.
        tags = self.tags_arg(body)
        if "name" in body:
            validation.experiment_name(body["name"])
        await self.call(self.client.get_experiment, experiment_id)
        if "name" in body:
            await self.call(self.client.rename_experiment, experiment_id, body["name"])
        for key, value in tags.items():
            await self.call(self.client.set_experiment_tag, experiment_id, key, value)
        await reply(self, experiment_id)

    @web.authenticated
    @authorized
    async def delete(self, experiment_id: str) -> None:
        await self.call(self.client.delete_experiment, experiment_id)
        self.set_status(204)
        self.finish()


class ExperimentRestoreHandler(LabtrackHandler):
    """``POST experiments/{id}/restore``."""

    @web.authenticated
    @authorized
    async def post(self, experiment_id: str) -> None:
        await self.call(self.client.restore_experiment, experiment_id)
        self.set_status(204)
        self.finish()


class NotebookExperimentHandler(LabtrackHandler):
    """``GET notebook-experiment?path=&notebook_id=``: the notebook's experiment, or null.

    ``POST`` with ``{"path", "notebook_id"}`` creates it (runs create it on their own too).
    """

    def _info(self, path: str | None, notebook_id: str | None):  # type: ignore[no-untyped-def]

        if not path or not isinstance(path, str):
            raise InvalidParameterError("Give the notebook's path: ?path=sub/demo.ipynb")
        if notebook_id is not None and not isinstance(notebook_id, str):
            raise InvalidParameterError("notebook_id must be a string (the notebook's id).")
        return NotebookInfo(path.lstrip("/"), None, notebook_id or None, "frontend", None)

    async def _reply(self, info, experiment) -> None:  # type: ignore[no-untyped-def]
        items = (
            await annotate(self, "experiment", [experiment_json(experiment)], KEY)
            if experiment
            else [None]
        )
        self.write_json(
            {
                "experiment": items[0],
                "notebook_path": info.path,
                "notebook_id": info.notebook_id,
            }
        )

    @web.authenticated
    @authorized
    async def get(self) -> None:

        info = self._info(self.arg("path"), self.arg("notebook_id"))
        eid = await self.call(find_notebook_experiment, self.client, info)
        exp = await self.call(self.client.get_experiment, eid) if eid is not None else None
        await self._reply(info, exp)

    @web.authenticated
    @authorized
    async def post(self) -> None:

        body = self.read_json()
        info = self._info(body.get("path"), body.get("notebook_id"))
        eid = await self.call(ensure_notebook_experiment, self.client, info)
        await self._reply(info, await self.call(self.client.get_experiment, eid))
