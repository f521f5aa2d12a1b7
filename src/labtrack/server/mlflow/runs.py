"""MLflow's run RPCs: create, get, update, delete, restore, search, and what is logged into runs
(params, tags, metrics, batches, the 2.x ``log-model`` record).

MLflow's rule for writes: a run takes data until it is deleted (a finished run too), so every
write here passes ``allow_terminated``. Metric points go through the server's group commit
(:mod:`.ingest`).
"""

from __future__ import annotations

import json
import time
from typing import Any

from labtrack.entities import Metric, Param, Run, RunStatus, RunTag
from labtrack.entities.dataset import Dataset, DatasetInput, InputTag
from labtrack.entities.logged_model import LoggedModelInput
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.server.hub_user import stamp_run_user
from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import GetRpc, PostRpc
from labtrack.server.mlflow.experiments import positive, view_type
from labtrack.server.mlflow.fields import Fields, missing
from labtrack.server.mlflow.ingest import ingest_for, metric_points
from labtrack.server.mlflow.logged_models import has_model_links, linked_metrics, log_linked_batch
from labtrack.server.permissions_store import GuardedStore, points_store
from labtrack.store.contract import MetricSummary, TrackingStore
from labtrack.utils import validation
from labtrack.utils.mlflow_tags import LOGGED_MODELS

STATUSES = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
SEARCH_RUNS_LIMIT = 50_000  # MLflow's SEARCH_MAX_RESULTS_THRESHOLD

RunWithMetrics = tuple[Run, dict[str, MetricSummary]]


def _now() -> int:
    return int(time.time() * 1000)


def with_metrics(store: TrackingStore, run: Run) -> RunWithMetrics:
    """The run and its metrics' summaries (the latest step and timestamp MLflow shows)."""
    return run, dict(store.metric_summaries(run.info.run_id)) if run.data.metrics else {}


def get_run(store: TrackingStore, run_id: str) -> RunWithMetrics:
    try:
        validation.run_id(run_id)
    except InvalidParameterError:  # MLflow answers a malformed id as an unknown one
        raise ResourceNotFoundError(f"Run with id={run_id} not found") from None
    return with_metrics(store, store.get_run(run_id))


class RunWriteRpc(PostRpc):
    """Writes into a run (MLflow's ``LogBatch`` semantics: all of it or nothing)."""

    async def log_batch(
        self, run_id: str, params: list[Param], tags: list[RunTag], raw_metrics: Any
    ) -> None:
        points = metric_points(run_id, raw_metrics)
        validation.batch_sizes(len(points), len(params), len(tags))
        validation.run_id(run_id)
        store = self.client.store
        if has_model_links(raw_metrics):  # MLflow 3: points of logged models
            linked = linked_metrics(raw_metrics, points)
            await self.call(log_linked_batch, store, run_id, linked, params, tags)
        elif params or tags:
            metrics = [Metric(p[1], p[2], p[3], p[4]) for p in points]
            await self.call(store.log_batch, run_id, metrics, params, tags, allow_terminated=True)
        elif points:
            # Team mode asks the permission store (a worker thread); otherwise this is the
            # store itself, with no thread hop.
            guarded = isinstance(store, GuardedStore)
            target = await self.call(points_store, store, [run_id]) if guarded else store
            await ingest_for(target).write(run_id, points)
        else:  # an empty batch still names a run that must exist
            await self.call(store.get_run, run_id)


class CreateRunHandler(PostRpc):
    """``POST runs/create``: ``{"run"}``, RUNNING."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        experiment_id = validation.experiment_id(fields.string("experiment_id") or "0")
        user_id, tags = stamp_run_user(
            self,
            fields.string("user_id") or "",
            [RunTag(k, v) for k, v in fields.key_values("tags")],
        )
        run = await self.call(
            self.client.store.create_run,
            experiment_id,
            user_id,
            fields.int64("start_time") or _now(),
            tags,
            fields.string("run_name") or None,
        )
        return {"run": messages.run(run, self.uris)}


class GetRunHandler(GetRpc):
    """``GET runs/get?run_id=`` (or the legacy ``run_uuid``)."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        run, summaries = await self.call(get_run, self.client.store, fields.run_id())
        return {"run": messages.run(run, self.uris, summaries)}


class UpdateRunHandler(PostRpc):
    """``POST runs/update``: status, end time and name, each only when sent."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        status = fields.enum("status", STATUSES)
        info = await self.call(
            self.client.store.update_run_info,
            fields.run_id(),
            run_status=RunStatus.from_string(status) if status else None,
            end_time=fields.int64("end_time"),
            run_name=fields.string("run_name") or None,
        )
        return {"run_info": messages.run_info(info, self.uris)}


class DeleteRunHandler(PostRpc):
    """``POST runs/delete``: mark it deleted."""

    async def answer(self, fields: Fields) -> None:
        await self.call(self.client.store.delete_run, fields.required_string("run_id"))


class RestoreRunHandler(PostRpc):
    """``POST runs/restore``."""

    async def answer(self, fields: Fields) -> None:
        await self.call(self.client.store.restore_run, fields.required_string("run_id"))


class SearchRunsHandler(PostRpc):
    """``POST runs/search``: a page of runs (at most 50,000, as MLflow allows)."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        max_results = fields.int64("max_results", default=1000)
        store = self.client.store
        query = (
            [validation.experiment_id(e) for e in fields.strings("experiment_ids")],
            fields.string("filter") or "",
            view_type(fields, "run_view_type"),
            positive("max_results", max_results, SEARCH_RUNS_LIMIT),
            fields.strings("order_by") or None,
            fields.string("page_token") or None,
        )

        page = await self.call(store.search_runs, *query)
        # The latest values' steps and timestamps, read for the whole page at once.
        steps = await self.call(store.latest_metric_steps, [r.info.run_id for r in page])
        runs = [messages.run(run, self.uris, _points(steps.get(run.info.run_id))) for run in page]
        return messages.compact({"runs": runs, "next_page_token": page.token})


def _points(steps: dict[str, tuple[int, int]] | None) -> dict[str, dict[str, object]] | None:
    if not steps:
        return None
    return {key: {"step": step, "timestamp": ts} for key, (step, ts) in steps.items()}


class LogMetricHandler(RunWriteRpc):
    """``POST runs/log-metric``: one point (step 0 unless given)."""

    async def answer(self, fields: Fields) -> None:
        point = {
            "key": fields.required_string("key"),
            "value": fields.double("value", required=True),
            "timestamp": fields.required_int64("timestamp"),
            "step": fields.int64("step", default=0),
        }
        for link in ("model_id", "dataset_name", "dataset_digest"):  # MLflow 3
            if fields.string(link):
                point[link] = fields.string(link)
        await self.log_batch(fields.run_id(), [], [], [point])


class LogParamHandler(RunWriteRpc):
    """``POST runs/log-parameter``: the same value again is fine, another one is refused."""

    async def answer(self, fields: Fields) -> None:
        key, value = fields.required_string("key"), fields.string("value")
        if value is None:
            raise missing("value")
        await self.log_batch(fields.run_id(), [Param(key, value)], [], None)


class SetTagHandler(RunWriteRpc):
    """``POST runs/set-tag``."""

    async def answer(self, fields: Fields) -> None:
        tag = RunTag(fields.required_string("key"), fields.string("value") or "")
        await self.log_batch(fields.run_id(), [], [tag], None)


class DeleteTagHandler(PostRpc):
    """``POST runs/delete-tag``."""

    async def answer(self, fields: Fields) -> None:
        run_id, key = fields.required_string("run_id"), fields.required_string("key")
        await self.call(self.client.store.delete_tag, run_id, key)


class LogBatchHandler(RunWriteRpc):
    """``POST runs/log-batch``: up to 1,000 metrics, 100 params and 100 tags, all or nothing."""

    async def answer(self, fields: Fields) -> None:
        params = [Param(k, v) for k, v in fields.key_values("params")]
        tags = [RunTag(k, v) for k, v in fields.key_values("tags")]
        await self.log_batch(fields.run_id(), params, tags, fields.raw("metrics"))


class LogInputsHandler(PostRpc):
    """``POST runs/log-inputs``: the datasets (and MLflow 3's logged models) a run used;
    ``mlflow.log_input`` and autologging's training datasets come this way."""

    async def answer(self, fields: Fields) -> None:
        run_id = fields.run_id()
        datasets = []
        for item in fields.messages("datasets"):
            raw = item.raw("dataset")
            if not isinstance(raw, dict):
                raise InvalidParameterError(
                    "Each of datasets is {dataset: {name, digest, source_type, source, ...}, "
                    "tags: [...]}: its 'dataset' object is missing."
                )
            dataset = Fields(raw)
            datasets.append(
                DatasetInput(
                    Dataset(
                        name=dataset.required_string("name"),
                        digest=dataset.required_string("digest"),
                        source_type=dataset.required_string("source_type"),
                        source=dataset.required_string("source"),
                        schema=dataset.string("schema"),
                        profile=dataset.string("profile"),
                    ),
                    [InputTag(k, v) for k, v in item.key_values("tags")],
                )
            )
        models = [
            LoggedModelInput(m.required_string("model_id")) for m in fields.messages("models")
        ]
        await self.call(self.client.store.log_inputs, run_id, datasets, models or None)


class LogModelHandler(PostRpc):
    """``POST runs/log-model`` (MLflow 2.x ``log_model``): the model joins the run's
    ``log-model.history`` tag, as MLflow's server records it."""

    async def answer(self, fields: Fields) -> None:
        run_id = fields.run_id()
        text = fields.required_string("model_json")
        try:
            model = json.loads(text)
        except ValueError as err:
            raise InvalidParameterError(f"model_json is not valid JSON: {err}.") from None
        if not isinstance(model, dict) or not isinstance(model.get("artifact_path"), str):
            raise InvalidParameterError(
                "model_json must be a JSON object with the model's 'artifact_path' and "
                "'flavors' (what MLflow's Model.to_json() writes)."
            )
        await self.call(_record_model, self.client.store, run_id, model)


_HISTORY_FIELDS = ("artifact_path", "flavors", "utc_time_created", "run_id", "model_uuid")


def _record_model(store: TrackingStore, run_id: str, model: dict[str, Any]) -> None:
    run = store.get_run(run_id)
    try:
        history = json.loads(run.data.tags.get(LOGGED_MODELS, "[]"))
    except ValueError:
        history = []
    if not isinstance(history, list):
        history = []
    entry = {k: model[k] for k in _HISTORY_FIELDS if k in model}
    history = [h for h in history if h.get("artifact_path") != entry["artifact_path"]]
    history.append(entry)
    store.log_batch(
        run_id, tags=[RunTag(LOGGED_MODELS, json.dumps(history))], allow_terminated=True
    )
