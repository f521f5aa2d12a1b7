"""Reads and writes for the Jupyter server's views: key lists, change markers, killed kernels
and runs whose process stopped beating."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, and_, func, select, update

from labtrack.entities import LifecycleStage
from labtrack.store.contract import RunKeys
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, now_ms
from labtrack.store.sql.driver import Cursor
from labtrack.store.sql.experiments import experiment_keys
from labtrack.store.sql.run_data import many_runs
from labtrack.utils.mlflow_tags import KERNEL_ID


class ViewRepository:
    """What the sidebar polls and suggests, and the runs a dead kernel leaves behind."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def list_keys(self, experiment_ids: Sequence[str]) -> RunKeys:
        """Sorted param, metric and tag keys used by the active runs of these experiments.

        Over a large scope, each table's distinct keys are walked on its key index (one seek
        per key, a recursive query) and each is kept if one active run of the scope has it;
        over a small one, the scope's own rows are read.
        """
        runs = tables.runs
        keys = experiment_keys(experiment_ids)
        active_runs = select(runs.c.run_uuid).where(
            runs.c.experiment_id.in_(keys),
            runs.c.lifecycle_stage == LifecycleStage.ACTIVE,
        )

        def keys_of(connection: Connection, table: Table, walk: bool) -> list[str]:
            if not walk:
                found = connection.execute(
                    select(table.c.key).distinct().where(table.c.run_uuid.in_(active_runs))
                )
                return sorted(row[0] for row in found)
            row = table.alias()
            walked = select(func.min(table.c.key)).cte("walked", recursive=True)
            walked = walked.union_all(
                select(
                    select(func.min(row.c.key)).where(row.c.key > walked.c[0]).scalar_subquery()
                ).where(walked.c[0].is_not(None))
            )
            used, owner = table.alias(), runs.alias()
            in_scope = (
                select(used.c.key)
                .join(owner, owner.c.run_uuid == used.c.run_uuid)
                .where(
                    used.c.key == walked.c[0],
                    owner.c.experiment_id.in_(keys),
                    owner.c.lifecycle_stage == LifecycleStage.ACTIVE,
                )
                .exists()
            )
            found = connection.execute(
                select(walked.c[0]).where(walked.c[0].is_not(None), in_scope)
            )
            return sorted(row[0] for row in found)

        def work(connection: Connection) -> RunKeys:
            walk = many_runs(connection, keys)
            return {
                "params": keys_of(connection, tables.params, walk),
                "metrics": keys_of(connection, tables.latest_metrics, walk),
                "tags": keys_of(connection, tables.tags, walk),
            }

        return self.database.read(work)

    def change_marker(self, experiment_ids: Sequence[str]) -> str:
        """A string that changes whenever a run of these experiments (or they) change."""
        runs, experiments = tables.runs, tables.experiments
        keys = experiment_keys(experiment_ids)

        def work(connection: Connection) -> str:
            last_run_update, run_count = connection.execute(
                select(func.max(runs.c.last_update_time), func.count()).where(
                    runs.c.experiment_id.in_(keys)
                )
            ).one()
            last_experiment_update = connection.execute(
                select(func.max(experiments.c.last_update_time)).where(
                    experiments.c.experiment_id.in_(keys)
                )
            ).scalar()
            return f"{last_run_update or 0}-{run_count}-{last_experiment_update or 0}"

        return self.database.read(work)

    def kill_kernel_runs(
        self, kernel_id: str, started_before: int | None = None, user: str | None = None
    ) -> list[str]:
        """End as KILLED the RUNNING runs a kernel started (before a time, of a user, if
        given)."""
        runs, run_tags = tables.runs, tables.tags
        of_kernel = select(run_tags.c.run_uuid).where(
            run_tags.c.key == KERNEL_ID, run_tags.c.value == kernel_id
        )
        condition = and_(runs.c.status == "RUNNING", runs.c.run_uuid.in_(of_kernel))
        if started_before is not None:
            condition = and_(condition, runs.c.start_time < started_before)
        if user is not None:
            condition = and_(condition, runs.c.user_id == user)

        def work(connection: Connection) -> list[str]:
            killed = [
                row[0] for row in connection.execute(select(runs.c.run_uuid).where(condition))
            ]
            if killed:
                now = now_ms()
                connection.execute(
                    update(runs)
                    .where(runs.c.run_uuid.in_(killed))
                    .values(status="KILLED", end_time=now, last_update_time=now)
                )
            return killed

        return self.database.write(work)

    def kill_stale_runs(self, heartbeat_before: int) -> list[str]:
        """End as KILLED the RUNNING runs whose heartbeat stopped before ``heartbeat_before``."""

        def work(cursor: Cursor) -> list[str]:
            # The heartbeat index holds only running runs' times (ending a run clears it).
            rows = cursor.execute(
                "UPDATE runs SET status = ?, end_time = heartbeat_time, last_update_time = ?, "
                "heartbeat_time = NULL WHERE heartbeat_time < ? AND status = ? AND NOT EXISTS "
                "(SELECT 1 FROM tags WHERE tags.run_uuid = runs.run_uuid AND tags.key = ?) "
                "RETURNING run_uuid",
                ("KILLED", now_ms(), heartbeat_before, "RUNNING", KERNEL_ID),
            ).fetchall()
            return sorted(row[0] for row in rows)

        return self.database.write_cursor(work)
