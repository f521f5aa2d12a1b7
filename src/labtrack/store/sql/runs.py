"""Runs in the SQL store: create, read, update, delete and restore, batches of data, search.

Creating, reading, ending a run and logging a batch into it are what a sweep repeats tens of
thousands of times: they run as plain SQL on the driver's cursor, a few statements each
(:mod:`.driver`). Search builds its query with SQLAlchemy (the filter language compiles to it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, select

from labtrack.entities import (
    LifecycleStage,
    Metric,
    PagedList,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
    status_name,
)
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from labtrack.store.contract import MetricPoint, RunEnd, RunTable
from labtrack.store.sql import tables
from labtrack.store.sql.database import (
    Database,
    Page,
    check_max_results,
    driver_cursor,
    driver_rows,
    now_ms,
)
from labtrack.store.sql.driver import Cursor, in_list
from labtrack.store.sql.experiments import experiment_key, experiment_keys, experiment_not_found
from labtrack.store.sql.metric_writes import touch_runs, write_metric_points
from labtrack.store.sql.run_data import (
    RUN_COLUMNS,
    build_runs,
    many_runs,
    read_run,
    read_run_columns,
    run_info,
    run_not_found,
    write_params,
    write_tags,
)
from labtrack.store.sql.run_names import generate_run_name
from labtrack.utils import gc, validation
from labtrack.utils.mlflow_tags import RUN_NAME

T = TypeVar("T")


def _writable_run(cursor: Cursor, run_id: str) -> None:
    """Refuse data for a deleted run, and only for one (MLflow's ``_check_run_is_active``).

    A finished, failed or killed run still takes params, tags and metrics, as in MLflow:
    several processes may log into one run, and the one that ends it first must not make the
    others' writes fail.
    """
    row = cursor.execute(
        "SELECT lifecycle_stage FROM runs WHERE run_uuid = ?", (run_id,)
    ).fetchone()
    if row is None:
        raise run_not_found(run_id)
    if row[0] != LifecycleStage.ACTIVE:
        raise InvalidStateError(
            f"Run {run_id} is deleted; restore it with restore_run() before logging."
        )


def metric_points(run_id: str, metrics: Sequence[Metric]) -> list[MetricPoint]:
    """Validated points of a batch; plain floats and ints skip the general checks."""
    valid_keys = validation._valid_keys
    points: list[MetricPoint] = []
    for metric in metrics:
        key, value, timestamp, step = metric.key, metric.value, metric.timestamp, metric.step
        if key not in valid_keys:
            key = validation.validate_key(key, "metric key")
        if type(value) is not float:
            value = validation.metric_value(key, value)
        if type(timestamp) is not int:
            timestamp = validation.timestamp_value(key, timestamp)
        if type(step) is not int:
            step = validation.step_value(key, step)
        points.append((run_id, key, value, timestamp, step))
    return points


def end_run(cursor: Cursor, end: RunEnd, status: str) -> None:
    """End a run inside the caller's transaction (the writer's last batch of the run), with
    the params the fluent ``log_params`` queued: one transaction for the run's last points,
    its params and its end, instead of one for the params and one for the end."""
    row = cursor.execute(
        "UPDATE runs SET status = ?, end_time = ?, heartbeat_time = NULL, "
        "last_update_time = ? WHERE run_uuid = ? RETURNING lifecycle_stage",
        (status, end.end_time, now_ms(), end.run_id),
    ).fetchone()
    if not end.params:
        return
    if row is not None and row[0] != LifecycleStage.ACTIVE:
        raise InvalidStateError(
            f"Run {end.run_id} is deleted; restore it with restore_run() before logging."
        )
    write_params(cursor, end.run_id, [Param(key, value) for key, value in end.params])


def chosen_run_id(run_id: str | None) -> str:
    """The id of a new run: the caller's (checked), else a fresh one."""
    if run_id is None:
        return uuid.uuid4().hex
    if (
        not isinstance(run_id, str)
        or len(run_id) != 32
        or not all(c in "0123456789abcdef" for c in run_id)
    ):
        raise InvalidParameterError(
            f"Invalid run_id {run_id!r} for create_run: a chosen run id is 32 lowercase hex "
            "characters (uuid.uuid4().hex); or leave it out and the store chooses one."
        )
    return run_id


def _earlier_try(cursor: Cursor, run_id: str, key: Any, start_time: int) -> Run | None:
    """The run an earlier try of this create_run made, or None if there is none; a run with
    this id that is not that (another experiment or start time) is refused."""
    row = cursor.execute(
        "SELECT experiment_id, start_time FROM runs WHERE run_uuid = ?", (run_id,)
    ).fetchone()
    if row is None:
        return None
    if row[0] != key or row[1] != start_time:
        raise ResourceAlreadyExistsError(
            f"A run with id {run_id} already exists; choose another id (uuid.uuid4().hex) or "
            "leave run_id out."
        )
    return read_run(cursor, run_id)


def _no_active_experiment(cursor: Cursor, experiment_id: str, key: int) -> Exception:
    """Why create_run found no active experiment ``key``: there is none, or it is deleted."""
    found = cursor.execute(
        "SELECT name FROM experiments WHERE experiment_id = ?", (key,)
    ).fetchone()
    if found is None:
        return experiment_not_found(experiment_id)
    return InvalidStateError(
        f"Experiment {experiment_id} ({found[0]!r}) is deleted; restore it "
        "with restore_experiment() or log into another experiment."
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
        run_id: str | None = None,
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
        chosen_id = chosen_run_id(run_id)
        key = experiment_key(experiment_id)

        def work(cursor: Cursor) -> Run:
            if run_id is not None:
                earlier = _earlier_try(cursor, chosen_id, key, start_time)
                if earlier is not None:
                    return earlier
            chosen = run_name or generate_run_name()
            all_tags = [tag for tag in tags if tag.key != RUN_NAME] + [RunTag(RUN_NAME, chosen)]
            # One statement checks the experiment and inserts the run (its artifact URI made
            # from the experiment's location): a statement less per run than reading the
            # experiment first. The experiment is read only to say why nothing was inserted.
            row = cursor.execute(
                f"INSERT INTO runs ({RUN_COLUMNS}, last_update_time) "
                "SELECT ?, ?, experiment_id, ?, ?, ?, NULL, lifecycle_stage, "
                "rtrim(artifact_location, '/') || ?, ? FROM experiments "
                "WHERE experiment_id = ? AND lifecycle_stage = ? RETURNING artifact_uri",
                (
                    chosen_id,
                    chosen,
                    user_id,
                    "RUNNING",
                    start_time,
                    f"/{chosen_id}/artifacts",
                    now_ms(),
                    key,
                    LifecycleStage.ACTIVE,
                ),
            ).fetchone()
            if row is None:
                raise _no_active_experiment(cursor, experiment_id, key)
            info = RunInfo(
                run_id=chosen_id,
                experiment_id=str(key),
                run_name=chosen,
                user_id=user_id or "",
                status="RUNNING",
                start_time=start_time,
                end_time=None,
                lifecycle_stage=LifecycleStage.ACTIVE,
                artifact_uri=row[0],
            )
            stored = [RunTag(tag.key, str(tag.value)) for tag in all_tags]
            write_tags(cursor, chosen_id, stored)
            return Run(info, RunData(tags={tag.key: tag.value for tag in stored}))

        return self.database.write_cursor(work)

    def get_run(self, run_id: str) -> Run:
        return self.database.read_cursor(lambda cursor: read_run(cursor, run_id))

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
            ended = RunStatus.is_terminated(status)
            values["end_time"] = (end_time or now_ms()) if ended else None
            if ended:
                values["heartbeat_time"] = None  # nothing beats for it any more
        elif end_time is not None:
            values["end_time"] = end_time
        if run_name is not None:
            values["name"] = validation.run_name(run_name)
        run_id = validation.run_id(run_id)

        def work(cursor: Cursor) -> RunInfo:
            if not values:
                row = cursor.execute(
                    f"SELECT {RUN_COLUMNS} FROM runs WHERE run_uuid = ?", (run_id,)
                ).fetchone()
            else:
                sets = ", ".join(f"{column} = ?" for column in values)
                row = cursor.execute(
                    f"UPDATE runs SET {sets}, last_update_time = ? WHERE run_uuid = ? "
                    f"RETURNING {RUN_COLUMNS}",
                    (*values.values(), now_ms(), run_id),
                ).fetchone()
            if row is None:
                raise run_not_found(run_id)
            if run_name is not None:
                write_tags(cursor, run_id, [RunTag(RUN_NAME, run_name)])
            return run_info(row)

        return self.database.write_cursor(work)

    def _set_stage(self, run_id: str, stage: str) -> None:
        run_id = validation.run_id(run_id)
        now = now_ms()
        deleted_time = now if stage == LifecycleStage.DELETED else None

        def work(cursor: Cursor) -> None:
            cursor.execute(
                "UPDATE runs SET lifecycle_stage = ?, deleted_time = ?, last_update_time = ? "
                "WHERE run_uuid = ?",
                (stage, deleted_time, now, run_id),
            )
            if cursor.rowcount == 0:
                raise run_not_found(run_id)

        self.database.write_cursor(work)

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
        del allow_terminated  # finished runs take data, as in MLflow (see _writable_run)
        validation.batch_sizes(len(metrics), len(params), len(tags))
        run_id = validation.run_id(run_id)
        points = metric_points(run_id, metrics)
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
        names = [tag.value for tag in tags if tag.key == RUN_NAME]

        def work(cursor: Cursor) -> None:
            _writable_run(cursor, run_id)
            write_params(cursor, run_id, params)
            write_tags(cursor, run_id, tags)
            write_metric_points(cursor, points, touch=False)
            touch_runs(cursor, [run_id], name=names[-1] if names else None)

        self.database.write_cursor(work)

    def delete_tag(self, run_id: str, key: str) -> None:
        run_id = validation.run_id(run_id)

        def work(cursor: Cursor) -> None:
            _writable_run(cursor, run_id)
            cursor.execute("DELETE FROM tags WHERE run_uuid = ? AND key = ?", (run_id, key))
            if not cursor.rowcount:
                raise ResourceNotFoundError(
                    f"Run {run_id} has no tag {key!r}; its tags are listed in "
                    "get_run(run_id).data.tags."
                )
            touch_runs(cursor, [run_id])

        self.database.write_cursor(work)

    def heartbeat_runs(self, run_ids: Sequence[str]) -> list[str]:
        ids = sorted({validation.run_id(run_id) for run_id in run_ids})
        if not ids:
            return []

        def work(cursor: Cursor) -> list[str]:
            # last_update_time stays: a heartbeat is no change the sidebar should fetch.
            rows = cursor.execute(
                f"UPDATE runs SET heartbeat_time = ? WHERE run_uuid IN ({in_list(len(ids))}) "
                "AND status = ? RETURNING run_uuid",
                (now_ms(), *ids, "RUNNING"),
            ).fetchall()
            return sorted(row[0] for row in rows)

        return self.database.write_cursor(work)

    def _search_query(
        self,
        connection: Connection,
        experiment_ids: Sequence[str],
        filter_string: str,
        run_view_type: int,
        order_by: Sequence[str] | None,
        columns: Sequence[Any] = (),
        first_rows: int = 0,
    ) -> Select[Any]:
        """The search as a query over ``runs`` (all columns, or ``columns``), ordered.

        ``first_rows``: only that many first rows will be read (a page); over many runs,
        ordered by a metric, the query is then narrowed to the runs that can be among them
        (:mod:`.search_page`).
        """
        # lazy: loaded on the first search, so a process that only logs never loads the
        # filter language (13-38 ms of a cold start).
        from labtrack.store import search_filter
        from labtrack.store.sql import filter_driver, filter_sql, search_page

        runs = tables.runs
        keys = experiment_keys(experiment_ids)
        stages = ViewType.stages(run_view_type)
        node = search_filter.parse_filter(filter_string)
        order_keys = search_filter.parse_order_by(order_by)
        by_metric = bool(first_rows and order_keys and order_keys[0].entity == "metric")
        many = (node is not None or by_metric) and many_runs(connection, keys)
        cut = None
        if many and by_metric:
            cut = search_page.metric_cut(connection, keys, stages, node, order_keys, first_rows)
        # Narrowed to a cut, the few runs left are probed per clause; otherwise, over many
        # runs, each clause is a set.
        membership = node is not None and many and cut is None
        driven = filter_driver.driven_filter(connection, node) if membership else None
        query = select(*columns) if columns else select(runs)
        if driven is not None:  # from the narrowest clause's rows (:mod:`.filter_driver`)
            query = query.select_from(driven.joined)
        query = query.where(
            runs.c.experiment_id.in_(keys),
            runs.c.lifecycle_stage.in_(stages),
            driven.condition if driven else filter_sql.where_clause(node, membership=membership),
        )
        if cut is not None:
            query = query.where(cut)
        return filter_sql.apply_order(query, order_keys)

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str,
        run_view_type: int,
        max_results: int,
        order_by: Sequence[str] | None,
        page_token: str | None,
    ) -> PagedList[Run]:
        page = Page(max_results, page_token)
        self.database.refresh_statistics()

        def work(connection: Connection) -> PagedList[Run]:
            query = self._search_query(
                connection,
                experiment_ids,
                filter_string,
                run_view_type,
                order_by,
                first_rows=page.offset + page.max_results + 1,
            )
            return page.fetch(connection, query, build_runs)

        with gc.paused():  # a page of 100,000 runs is millions of objects (see gc.paused)
            return self.database.read(work)

    def search_run_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str,
        run_view_type: int,
        max_results: int,
        order_by: Sequence[str] | None,
    ) -> RunTable:
        def read(cursor: Cursor, rows: list[Any]) -> RunTable:
            return {"runs": rows, **read_run_columns(cursor, rows)}

        search = (experiment_ids, filter_string, run_view_type, max_results, order_by)
        return self.search_table(*search, read)

    def search_table(
        self,
        experiment_ids: Sequence[str],
        filter_string: str,
        run_view_type: int,
        max_results: int,
        order_by: Sequence[str] | None,
        read: Callable[[Cursor, list[Any]], T],
    ) -> T:
        """``read(cursor, rows)`` of the search's ``RUN_COLUMNS`` rows, in one transaction
        (``read`` adds their data: as rows, or one column per key, :mod:`.search_columns`)."""
        runs = tables.runs
        wanted = [getattr(runs.c, name) for name in RUN_COLUMNS.split(", ")]
        limit = check_max_results(max_results)
        self.database.refresh_statistics()

        def work(connection: Connection) -> T:
            query = self._search_query(
                connection, experiment_ids, filter_string, run_view_type, order_by, wanted
            )
            return read(driver_cursor(connection), driver_rows(connection, query.limit(limit)))

        with gc.paused():  # hundreds of thousands of rows, made at once and kept
            return self.database.read(work)
