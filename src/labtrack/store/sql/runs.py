"""Runs in the SQL store: create, read, update, delete and restore, batches of data, search."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from labtrack.entities import (
    LifecycleStage,
    Metric,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
    status_name,
)
from labtrack.errors import InvalidParameterError, InvalidStateError, ResourceNotFoundError
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, Page, now_ms
from labtrack.store.sql.experiments import experiment_keys, experiment_row
from labtrack.store.sql.metrics import write_metric_points
from labtrack.store.sql.run_data import (
    build_runs,
    run_info,
    run_row,
    touch_runs,
    write_params,
    write_tags,
)
from labtrack.store.sql.run_names import generate_run_name
from labtrack.utils import validation
from labtrack.utils.mlflow_tags import RUN_NAME


def _check_writable(row: Row[Any], allow_terminated: bool) -> None:
    if row.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidStateError(
            f"Run {row.run_uuid} is deleted; restore it with restore_run() before logging."
        )
    if not allow_terminated and RunStatus.is_terminated(row.status):
        raise InvalidStateError(
            f"Run {row.run_uuid} is {row.status}; it takes no more data. Resume it with "
            f"start_run(run_id={row.run_uuid!r}) to log into it, or start a new run."
        )


class RunRepository:
    """Runs, their params and tags, and batches of data logged into them."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> Run:
        tags = list(tags)
        tag_names = [tag.value for tag in tags if tag.key == RUN_NAME]
        if run_name is None and tag_names:
            run_name = tag_names[-1]
        if run_name is not None:
            validation.run_name(run_name)
            if tag_names and tag_names[-1] != run_name:
                raise InvalidParameterError(
                    f"run_name {run_name!r} and the {RUN_NAME} tag {tag_names[-1]!r} "
                    "differ; give one of them."
                )
        for tag in tags:
            validation.validate_key(tag.key, "tag key")
            validation.tag_value(tag.key, tag.value)
        run_id = uuid.uuid4().hex

        def work(connection: Connection) -> Run:
            experiment = experiment_row(connection, experiment_id)
            if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
                raise InvalidStateError(
                    f"Experiment {experiment_id} ({experiment.name!r}) is deleted; restore it "
                    "with restore_experiment() or log into another experiment."
                )
            name = run_name or generate_run_name()
            all_tags = [tag for tag in tags if tag.key != RUN_NAME] + [RunTag(RUN_NAME, name)]
            artifact_location = experiment.artifact_location.rstrip("/")
            connection.execute(
                tables.runs.insert().values(
                    run_uuid=run_id,
                    name=name,
                    experiment_id=experiment.experiment_id,
                    user_id=user_id,
                    status="RUNNING",
                    start_time=start_time,
                    end_time=None,
                    lifecycle_stage=LifecycleStage.ACTIVE,
                    artifact_uri=f"{artifact_location}/{run_id}/artifacts",
                    last_update_time=now_ms(),
                )
            )
            write_tags(connection, run_id, [RunTag(tag.key, str(tag.value)) for tag in all_tags])
            return build_runs(connection, [run_row(connection, run_id)])[0]

        return self.database.write(work)

    def get_run(self, run_id: str) -> Run:
        return self.database.read(
            lambda connection: build_runs(connection, [run_row(connection, run_id)])[0]
        )

    def update_run_info(
        self,
        run_id: str,
        run_status: str | None,
        end_time: int | None,
        run_name: str | None,
    ) -> RunInfo:
        values: dict[str, object] = {}
        if run_status is not None:
            status = status_name(run_status)
            values["status"] = status
            values["end_time"] = (end_time or now_ms()) if RunStatus.is_terminated(status) else None
        elif end_time is not None:
            values["end_time"] = end_time
        if run_name is not None:
            values["name"] = validation.run_name(run_name)

        def work(connection: Connection) -> RunInfo:
            row = run_row(connection, run_id)
            if values:
                touch_runs(connection, [row.run_uuid], **values)
            if run_name is not None:
                write_tags(connection, row.run_uuid, [RunTag(RUN_NAME, run_name)])
            return run_info(run_row(connection, run_id))

        return self.database.write(work)

    def _set_stage(self, run_id: str, stage: str) -> None:
        def work(connection: Connection) -> None:
            row = run_row(connection, run_id)
            deleted_time = now_ms() if stage == LifecycleStage.DELETED else None
            touch_runs(connection, [row.run_uuid], lifecycle_stage=stage, deleted_time=deleted_time)

        self.database.write(work)

    def delete_run(self, run_id: str) -> None:
        self._set_stage(run_id, LifecycleStage.DELETED)

    def restore_run(self, run_id: str) -> None:
        self._set_stage(run_id, LifecycleStage.ACTIVE)

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric],
        params: Sequence[Param],
        tags: Sequence[RunTag],
        allow_terminated: bool,
    ) -> None:
        validation.batch_sizes(len(metrics), len(params), len(tags))
        points = [
            (
                run_id,
                validation.validate_key(metric.key, "metric key"),
                validation.metric_value(metric.key, metric.value),
                validation.timestamp_value(metric.key, metric.timestamp),
                validation.step_value(metric.key, metric.step),
            )
            for metric in metrics
        ]
        params = [
            Param(
                validation.validate_key(param.key, "param key"),
                validation.param_value(param.key, param.value),
            )
            for param in params
        ]
        tags = [
            RunTag(
                validation.validate_key(tag.key, "tag key"),
                validation.tag_value(tag.key, tag.value),
            )
            for tag in tags
        ]

        def work(connection: Connection) -> None:
            row = run_row(connection, run_id)
            _check_writable(row, allow_terminated)
            write_params(connection, run_id, params)
            write_tags(connection, run_id, tags)
            names = [tag.value for tag in tags if tag.key == RUN_NAME]
            write_metric_points(connection, points)
            if names:
                touch_runs(connection, [run_id], name=names[-1])
            else:
                touch_runs(connection, [run_id])

        self.database.write(work)

    def delete_tag(self, run_id: str, key: str) -> None:
        run_tags = tables.tags

        def work(connection: Connection) -> None:
            row = run_row(connection, run_id)
            _check_writable(row, allow_terminated=True)
            deleted = connection.execute(
                run_tags.delete().where(run_tags.c.run_uuid == row.run_uuid, run_tags.c.key == key)
            ).rowcount
            if not deleted:
                raise ResourceNotFoundError(
                    f"Run {run_id} has no tag {key!r}; its tags are listed in "
                    "get_run(run_id).data.tags."
                )
            touch_runs(connection, [run_id])

        self.database.write(work)

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str,
        run_view_type: int,
        max_results: int,
        order_by: Sequence[str] | None,
        page_token: str | None,
    ) -> PagedList[Run]:
        # lazy: loaded on the first search, so a process that only logs never loads the
        # filter language (13-38 ms of a cold start).
        from labtrack.store import search_filter
        from labtrack.store.sql import filter_sql

        runs = tables.runs
        page = Page(max_results, page_token)
        query = select(runs).where(
            runs.c.experiment_id.in_(experiment_keys(experiment_ids)),
            runs.c.lifecycle_stage.in_(ViewType.stages(run_view_type)),
            filter_sql.where_clause(search_filter.parse_filter(filter_string)),
        )
        query = filter_sql.apply_order(query, search_filter.parse_order_by(order_by))
        return self.database.read_page(page, query, build_runs)
