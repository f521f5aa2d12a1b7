"""Queries the Jupyter server's views need: key lists, change markers, runs by kernel."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from labtrack import validation
from labtrack.entities import LifecycleStage, RunStatus
from labtrack.store.sql import models

R = models.runs


class ViewQueriesMixin:
    """Mixed into SqlTrackingStore; relies on its ``_write`` / ``_read``."""

    _write: Callable[[Callable[[Connection], Any]], Any]
    _read: Callable[[Callable[[Connection], Any]], Any]

    def list_keys(self, experiment_ids: Sequence[str]) -> dict[str, list[str]]:
        """Sorted param, metric and tag keys used by the active runs of these experiments."""
        ids = [int(validation.experiment_id(e)) for e in experiment_ids]
        runs_of = select(R.c.run_uuid).where(
            R.c.experiment_id.in_(ids), R.c.lifecycle_stage == LifecycleStage.ACTIVE
        )

        def txn(conn: Connection) -> dict[str, list[str]]:
            out = {}
            for name, table in (
                ("params", models.params),
                ("metrics", models.latest_metrics),
                ("tags", models.tags),
            ):
                rows = conn.execute(
                    select(table.c.key).distinct().where(table.c.run_uuid.in_(runs_of))
                )
                out[name] = sorted(r[0] for r in rows)
            return out

        return self._read(txn)  # type: ignore[no-any-return]

    def change_marker(self, experiment_ids: Sequence[str]) -> str:
        """A string that changes whenever a run of these experiments (or they) change."""
        ids = [int(validation.experiment_id(e)) for e in experiment_ids]
        E = models.experiments

        def txn(conn: Connection) -> str:
            runs_part = conn.execute(
                select(func.max(R.c.last_update_time), func.count()).where(
                    R.c.experiment_id.in_(ids)
                )
            ).one()
            exp_part = conn.execute(
                select(func.max(E.c.last_update_time)).where(E.c.experiment_id.in_(ids))
            ).scalar()
            return f"{runs_part[0] or 0}-{runs_part[1]}-{exp_part or 0}"

        return self._read(txn)  # type: ignore[no-any-return]

    def kill_kernel_runs(self, kernel_id: str, started_before: int | None = None) -> list[str]:
        """End as KILLED the RUNNING runs a kernel started (before a time, if given)."""
        t = models.tags
        of_kernel = select(t.c.run_uuid).where(
            t.c.key == "labtrack.kernel.id", t.c.value == kernel_id
        )
        cond = and_(R.c.status == RunStatus.RUNNING, R.c.run_uuid.in_(of_kernel))
        if started_before is not None:
            cond = and_(cond, R.c.start_time < started_before)

        def txn(conn: Connection) -> list[str]:
            ids = [r[0] for r in conn.execute(select(R.c.run_uuid).where(cond))]
            if ids:
                now = int(time.time() * 1000)
                conn.execute(
                    update(R)
                    .where(R.c.run_uuid.in_(ids))
                    .values(status=RunStatus.KILLED, end_time=now, last_update_time=now)
                )
            return ids

        return self._write(txn)  # type: ignore[no-any-return]
