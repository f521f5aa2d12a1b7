"""The SQL tracking store (SQLite or PostgreSQL through SQLAlchemy Core)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from labtrack.entities import (
    Experiment,
    LifecycleStage,
    Metric,
    PagedList,
    Param,
    Run,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
    StoreError,
)
from labtrack.store.contract import (
    SEARCH_MAX_RESULTS_DEFAULT,
    SEARCH_MAX_RESULTS_LIMIT,
    MetricPoint,
    TrackingStore,
)
from labtrack.store.sql import run_data, tables
from labtrack.store.sql.engine import make_engines, with_retries
from labtrack.store.sql.notebooks import NotebookStoreMixin
from labtrack.store.sql.registry import RegistryStoreMixin
from labtrack.store.sql.run_names import generate_run_name
from labtrack.store.sql.schema import DEFAULT_EXPERIMENT_ID, ensure_schema
from labtrack.store.sql.views import ViewQueriesMixin
from labtrack.utils import validation

T = TypeVar("T")
RUN_NAME_TAG = "labtrack.runName"
E, R = tables.experiments, tables.runs


def _now() -> int:
    return int(time.time() * 1000)


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_page_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError
        return offset
    except Exception:
        raise InvalidParameterError(
            f"Invalid page_token {token!r}: pass the token a previous search returned."
        ) from None


def check_max_results(max_results: int) -> int:
    if not isinstance(max_results, int) or not 0 < max_results <= SEARCH_MAX_RESULTS_LIMIT:
        raise InvalidParameterError(
            f"max_results must be an integer from 1 to {SEARCH_MAX_RESULTS_LIMIT}; "
            f"got {max_results!r}. Page through larger results with page_token."
        )
    return max_results


class SqlTrackingStore(NotebookStoreMixin, ViewQueriesMixin, RegistryStoreMixin, TrackingStore):
    """Tracking data in a SQL database; ``artifact_root`` holds each experiment's folder."""

    def __init__(self, tracking_uri: str, artifact_root: str) -> None:
        self.tracking_uri = tracking_uri
        self.artifact_root = artifact_root.rstrip("/")
        self._write_engine, self._read_engine = make_engines(tracking_uri)
        try:
            ensure_schema(self._write_engine, self.artifact_root)
        except OperationalError as exc:
            raise StoreError(self._explain(exc)) from exc

    # -- transactions ------------------------------------------------------------------
    def _explain(self, exc: OperationalError) -> str:
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        hint = "Check that the store is reachable and writable."
        low = detail.lower()
        if "readonly" in low or "read-only" in low:
            hint = "The store is read-only: make the file and its folder writable."
        elif "disk" in low and "full" in low:
            hint = "The disk is full: free space, then retry."
        elif "unable to open" in low:
            hint = "The store folder does not exist or is not writable."
        return f"The store at {self.tracking_uri} could not be written: {detail}. {hint}"

    def _write(self, fn: Callable[[Connection], T]) -> T:
        def attempt() -> T:
            with self._write_engine.begin() as conn:
                return fn(conn)

        try:
            return with_retries(attempt)
        except OperationalError as exc:
            raise StoreError(self._explain(exc)) from exc

    def _read(self, fn: Callable[[Connection], T]) -> T:
        try:
            with self._read_engine.connect() as conn:
                return fn(conn)
        except OperationalError as exc:
            raise StoreError(self._explain(exc)) from exc

    def close(self) -> None:
        self._write_engine.dispose()
        if self._read_engine is not self._write_engine:
            self._read_engine.dispose()

    # -- experiments -------------------------------------------------------------------
    def _experiment_row(self, conn: Connection, experiment_id: str) -> Row[Any]:
        eid = int(validation.experiment_id(experiment_id))
        row = conn.execute(select(E).where(E.c.experiment_id == eid)).first()
        if row is None:
            raise ResourceNotFoundError(
                f"No experiment with id {experiment_id!r}. List experiments with "
                "search_experiments() or `labtrack experiments list`."
            )
        return row

    def _experiments(self, conn: Connection, rows: Sequence[Row[Any]]) -> list[Experiment]:
        ids = [r.experiment_id for r in rows]
        tags: dict[int, dict[str, str]] = {i: {} for i in ids}
        t = tables.experiment_tags
        if ids:
            for eid, key, value in conn.execute(
                select(t.c.experiment_id, t.c.key, t.c.value).where(t.c.experiment_id.in_(ids))
            ):
                tags[eid][key] = value
        return [
            Experiment(
                experiment_id=str(r.experiment_id),
                name=r.name,
                artifact_location=r.artifact_location,
                lifecycle_stage=r.lifecycle_stage,
                tags=tags[r.experiment_id],
                creation_time=r.creation_time,
                last_update_time=r.last_update_time,
            )
            for r in rows
        ]

    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[RunTag] | None = None,
    ) -> str:
        validation.experiment_name(name)
        tag_rows = [(validation.validate_key(t.key, "tag key"), t) for t in tags or ()]

        def txn(conn: Connection) -> str:
            existing = conn.execute(select(E.c.lifecycle_stage).where(E.c.name == name)).first()
            if existing is not None:
                state = (
                    " in the deleted state (restore it instead)"
                    if (existing.lifecycle_stage == LifecycleStage.DELETED)
                    else ""
                )
                raise ResourceAlreadyExistsError(
                    f"An experiment named {name!r} already exists{state}. Use "
                    f"set_experiment({name!r}) to log into it, or choose another name."
                )
            now = _now()
            eid = conn.execute(
                E.insert()
                .values(
                    name=name,
                    artifact_location=artifact_location or "",
                    lifecycle_stage=LifecycleStage.ACTIVE,
                    creation_time=now,
                    last_update_time=now,
                )
                .returning(E.c.experiment_id)
            ).scalar_one()
            if not artifact_location:
                conn.execute(
                    update(E)
                    .where(E.c.experiment_id == eid)
                    .values(artifact_location=f"{self.artifact_root}/{eid}")
                )
            if tag_rows:
                conn.execute(
                    tables.experiment_tags.insert(),
                    [
                        {
                            "experiment_id": eid,
                            "key": key,
                            "value": validation.tag_value(key, t.value),
                        }
                        for key, t in tag_rows
                    ],
                )
            return str(eid)

        try:
            return self._write(txn)
        except IntegrityError:
            # Another process created it between our check and insert.
            raise ResourceAlreadyExistsError(
                f"An experiment named {name!r} already exists. Use set_experiment({name!r})."
            ) from None

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self._read(
            lambda conn: self._experiments(conn, [self._experiment_row(conn, experiment_id)])[0]
        )

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        def txn(conn: Connection) -> Experiment | None:
            row = conn.execute(select(E).where(E.c.name == name)).first()
            return self._experiments(conn, [row])[0] if row is not None else None

        return self._read(txn)

    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        filter_string: str | None = None,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        from labtrack.store import search_filter
        from labtrack.store.sql import filter_sql

        check_max_results(max_results)
        offset = decode_page_token(page_token)
        stmt = select(E).where(E.c.lifecycle_stage.in_(ViewType.stages(view_type)))
        node = search_filter.parse_experiment_filter(filter_string)
        if node is not None:
            stmt = stmt.where(filter_sql.experiment_where_clause(node))
        stmt = filter_sql.apply_experiment_order(
            stmt, search_filter.parse_experiment_order_by(order_by)
        )
        stmt = stmt.offset(offset).limit(max_results + 1)

        def txn(conn: Connection) -> PagedList[Experiment]:
            rows = conn.execute(stmt).all()
            token = encode_page_token(offset + max_results) if len(rows) > max_results else None
            return PagedList(self._experiments(conn, rows[:max_results]), token)

        return self._read(txn)

    def _set_experiment_stage(self, experiment_id: str, stage: str) -> None:
        if stage == LifecycleStage.DELETED and str(experiment_id) == str(DEFAULT_EXPERIMENT_ID):
            raise InvalidParameterError("The Default experiment (id 0) cannot be deleted.")

        def txn(conn: Connection) -> None:
            self._experiment_row(conn, experiment_id)
            conn.execute(
                update(E)
                .where(E.c.experiment_id == int(experiment_id))
                .values(lifecycle_stage=stage, last_update_time=_now())
            )

        self._write(txn)

    def delete_experiment(self, experiment_id: str) -> None:
        self._set_experiment_stage(experiment_id, LifecycleStage.DELETED)

    def restore_experiment(self, experiment_id: str) -> None:
        self._set_experiment_stage(experiment_id, LifecycleStage.ACTIVE)

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        validation.experiment_name(new_name)

        def txn(conn: Connection) -> None:
            row = self._experiment_row(conn, experiment_id)
            if row.name == new_name:
                return
            if conn.execute(select(E.c.experiment_id).where(E.c.name == new_name)).first():
                raise ResourceAlreadyExistsError(
                    f"Cannot rename experiment {experiment_id} to {new_name!r}: "
                    "an experiment with that name exists. Choose another name."
                )
            conn.execute(
                update(E)
                .where(E.c.experiment_id == row.experiment_id)
                .values(name=new_name, last_update_time=_now())
            )

        self._write(txn)

    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None:
        key = validation.validate_key(tag.key, "tag key")
        value = validation.tag_value(key, tag.value)

        def txn(conn: Connection) -> None:
            row = self._experiment_row(conn, experiment_id)
            stmt = run_data._insert(conn, tables.experiment_tags)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["experiment_id", "key"], set_={"value": stmt.excluded.value}
                ),
                {"experiment_id": row.experiment_id, "key": key, "value": value},
            )

        self._write(txn)

    # -- runs --------------------------------------------------------------------------
    def _run_row(self, conn: Connection, run_id: str) -> Row[Any]:
        row = conn.execute(select(R).where(R.c.run_uuid == validation.run_id(run_id))).first()
        if row is None:
            raise ResourceNotFoundError(
                f"No run with id {run_id!r}. Find runs with search_runs() or `labtrack runs list`."
            )
        return row

    @staticmethod
    def _info(row: Row[Any]) -> RunInfo:
        return RunInfo(
            run_id=row.run_uuid,
            experiment_id=str(row.experiment_id),
            run_name=row.name or "",
            user_id=row.user_id or "",
            status=row.status,
            start_time=row.start_time,
            end_time=row.end_time,
            lifecycle_stage=row.lifecycle_stage,
            artifact_uri=row.artifact_uri,
        )

    def _runs(self, conn: Connection, rows: Sequence[Row[Any]]) -> list[Run]:
        data = run_data.read_run_data(conn, [r.run_uuid for r in rows])
        return [Run(self._info(r), data[r.run_uuid]) for r in rows]

    def create_run(
        self,
        experiment_id: str,
        user_id: str,
        start_time: int,
        tags: Sequence[RunTag],
        run_name: str | None,
    ) -> Run:
        tags = list(tags)
        tag_names = [t.value for t in tags if t.key == RUN_NAME_TAG]
        if run_name is None and tag_names:
            run_name = tag_names[-1]
        if run_name is not None:
            validation.run_name(run_name)
            if tag_names and tag_names[-1] != run_name:
                raise InvalidParameterError(
                    f"run_name {run_name!r} and the {RUN_NAME_TAG} tag {tag_names[-1]!r} "
                    "differ; give one of them."
                )
        for t in tags:
            validation.validate_key(t.key, "tag key")
            validation.tag_value(t.key, t.value)
        run_id = uuid.uuid4().hex

        def txn(conn: Connection) -> Run:
            exp = self._experiment_row(conn, experiment_id)
            if exp.lifecycle_stage != LifecycleStage.ACTIVE:
                raise InvalidStateError(
                    f"Experiment {experiment_id} ({exp.name!r}) is deleted; restore it with "
                    "restore_experiment() or log into another experiment."
                )
            name = run_name or generate_run_name()
            all_tags = [t for t in tags if t.key != RUN_NAME_TAG] + [RunTag(RUN_NAME_TAG, name)]
            conn.execute(
                R.insert().values(
                    run_uuid=run_id,
                    name=name,
                    experiment_id=exp.experiment_id,
                    user_id=user_id,
                    status=RunStatus.RUNNING,
                    start_time=start_time,
                    end_time=None,
                    lifecycle_stage=LifecycleStage.ACTIVE,
                    artifact_uri=f"{exp.artifact_location.rstrip('/')}/{run_id}/artifacts",
                    last_update_time=_now(),
                )
            )
            run_data.write_tags(conn, run_id, [RunTag(t.key, str(t.value)) for t in all_tags])
            return self._runs(conn, [self._run_row(conn, run_id)])[0]

        return self._write(txn)

    def get_run(self, run_id: str) -> Run:
        return self._read(lambda conn: self._runs(conn, [self._run_row(conn, run_id)])[0])

    def update_run_info(
        self,
        run_id: str,
        run_status: str | None = None,
        end_time: int | None = None,
        run_name: str | None = None,
    ) -> RunInfo:
        values: dict[str, object] = {}
        if run_status is not None:
            values["status"] = RunStatus.from_string(run_status)
            status = RunStatus.from_string(run_status)
            values["end_time"] = (end_time or _now()) if RunStatus.is_terminated(status) else None
        elif end_time is not None:
            values["end_time"] = end_time
        if run_name is not None:
            values["name"] = validation.run_name(run_name)

        def txn(conn: Connection) -> RunInfo:
            row = self._run_row(conn, run_id)
            if values:
                conn.execute(
                    update(R)
                    .where(R.c.run_uuid == row.run_uuid)
                    .values(last_update_time=_now(), **values)
                )
            if run_name is not None:
                run_data.write_tags(conn, row.run_uuid, [RunTag(RUN_NAME_TAG, run_name)])
            return self._info(self._run_row(conn, run_id))

        return self._write(txn)

    def _set_run_stage(self, run_id: str, stage: str) -> None:
        def txn(conn: Connection) -> None:
            row = self._run_row(conn, run_id)
            conn.execute(
                update(R)
                .where(R.c.run_uuid == row.run_uuid)
                .values(
                    lifecycle_stage=stage,
                    deleted_time=_now() if stage == LifecycleStage.DELETED else None,
                    last_update_time=_now(),
                )
            )

        self._write(txn)

    def delete_run(self, run_id: str) -> None:
        self._set_run_stage(run_id, LifecycleStage.DELETED)

    def restore_run(self, run_id: str) -> None:
        self._set_run_stage(run_id, LifecycleStage.ACTIVE)

    def _check_writable(self, row: Row[Any], allow_terminated: bool) -> None:
        if row.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidStateError(
                f"Run {row.run_uuid} is deleted; restore it with restore_run() before logging."
            )
        if not allow_terminated and RunStatus.is_terminated(row.status):
            raise InvalidStateError(
                f"Run {row.run_uuid} is {row.status}; it takes no more data. Resume it with "
                f"start_run(run_id={row.run_uuid!r}) to log into it, or start a new run."
            )

    def log_batch(
        self,
        run_id: str,
        metrics: Sequence[Metric] = (),
        params: Sequence[Param] = (),
        tags: Sequence[RunTag] = (),
        allow_terminated: bool = False,
    ) -> None:
        validation.batch_sizes(len(metrics), len(params), len(tags))
        points = [
            (
                run_id,
                validation.validate_key(m.key, "metric key"),
                validation.metric_value(m.key, m.value),
                validation.timestamp_value(m.key, m.timestamp),
                validation.step_value(m.key, m.step),
            )
            for m in metrics
        ]
        params = [
            Param(
                validation.validate_key(p.key, "param key"), validation.param_value(p.key, p.value)
            )
            for p in params
        ]
        tags = [
            RunTag(validation.validate_key(t.key, "tag key"), validation.tag_value(t.key, t.value))
            for t in tags
        ]

        def txn(conn: Connection) -> None:
            row = self._run_row(conn, run_id)
            self._check_writable(row, allow_terminated)
            run_data.write_params(conn, run_id, params)
            run_data.write_tags(conn, run_id, tags)
            names = [t.value for t in tags if t.key == RUN_NAME_TAG]
            run_data.write_metric_points(conn, points)
            values: dict[str, object] = {"last_update_time": _now()}
            if names:
                values["name"] = names[-1]
            conn.execute(update(R).where(R.c.run_uuid == run_id).values(**values))

        self._write(txn)

    def log_metric_points(self, points: Sequence[MetricPoint]) -> None:
        if not points:
            return

        def txn(conn: Connection) -> None:
            touched = run_data.write_metric_points(conn, points)
            conn.execute(
                update(R).where(R.c.run_uuid.in_(sorted(touched))).values(last_update_time=_now())
            )

        self._write(txn)

    def delete_tag(self, run_id: str, key: str) -> None:
        def txn(conn: Connection) -> None:
            row = self._run_row(conn, run_id)
            self._check_writable(row, allow_terminated=True)
            t = tables.tags
            deleted = conn.execute(
                t.delete().where(t.c.run_uuid == row.run_uuid, t.c.key == key)
            ).rowcount
            if not deleted:
                raise ResourceNotFoundError(
                    f"Run {run_id} has no tag {key!r}; its tags are listed in "
                    "get_run(run_id).data.tags."
                )
            conn.execute(update(R).where(R.c.run_uuid == run_id).values(last_update_time=_now()))

        self._write(txn)

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        def txn(conn: Connection) -> list[Metric]:
            self._run_row(conn, run_id)
            return run_data.metric_history(conn, run_id, key)

        return self._read(txn)

    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = SEARCH_MAX_RESULTS_DEFAULT,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        from labtrack.store import search_filter
        from labtrack.store.sql import filter_sql

        check_max_results(max_results)
        offset = decode_page_token(page_token)
        ids = [int(validation.experiment_id(e)) for e in experiment_ids]
        stmt = select(R).where(
            R.c.experiment_id.in_(ids), R.c.lifecycle_stage.in_(ViewType.stages(run_view_type))
        )
        node = search_filter.parse_filter(filter_string)
        if node is not None:
            stmt = stmt.where(filter_sql.where_clause(node))
        stmt = filter_sql.apply_order(stmt, search_filter.parse_order_by(order_by))
        stmt = stmt.offset(offset).limit(max_results + 1)

        def txn(conn: Connection) -> PagedList[Run]:
            rows = conn.execute(stmt).all()
            token = encode_page_token(offset + max_results) if len(rows) > max_results else None
            return PagedList(self._runs(conn, rows[:max_results]), token)

        return self._read(txn)

    # -- extras the server and views use ----------------------------------------------
    def metric_summaries(self, run_id: str) -> dict[str, dict[str, object]]:
        return self._read(lambda conn: run_data.metric_summaries(conn, run_id))
