"""Experiments in the SQL store: create, read, search, rename, delete and restore, tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, select, update
from sqlalchemy.exc import IntegrityError

from labtrack.entities import Experiment, LifecycleStage, PagedList, RunTag, ViewType
from labtrack.errors import (
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, Page, now_ms, upsert_into
from labtrack.store.sql.schema import DEFAULT_EXPERIMENT_ID
from labtrack.utils import validation


def experiment_key(experiment_id: str) -> int:
    """The primary key of ``experiment_id``; InvalidParameterError if it is no experiment id."""
    return int(validation.experiment_id(experiment_id))


def experiment_keys(experiment_ids: Sequence[str]) -> list[int]:
    return [experiment_key(experiment_id) for experiment_id in experiment_ids]


def experiment_not_found(experiment_id: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(
        f"No experiment with id {experiment_id!r}. List experiments with "
        "search_experiments() or `labtrack experiments list`."
    )


def experiment_row(connection: Connection, experiment_id: str) -> Row[Any]:
    """The experiment's row; ResourceNotFoundError if there is none."""
    experiments = tables.experiments
    key = experiment_key(experiment_id)
    row = connection.execute(select(experiments).where(experiments.c.experiment_id == key)).first()
    if row is None:
        raise experiment_not_found(experiment_id)
    return row


def build_experiments(connection: Connection, rows: Sequence[Row[Any]]) -> list[Experiment]:
    """Experiments (with their tags) of these rows of ``experiments``, in their order."""
    experiment_tags = tables.experiment_tags
    keys = [row.experiment_id for row in rows]
    tags: dict[int, dict[str, str]] = {key: {} for key in keys}
    if keys:
        for key, tag_key, value in connection.execute(
            select(
                experiment_tags.c.experiment_id, experiment_tags.c.key, experiment_tags.c.value
            ).where(experiment_tags.c.experiment_id.in_(keys))
        ):
            tags[key][tag_key] = value
    return [
        Experiment(
            experiment_id=str(row.experiment_id),
            name=row.name,
            artifact_location=row.artifact_location,
            lifecycle_stage=row.lifecycle_stage,
            tags=tags[row.experiment_id],
            creation_time=row.creation_time,
            last_update_time=row.last_update_time,
        )
        for row in rows
    ]


class ExperimentRepository:
    """Experiments and their tags; new experiments keep artifacts under ``artifact_root``."""

    def __init__(self, database: Database, artifact_root: str) -> None:
        self.database = database
        self.artifact_root = artifact_root

    def create_experiment(
        self,
        name: str,
        artifact_location: str | None = None,
        tags: Sequence[RunTag] | None = None,
    ) -> str:
        experiments = tables.experiments
        validation.experiment_name(name)
        tag_rows = [(validation.validate_key(tag.key, "tag key"), tag) for tag in tags or ()]

        def work(connection: Connection) -> str:
            existing = connection.execute(
                select(experiments.c.lifecycle_stage).where(experiments.c.name == name)
            ).first()
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
            now = now_ms()
            key = connection.execute(
                experiments.insert()
                .values(
                    name=name,
                    artifact_location=artifact_location or "",
                    lifecycle_stage=LifecycleStage.ACTIVE,
                    creation_time=now,
                    last_update_time=now,
                )
                .returning(experiments.c.experiment_id)
            ).scalar_one()
            if not artifact_location:
                connection.execute(
                    update(experiments)
                    .where(experiments.c.experiment_id == key)
                    .values(artifact_location=f"{self.artifact_root}/{key}")
                )
            if tag_rows:
                connection.execute(
                    tables.experiment_tags.insert(),
                    [
                        {
                            "experiment_id": key,
                            "key": tag_key,
                            "value": validation.tag_value(tag_key, tag.value),
                        }
                        for tag_key, tag in tag_rows
                    ],
                )
            return str(key)

        try:
            return self.database.write(work)
        except IntegrityError:
            # Another process created it between our check and insert.
            raise ResourceAlreadyExistsError(
                f"An experiment named {name!r} already exists. Use set_experiment({name!r})."
            ) from None

    def get_experiment(self, experiment_id: str) -> Experiment:
        return self.database.read(
            lambda connection: build_experiments(
                connection, [experiment_row(connection, experiment_id)]
            )[0]
        )

    def get_experiment_by_name(self, name: str) -> Experiment | None:
        experiments = tables.experiments

        def work(connection: Connection) -> Experiment | None:
            row = connection.execute(select(experiments).where(experiments.c.name == name)).first()
            return build_experiments(connection, [row])[0] if row is not None else None

        return self.database.read(work)

    def search_experiments(
        self,
        view_type: int,
        max_results: int,
        filter_string: str | None,
        order_by: Sequence[str] | None,
        page_token: str | None,
        readable: ColumnElement[bool] | None = None,
    ) -> PagedList[Experiment]:
        # lazy: loaded on the first search, so a process that only logs never loads the
        # filter language (13-38 ms of a cold start).
        from labtrack.store import search_filter
        from labtrack.store.sql import filter_sql

        experiments = tables.experiments
        page = Page(max_results, page_token)
        query = select(experiments).where(
            experiments.c.lifecycle_stage.in_(ViewType.stages(view_type)),
            filter_sql.experiment_where_clause(
                search_filter.parse_experiment_filter(filter_string)
            ),
        )
        if readable is not None:  # team mode: only what the caller may read
            query = query.where(readable)
        query = filter_sql.apply_experiment_order(
            query, search_filter.parse_experiment_order_by(order_by)
        )
        return self.database.read_page(page, query, build_experiments)

    def _set_stage(self, experiment_id: str, stage: str) -> None:
        if stage == LifecycleStage.DELETED and str(experiment_id) == str(DEFAULT_EXPERIMENT_ID):
            raise InvalidParameterError("The Default experiment (id 0) cannot be deleted.")
        experiments = tables.experiments

        def work(connection: Connection) -> None:
            row = experiment_row(connection, experiment_id)
            connection.execute(
                update(experiments)
                .where(experiments.c.experiment_id == row.experiment_id)
                .values(lifecycle_stage=stage, last_update_time=now_ms())
            )

        self.database.write(work)

    def delete_experiment(self, experiment_id: str) -> None:
        self._set_stage(experiment_id, LifecycleStage.DELETED)

    def restore_experiment(self, experiment_id: str) -> None:
        self._set_stage(experiment_id, LifecycleStage.ACTIVE)

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        validation.experiment_name(new_name)
        experiments = tables.experiments

        def work(connection: Connection) -> None:
            row = experiment_row(connection, experiment_id)
            if row.name == new_name:
                return
            taken = connection.execute(
                select(experiments.c.experiment_id).where(experiments.c.name == new_name)
            ).first()
            if taken:
                raise ResourceAlreadyExistsError(
                    f"Cannot rename experiment {experiment_id} to {new_name!r}: "
                    "an experiment with that name exists. Choose another name."
                )
            connection.execute(
                update(experiments)
                .where(experiments.c.experiment_id == row.experiment_id)
                .values(name=new_name, last_update_time=now_ms())
            )

        self.database.write(work)

    def set_experiment_tag(self, experiment_id: str, tag: RunTag) -> None:
        key = validation.validate_key(tag.key, "tag key")
        value = validation.tag_value(key, tag.value)

        def work(connection: Connection) -> None:
            row = experiment_row(connection, experiment_id)
            insert = upsert_into(connection, tables.experiment_tags)
            connection.execute(
                insert.on_conflict_do_update(
                    index_elements=["experiment_id", "key"], set_={"value": insert.excluded.value}
                ),
                {"experiment_id": row.experiment_id, "key": key, "value": value},
            )

        self.database.write(work)

    def delete_experiment_tag(self, experiment_id: str, key: str) -> None:
        experiment_tags = tables.experiment_tags

        def work(connection: Connection) -> None:
            row = experiment_row(connection, experiment_id)
            deleted = connection.execute(
                experiment_tags.delete().where(
                    experiment_tags.c.experiment_id == row.experiment_id,
                    experiment_tags.c.key == key,
                )
            ).rowcount
            if not deleted:
                raise ResourceNotFoundError(
                    f"Experiment {experiment_id} has no tag {key!r}; its tags are listed in "
                    "get_experiment(experiment_id).tags."
                )

        self.database.write(work)
