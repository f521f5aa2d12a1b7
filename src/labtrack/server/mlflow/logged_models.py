"""MLflow 3's logged models over MLflow's protocol (``logged-models/...`` and ``runs/outputs``).

What a real MLflow 3 client does with them: ``mlflow.sklearn.log_model(model, name="m")``
creates a PENDING logged model (``POST logged-models``), records it as the run's output
(``runs/outputs``), links the run's metrics of that step to it (``runs/log-batch`` with
``model_id``: :func:`log_linked_batch`), uploads its files through the artifact proxy to the
model's ``artifact_uri`` and finalizes it (``PATCH logged-models/<id>``);
``mlflow.search_logged_models``, ``get_logged_model`` and ``load_model("models:/<id>")`` read
it back. Routes, fields and answers are those of MLflow's ``service.proto`` and server.
"""

from __future__ import annotations

import math
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.entities import Metric, Param, RunTag
from labtrack.entities.logged_model import (
    LoggedModelOutput,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
)
from labtrack.errors import InvalidParameterError
from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import DeleteRpc, GetRpc, MlflowHandler, PostRpc, Rpc
from labtrack.server.mlflow.experiments import positive
from labtrack.server.mlflow.fields import Fields
from labtrack.server.mlflow.model_messages import STATUS_NAMES, logged_model, parse_status
from labtrack.server.run_details import stream_artifact
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts.paths import safe_artifact_path
from labtrack.store.contract import TrackingStore

__all__ = [
    "CreateLoggedModelHandler",
    "DeleteLoggedModelTagHandler",
    "LogLoggedModelParamsHandler",
    "LogOutputsHandler",
    "LoggedModelArtifactFileHandler",
    "LoggedModelArtifactListHandler",
    "LoggedModelHandler",
    "LoggedModelTagsHandler",
    "SearchLoggedModelsHandler",
    "has_model_links",
    "log_linked_batch",
]

SEARCH_LIMIT = 100_000  # what the store accepts; MLflow's server passes max_results through


def _status(fields: Fields) -> LoggedModelStatus:
    """``status`` by its proto name (``LOGGED_MODEL_READY``) or number, as clients send it."""
    value = fields.raw("status")
    if value is None:
        raise InvalidParameterError(
            "Missing value for required parameter 'status': give LOGGED_MODEL_READY or "
            "LOGGED_MODEL_UPLOAD_FAILED."
        )
    if isinstance(value, str) and value in STATUS_NAMES:
        return parse_status(value)
    number = fields.int64("status") if not isinstance(value, str) or value.isdigit() else None
    if number is not None and 0 <= number < len(STATUS_NAMES):
        return LoggedModelStatus.from_int(number)
    raise InvalidParameterError(
        f"Invalid value {value!r} for parameter 'status': expected one of "
        + ", ".join(STATUS_NAMES)
        + "."
    )


class ModelRpc(Rpc):
    """An RPC on one logged model: ``model_id`` comes from the path."""

    @property
    def model_id(self) -> str:
        return str(self.path_kwargs["model_id"])


class CreateLoggedModelHandler(PostRpc):
    """``POST logged-models``: a new PENDING model of an experiment (``{"model"}``)."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        model = await self.call(
            self.client.store.create_logged_model,
            fields.required_string("experiment_id"),
            name=fields.string("name") or None,
            source_run_id=fields.string("source_run_id") or None,
            tags=[LoggedModelTag(k, v) for k, v in fields.key_values("tags")] or None,
            params=[LoggedModelParameter(k, v) for k, v in fields.key_values("params")] or None,
            model_type=fields.string("model_type") or None,
        )
        return {"model": logged_model(model, self.uris)}


class LoggedModelHandler(ModelRpc):
    """``logged-models/<id>``: ``GET`` reads (``?allow_deleted=true`` also a deleted one),
    ``PATCH`` finalizes (``status``), ``DELETE`` marks it deleted."""

    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        await self._rpc()

    @web.authenticated
    @authorized
    async def patch(self, model_id: str) -> None:
        await self._rpc()

    @web.authenticated
    @authorized
    async def delete(self, model_id: str) -> None:
        await self._rpc()

    async def answer(self, fields: Fields) -> dict[str, Any] | None:
        store = self.client.store
        method = self.request.method
        if method == "DELETE":
            await self.call(store.delete_logged_model, self.model_id)
            return None
        if method == "PATCH":
            model = await self.call(store.finalize_logged_model, self.model_id, _status(fields))
        else:
            allow_deleted = fields.boolean("allow_deleted")
            model = await self.call(store.get_logged_model, self.model_id, allow_deleted)
        return {"model": logged_model(model, self.uris)}


class LoggedModelTagsHandler(ModelRpc):
    """``PATCH logged-models/<id>/tags``: set (or overwrite) tags."""

    @web.authenticated
    @authorized
    async def patch(self, model_id: str) -> None:
        await self._rpc()

    async def answer(self, fields: Fields) -> None:
        tags = [LoggedModelTag(k, v) for k, v in fields.key_values("tags")]
        await self.call(self.client.store.set_logged_model_tags, self.model_id, tags)


class DeleteLoggedModelTagHandler(DeleteRpc, ModelRpc):
    """``DELETE logged-models/<id>/tags/<key>``."""

    async def answer(self, fields: Fields) -> None:
        key = str(self.path_kwargs["tag_key"])
        await self.call(self.client.store.delete_logged_model_tag, self.model_id, key)


class LogLoggedModelParamsHandler(PostRpc, ModelRpc):
    """``POST logged-models/<id>/params``: add params (the same value again is fine)."""

    async def answer(self, fields: Fields) -> None:
        params = [LoggedModelParameter(k, v) for k, v in fields.key_values("params")]
        await self.call(self.client.store.log_logged_model_params, self.model_id, params)


def _order_by(fields: Fields) -> list[dict[str, Any]] | None:
    out = []
    for item in fields.messages("order_by"):
        out.append(
            {
                "field_name": item.required_string("field_name"),
                "ascending": item.boolean("ascending", default=True),
                "dataset_name": item.string("dataset_name") or None,
                "dataset_digest": item.string("dataset_digest") or None,
            }
        )
    return out or None


class SearchLoggedModelsHandler(PostRpc):
    """``POST logged-models/search``: a page of the experiments' live logged models."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        experiment_ids = fields.strings("experiment_ids")
        if not experiment_ids:
            raise InvalidParameterError(
                "Missing value for required parameter 'experiment_ids': give the experiments "
                "to search."
            )
        for experiment_id in experiment_ids:
            await self.call(self.client.get_experiment, experiment_id)
        max_results = fields.int64("max_results")
        datasets = [
            {
                "dataset_name": d.required_string("dataset_name"),
                "dataset_digest": d.string("dataset_digest") or None,
            }
            for d in fields.messages("datasets")
        ]
        kwargs: dict[str, Any] = {}
        if max_results:  # 0 is protobuf's "not sent": the store's default
            kwargs["max_results"] = positive("max_results", max_results, SEARCH_LIMIT)
        page = await self.call(
            self.client.store.search_logged_models,
            experiment_ids,
            filter_string=fields.string("filter") or None,
            datasets=datasets or None,
            order_by=_order_by(fields),
            page_token=fields.string("page_token") or None,
            **kwargs,
        )
        models = [logged_model(m, self.uris) for m in page]
        return messages.compact({"models": models, "next_page_token": page.token})


class LoggedModelArtifactListHandler(GetRpc, ModelRpc):
    """``GET logged-models/<id>/artifacts/directories?artifact_directory_path=``: one folder
    level of the model's files, paths relative to the model's ``root_uri``."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        path = safe_artifact_path(fields.string("artifact_directory_path") or "") or None
        model = await self.call(self.client.store.get_logged_model, self.model_id)
        files = await self.call(self.client.list_logged_model_artifacts, self.model_id, path)
        return messages.compact(
            {
                "root_uri": self.uris.to_wire(model.artifact_location),
                "files": [f.to_dict() for f in files],
            }
        )


class LoggedModelArtifactFileHandler(MlflowHandler):
    """``GET logged-models/<id>/artifacts/files?artifact_file_path=``: one of the model's
    files (what MLflow's UI reads)."""

    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        path = safe_artifact_path(self.get_query_argument("artifact_file_path", "") or "")
        if not path:
            raise InvalidParameterError(
                'Request must include the "artifact_file_path" query parameter: the file\'s '
                "path inside the model, e.g. ?artifact_file_path=MLmodel."
            )
        model = await self.call(self.client.store.get_logged_model, model_id)
        await stream_artifact(self, ArtifactRepository(model.artifact_location), path)


class LogOutputsHandler(PostRpc):
    """``POST runs/outputs``: the logged models a run produced, each at a step."""

    async def answer(self, fields: Fields) -> None:
        run_id = fields.run_id()
        models = [
            LoggedModelOutput(m.required_string("model_id"), m.int64("step", default=0) or 0)
            for m in fields.messages("models")
        ]
        await self.call(self.client.store.log_outputs, run_id, models)


# -- metrics linked to logged models (runs/log-batch, runs/log-metric) ---------------------------
def has_model_links(raw_metrics: Any) -> bool:
    """Whether a request's ``metrics`` link any point to a logged model."""
    return isinstance(raw_metrics, list) and any(
        isinstance(m, dict) and m.get("model_id") for m in raw_metrics
    )


def linked_metrics(raw_metrics: list[Any], points: list[tuple[Any, ...]]) -> list[Metric]:
    """The checked points as Metrics, with the ``model_id`` and dataset each item sent."""
    out = []
    for item, (run_id, key, value, timestamp, step) in zip(raw_metrics, points, strict=True):
        item_fields = Fields(item)
        out.append(
            Metric(
                key,
                value,
                timestamp,
                step,
                run_id=run_id,
                model_id=item_fields.string("model_id") or None,
                dataset_name=item_fields.string("dataset_name") or None,
                dataset_digest=item_fields.string("dataset_digest") or None,
            )
        )
    return out


def _point(m: Metric) -> tuple[str, int, int, float | str]:
    value = float(m.value)
    return m.key, int(m.timestamp), int(m.step), "nan" if math.isnan(value) else value


def log_linked_batch(
    store: TrackingStore,
    run_id: str,
    metrics: list[Metric],
    params: list[Param],
    tags: list[RunTag],
) -> None:
    """``log-batch`` whose points link to logged models.

    MLflow 3's ``log_model`` re-sends the run's points of its step with the new ``model_id``
    to link them; MLflow's store skips a point its history already has. labtrack's history
    keeps every point it is given, so points already there are only linked
    (``link_metrics_to_models``) and the others are logged (and linked) as usual.
    """
    keys = {m.key for m in metrics if m.model_id}
    known = {_point(p) for key in keys for p in store.get_metric_history(run_id, key)}
    fresh = [m for m in metrics if not (m.model_id and _point(m) in known)]
    again = [m for m in metrics if m.model_id and _point(m) in known]
    if fresh or params or tags or not again:
        store.log_batch(run_id, fresh, params, tags, allow_terminated=True)
    if again:
        store.link_metrics_to_models(run_id, again)
