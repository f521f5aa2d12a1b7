"""Logged models (MLflow 3) in the SQL store: create, read, finalize, delete, tags, params,
linked metric points, search.

A logged model's files live under ``<experiment artifact location>/models/<model_id>/artifacts``
(MLflow's layout); the store records where and never moves them. Deleting a model marks it
deleted (as MLflow does) and keeps its files.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update

from labtrack.entities import LifecycleStage, Metric, PagedList
from labtrack.entities.logged_model import (
    LoggedModel,
    LoggedModelParameter,
    LoggedModelStatus,
    LoggedModelTag,
    is_model_id,
)
from labtrack.errors import InvalidParameterError, InvalidStateError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, Page, now_ms, upsert_into
from labtrack.store.sql.experiments import experiment_keys, experiment_row
from labtrack.store.sql.run_data import metric_value
from labtrack.store.sql.run_names import generate_run_name
from labtrack.utils import validation

_CHUNK = 500  # ids per IN (...) list, below every database's bound-parameter limit
_BAD_NAME_CHARS = ("/", ":", ".", "%", '"', "'")
MAX_NAME_LENGTH = 500
MAX_PARAM_VALUE = 6000


def check_model_id(model_id: Any) -> str:
    """``model_id`` if it has a logged model id's shape (``m-`` + 32 hex), else a clear error."""
    if not isinstance(model_id, str) or not is_model_id(model_id):
        raise InvalidParameterError(
            f"Invalid logged model id {model_id!r}: ids look like m-<32 hex digits> "
            "(ModelInfo.model_id, or search_logged_models())."
        )
    return model_id


def check_model_name(name: Any) -> str:
    """MLflow's rule: a non-empty name without ``/ : . % " '``."""
    if not isinstance(name, str) or not name or any(c in name for c in _BAD_NAME_CHARS):
        raise InvalidParameterError(
            f"Invalid model name {name!r}: give a non-empty name without any of "
            f"{' '.join(_BAD_NAME_CHARS)} (for example name='model')."
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidParameterError(f"Model names are at most {MAX_NAME_LENGTH} characters.")
    return name


def _pairs(items: Sequence[Any] | Mapping[str, Any] | None, what: str) -> list[tuple[str, str]]:
    """(key, value) of tags or params given as entities or a dict, with keys checked."""
    if items is None:
        return []
    found = items.items() if isinstance(items, Mapping) else ((i.key, i.value) for i in items)
    out = {}
    for key, value in found:
        validation.validate_key(key, f"logged model {what} key")
        text = "" if value is None else str(value)
        if len(text) > MAX_PARAM_VALUE and what == "param":
            raise InvalidParameterError(
                f"Param {key!r} of the logged model is {len(text)} characters; at most "
                f"{MAX_PARAM_VALUE} are kept. Save long values as an artifact instead."
            )
        out[key] = text
    return list(out.items())


def model_row(connection: Connection, model_id: str, allow_deleted: bool = False) -> Row[Any]:
    """The logged model's row; ResourceNotFoundError if there is none (or it is deleted)."""
    models = tables.logged_models
    query = select(models).where(models.c.model_id == check_model_id(model_id))
    row = connection.execute(query).first()
    if row is None or (not allow_deleted and row.lifecycle_stage == LifecycleStage.DELETED):
        raise ResourceNotFoundError(
            f"Logged model with ID {model_id!r} not found. Find logged models with "
            "search_logged_models()."
        )
    return row


def build_models(connection: Connection, rows: Sequence[Row[Any]]) -> list[LoggedModel]:
    """Logged models (with tags, params and linked metric points) of these rows, in order."""
    ids = [row.model_id for row in rows]
    tags: dict[str, dict[str, str]] = {i: {} for i in ids}
    params: dict[str, dict[str, str]] = {i: {} for i in ids}
    metrics: dict[str, list[Metric]] = {i: [] for i in ids}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for table, into in ((tables.logged_model_tags, tags), (tables.logged_model_params, params)):
            query = select(table.c.model_id, table.c.key, table.c.value).where(
                table.c.model_id.in_(chunk)
            )
            for model_id, key, value in connection.execute(query):
                into[model_id][key] = value
        points = tables.logged_model_metrics
        query = (
            select(points)
            .where(points.c.model_id.in_(chunk))
            .order_by(points.c.key, points.c.step, points.c.timestamp)
        )
        for p in connection.execute(query):
            metrics[p.model_id].append(
                Metric(
                    p.key,
                    metric_value(p.value, p.is_nan),
                    p.timestamp,
                    p.step,
                    p.model_id,
                    p.dataset_name,
                    p.dataset_digest,
                    p.run_id,
                )
            )
    return [
        LoggedModel(
            experiment_id=str(row.experiment_id),
            model_id=row.model_id,
            name=row.name,
            artifact_location=row.artifact_location,
            creation_timestamp=row.creation_timestamp_ms,
            last_updated_timestamp=row.last_updated_timestamp_ms,
            model_type=row.model_type,
            source_run_id=row.source_run_id,
            status=LoggedModelStatus.from_int(row.status),
            status_message=row.status_message,
            tags=tags[row.model_id],
            params=params[row.model_id],
            metrics=metrics[row.model_id] or None,
        )
        for row in rows
    ]


def _upsert(
    connection: Connection, table: Any, model_id: str, pairs: list[tuple[str, str]]
) -> None:
    if not pairs:
        return
    rows = [{"model_id": model_id, "key": k, "value": v} for k, v in pairs]
    stmt = upsert_into(connection, table).values(rows)
    connection.execute(
        stmt.on_conflict_do_update(
            index_elements=["model_id", "key"], set_={"value": stmt.excluded.value}
        )
    )


def _touch(connection: Connection, model_id: str, **values: Any) -> None:
    models = tables.logged_models
    connection.execute(
        update(models)
        .where(models.c.model_id == model_id)
        .values(last_updated_timestamp_ms=now_ms(), **values)
    )


class LoggedModelRepository:
    """Logged models with their tags, params and linked metric points."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create_logged_model(
        self,
        experiment_id: str,
        name: str | None,
        source_run_id: str | None,
        tags: Sequence[LoggedModelTag] | Mapping[str, Any] | None,
        params: Sequence[LoggedModelParameter] | Mapping[str, Any] | None,
        model_type: str | None,
    ) -> LoggedModel:
        name = generate_run_name() if name is None else check_model_name(name)
        if source_run_id is not None:
            source_run_id = validation.run_id(source_run_id)
        tag_pairs, param_pairs = _pairs(tags, "tag"), _pairs(params, "param")
        model_id = f"m-{uuid.uuid4().hex}"

        def work(connection: Connection) -> LoggedModel:
            experiment = experiment_row(connection, experiment_id)
            if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
                raise InvalidStateError(
                    f"Experiment {experiment_id} is deleted; restore it before logging models "
                    "into it."
                )
            if source_run_id is not None:
                runs = tables.runs
                found = select(runs.c.run_uuid).where(runs.c.run_uuid == source_run_id)
                if connection.execute(found).first() is None:
                    raise ResourceNotFoundError(f"No run with id {source_run_id!r}.")
            now = now_ms()
            location = f"{experiment.artifact_location.rstrip('/')}/models/{model_id}/artifacts"
            connection.execute(
                tables.logged_models.insert().values(
                    model_id=model_id,
                    experiment_id=experiment.experiment_id,
                    name=name,
                    artifact_location=location,
                    creation_timestamp_ms=now,
                    last_updated_timestamp_ms=now,
                    status=LoggedModelStatus.PENDING.to_int(),
                    lifecycle_stage=LifecycleStage.ACTIVE,
                    model_type=model_type,
                    source_run_id=source_run_id,
                )
            )
            _upsert(connection, tables.logged_model_tags, model_id, tag_pairs)
            _upsert(connection, tables.logged_model_params, model_id, param_pairs)
            return build_models(connection, [model_row(connection, model_id)])[0]

        return self.database.write(work)

    def get_logged_model(self, model_id: str, allow_deleted: bool) -> LoggedModel:
        def work(connection: Connection) -> LoggedModel:
            return build_models(connection, [model_row(connection, model_id, allow_deleted)])[0]

        return self.database.read(work)

    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel:
        final = LoggedModelStatus.parse(status)

        def work(connection: Connection) -> LoggedModel:
            model_row(connection, model_id)
            _touch(connection, model_id, status=final.to_int())
            return build_models(connection, [model_row(connection, model_id)])[0]

        return self.database.write(work)

    def delete_logged_model(self, model_id: str) -> None:
        def work(connection: Connection) -> None:
            model_row(connection, model_id)
            _touch(connection, model_id, lifecycle_stage=LifecycleStage.DELETED)

        self.database.write(work)

    def set_logged_model_tags(
        self, model_id: str, tags: Sequence[LoggedModelTag] | Mapping[str, Any]
    ) -> None:
        pairs = _pairs(tags, "tag")

        def work(connection: Connection) -> None:
            model_row(connection, model_id)
            _upsert(connection, tables.logged_model_tags, model_id, pairs)
            _touch(connection, model_id)

        self.database.write(work)

    def delete_logged_model_tag(self, model_id: str, key: str) -> None:
        model_tags = tables.logged_model_tags

        def work(connection: Connection) -> None:
            model_row(connection, model_id)
            gone = connection.execute(
                delete(model_tags).where(model_tags.c.model_id == model_id, model_tags.c.key == key)
            ).rowcount
            if not gone:
                raise ResourceNotFoundError(
                    f"No tag with key {key!r} found for model with ID {model_id!r}."
                )
            _touch(connection, model_id)

        self.database.write(work)

    def log_logged_model_params(
        self, model_id: str, params: Sequence[LoggedModelParameter] | Mapping[str, Any]
    ) -> None:
        pairs = _pairs(params, "param")
        model_params = tables.logged_model_params

        def work(connection: Connection) -> None:
            model_row(connection, model_id)
            keys = [k for k, _ in pairs]
            old = dict(
                connection.execute(
                    select(model_params.c.key, model_params.c.value).where(
                        model_params.c.model_id == model_id, model_params.c.key.in_(keys)
                    )
                ).all()
            )
            changed = [k for k, v in pairs if k in old and old[k] != v]
            if changed:
                raise InvalidParameterError(
                    f"Params {changed} of logged model {model_id} are already set to other "
                    "values; a param cannot change once logged."
                )
            _upsert(connection, model_params, model_id, [(k, v) for k, v in pairs if k not in old])
            _touch(connection, model_id)

        self.database.write(work)

    def log_model_metrics(self, run_id: str, metrics: Sequence[Metric]) -> None:
        """Link these points of run ``run_id`` to their ``model_id``; repeats are kept once."""
        linked = [m for m in metrics if m.model_id is not None]
        if not linked:
            return
        rows = {}
        for m in linked:
            check_model_id(m.model_id)
            value = float(m.value)
            is_nan = math.isnan(value)
            key = (m.model_id, m.key, int(m.timestamp), int(m.step))
            rows[key] = {
                "model_id": m.model_id,
                "key": m.key,
                "timestamp": int(m.timestamp),
                "step": int(m.step),
                "value": 0.0 if is_nan else value,
                "is_nan": is_nan,
                "run_id": run_id,
                "dataset_name": m.dataset_name,
                "dataset_digest": m.dataset_digest,
            }

        def work(connection: Connection) -> None:
            models = tables.logged_models
            ids = sorted({m.model_id for m in linked if m.model_id})
            known = set(
                connection.execute(select(models.c.model_id).where(models.c.model_id.in_(ids)))
                .scalars()
                .all()
            )
            missing = [i for i in ids if i not in known]
            if missing:
                raise ResourceNotFoundError(
                    f"Logged model with ID {missing[0]!r} not found: metrics can only be linked "
                    "to a model logged in this store."
                )
            stmt = upsert_into(connection, tables.logged_model_metrics).values(list(rows.values()))
            connection.execute(stmt.on_conflict_do_nothing())

        self.database.write(work)

    def search_logged_models(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None,
        datasets: Sequence[Mapping[str, Any]] | None,
        max_results: int,
        order_by: Sequence[Any] | None,
        page_token: str | None,
    ) -> PagedList[LoggedModel]:
        # lazy: the filter language loads on the first search, not with the store.
        from labtrack.store.sql import logged_model_search as search

        if isinstance(experiment_ids, str) or not experiment_ids:
            raise InvalidParameterError(
                "experiment_ids must be a non-empty list of experiment ids, e.g. ['0']."
            )
        models = tables.logged_models
        page = Page(max_results, page_token)
        wanted = search.dataset_filters(datasets)
        query = select(models).where(
            models.c.experiment_id.in_(experiment_keys(experiment_ids)),
            models.c.lifecycle_stage == LifecycleStage.ACTIVE,
            search.where(filter_string, wanted),
        )
        query = search.order(query, order_by)
        return self.database.read_page(page, query, build_models)

    def models_of_runs(self, run_ids: Sequence[str]) -> dict[str, list[LoggedModel]]:
        """The live logged models each run produced (``source_run_id``), oldest first."""
        models = tables.logged_models
        out: dict[str, list[LoggedModel]] = {r: [] for r in run_ids}

        def work(connection: Connection) -> None:
            for start in range(0, len(run_ids), _CHUNK):
                rows = connection.execute(
                    select(models)
                    .where(
                        models.c.source_run_id.in_(run_ids[start : start + _CHUNK]),
                        models.c.lifecycle_stage == LifecycleStage.ACTIVE,
                    )
                    .order_by(models.c.creation_timestamp_ms, models.c.model_id)
                ).all()
                for model in build_models(connection, rows):
                    out[model.source_run_id or ""].append(model)

        self.database.read(work)
        return out
