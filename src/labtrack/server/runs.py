"""Run routes: search (JSON and CSV), read, edit, delete, restore, live notebook versions."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.entities import Run, RunTag
from labtrack.errors import InvalidParameterError
from labtrack.notebook.capture import LIVE_TAG, REVISION_TAG, canonical
from labtrack.server.base import LabtrackHandler
from labtrack.server.experiments import view_arg
from labtrack.server.run_models import runs_models_json
from labtrack.server.runs_query import RunQuery
from labtrack.server.serialize import run_json, run_row
from labtrack.store.contract import RunKeys
from labtrack.tracking.runs_csv import iter_csv
from labtrack.utils import validation
from labtrack.utils.mlflow_tags import NOTE

CSV_MAX_RUNS = 100_000


class KeysCache:
    """The keys in use per (store, experiments), kept while their change marker stays.

    The sidebar asks for a page of runs every time the marker moves and whenever it polls;
    the keys only change with the runs, so one reading per marker serves every such page.
    """

    SIZE = 64

    def __init__(self) -> None:
        self._keys: OrderedDict[tuple[Any, ...], RunKeys] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> RunKeys | None:
        found = self._keys.get(key)
        if found is not None:
            self._keys.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], keys: RunKeys) -> None:
        self._keys[key] = keys
        while len(self._keys) > self.SIZE:
            self._keys.popitem(last=False)


KEYS = KeysCache()


class RunsHandler(LabtrackHandler):
    """``GET runs?experiment_id=&filter=&order_by=&max_results=&page_token=&columns=...``."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = RunQuery.from_handler(self, view_arg(self))
        client = self.client
        # The marker first: a change made while the page is read then shows at the next poll.
        marker = await self.call(client.store.change_marker, query.experiment_ids)
        page = await self.call(
            client.search_runs,
            query.experiment_ids,
            query.full_filter(),
            query.view,
            query.max_results,
            query.order_by or None,
            query.page_token,
        )
        cached = (client.location, tuple(query.experiment_ids), marker)
        keys = KEYS.get(cached)
        if keys is None:
            fresh: RunKeys = await self.call(client.store.list_keys, query.experiment_ids)
            KEYS.put(cached, fresh)
            keys = fresh
        await self.send_json(
            {
                "runs": [run_row(r, query.columns) for r in page],
                "next_page_token": page.token,
                "keys": keys,
                "marker": marker,
            }
        )


def _all_runs(client: Any, query: RunQuery) -> list[Run]:
    runs: list[Run] = []
    token = None
    flt = query.full_filter()
    while len(runs) < CSV_MAX_RUNS:
        page = client.search_runs(
            query.experiment_ids, flt, query.view, 10_000, query.order_by or None, token
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    return runs


class RunsCsvHandler(LabtrackHandler):
    """``GET runs.csv?...``: every matching run, MLflow's CSV columns, formula cells escaped."""

    @web.authenticated
    @authorized
    async def get(self) -> None:

        query = RunQuery.from_handler(self, view_arg(self))
        runs = await self.call(_all_runs, self.client, query)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", 'attachment; filename="runs.csv"')
        for chunk in iter_csv(runs):
            self.write(chunk)
            await self.flush()
        await self.finish()


class RunHandler(LabtrackHandler):
    """``GET|PATCH|DELETE runs/{run_id}``."""

    @web.authenticated
    @authorized
    async def get(self, run_id: str) -> None:
        run = await self.call(self.client.get_run, run_id)
        models = await self.call(runs_models_json, self.client, run)
        self.write_json({**run_json(run), "logged_models": models})

    @web.authenticated
    @authorized
    async def patch(self, run_id: str) -> None:
        body = self.read_json()
        client = self.client
        run = await self.call(client.get_run, run_id)  # 404 before anything is written
        # Everything is checked before the first write, so a refused request changes nothing.
        tags = self.tags_arg(body)
        delete = self.delete_tags_arg(body, run.data.tags)
        new_tags = [RunTag(k, "" if v is None else str(v)) for k, v in tags.items()]
        if body.get("description") is not None:
            new_tags.append(RunTag(NOTE, validation.tag_value(NOTE, body["description"])))
        if body.get("name") is not None:
            validation.run_name(body["name"])
            await self.call(client.store.update_run_info, run_id, run_name=body["name"])
        if new_tags:
            # Editing a finished run's tags and description from the UI is allowed.
            await self.call(
                client.store.log_batch,
                run_id,
                tags=new_tags,
                allow_terminated=True,
            )
        for key in delete:
            await self.call(client.delete_tag, run_id, str(key))
        self.write_json(run_json(await self.call(client.get_run, run_id)))

    @web.authenticated
    @authorized
    async def delete(self, run_id: str) -> None:
        await self.call(self.client.delete_run, run_id)
        self.set_status(204)
        self.finish()


class RunRestoreHandler(LabtrackHandler):
    """``POST runs/{run_id}/restore``."""

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        await self.call(self.client.restore_run, run_id)
        self.set_status(204)
        self.finish()


def valid_notebook(notebook: dict[str, Any]) -> None:
    """Refuse what could not be read back, shown or diffed as a notebook version (a 400)."""
    import nbformat

    if not isinstance(notebook.get("cells"), list):
        raise InvalidParameterError(
            "notebook must be an nbformat notebook (an object with a 'cells' list)."
        )
    if notebook.get("nbformat") != 4 or not isinstance(notebook.get("nbformat_minor"), int):
        raise InvalidParameterError(
            "notebook must be in nbformat 4: send 'nbformat': 4 and an integer 'nbformat_minor'."
        )
    try:
        nbformat.validate(nbformat.from_dict(notebook), version=4)  # type: ignore[no-untyped-call]
    except nbformat.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "the notebook"
        raise InvalidParameterError(
            f"notebook is not a valid nbformat 4 notebook: at {where}: {err.message}. "
            "Send the notebook as JupyterLab saves it (model.toJSON())."
        ) from None


def store_live_notebook(client: Any, run_id: str, notebook: dict[str, Any]) -> str:

    valid_notebook(notebook)
    notebook.setdefault("metadata", {}).setdefault("labtrack", {})["live"] = True
    digest = str(client.store.put_blob("notebook", canonical(notebook)))
    client.store.log_batch(
        run_id,
        tags=[RunTag(REVISION_TAG, digest), RunTag(LIVE_TAG, "true")],
        allow_terminated=True,
    )
    return digest


class RunNotebookHandler(LabtrackHandler):
    """``PUT runs/{run_id}/notebook`` ``{"path", "notebook"}``: the frontend's live model."""

    @web.authenticated
    @authorized
    async def put(self, run_id: str) -> None:
        body = self.read_json()
        notebook = body.get("notebook")
        if not isinstance(notebook, dict):
            raise InvalidParameterError("Send {'notebook': <nbformat JSON>, 'path': ...}.")
        await self.call(self.client.get_run, run_id)
        await self.call(store_live_notebook, self.client, run_id, json.loads(json.dumps(notebook)))
        self.set_status(204)
        self.finish()


class ChangesHandler(LabtrackHandler):
    """``GET changes?since=<marker>&experiment_id=``: has anything changed since the marker?"""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        ids = self.list_arg("experiment_id")
        if not ids:
            raise InvalidParameterError("Give experiment_id (one or more, comma-separated).")
        marker = await self.call(self.client.store.change_marker, ids)
        self.write_json({"marker": marker, "changed": marker != self.arg("since")})
