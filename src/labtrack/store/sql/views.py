"""Queries the Jupyter server's views need: key lists, change markers, runs by kernel."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, and_, func, select, update

from labtrack.entities import LifecycleStage, RunStatus
from labtrack.store.sql import tables
from labtrack.utils import validation

R = tables.runs


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
                ("params", tables.params),
                ("metrics", tables.latest_metrics),
                ("tags", tables.tags),
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
        E = tables.experiments

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
        t = tables.tags
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

    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> dict[str, Any]:
        """At most ``max_points`` points of a metric, keeping each bucket's min and max.

        The history is cut into ``max_points // 2`` equal step ranges; each gives its minimum
        at the range's first step and its maximum at its last, so a spike survives however
        long the history (its x position moves by less than one bucket). NaN points are left
        out of the buckets. Histories that fit are returned whole.
        """
        m = tables.metrics
        rid = validation.run_id(run_id)
        where = and_(m.c.run_uuid == rid, m.c.key == key)

        def txn(conn: Connection) -> dict[str, Any]:
            total, lo, hi = conn.execute(
                select(func.count(), func.min(m.c.step), func.max(m.c.step)).where(where)
            ).one()
            if total <= max_points:
                rows = conn.execute(
                    select(m.c.step, m.c.timestamp, m.c.value, m.c.is_nan)
                    .where(where)
                    .order_by(m.c.step, m.c.timestamp)
                ).all()
                points = [(s, t, float("nan") if nan else v) for s, t, v, nan in rows]
                return {"total": total, "downsampled": False, "points": points}
            buckets = max(1, max_points // 2)
            span = hi - lo + 1
            bucket = ((m.c.step - lo) * buckets / span).cast(BigInteger).label("bucket")
            grouped = conn.execute(
                select(
                    bucket,
                    func.min(m.c.step),
                    func.max(m.c.step),
                    func.min(m.c.timestamp),
                    func.max(m.c.timestamp),
                    func.min(m.c.value),
                    func.max(m.c.value),
                )
                .where(where, m.c.is_nan.is_(False))
                .group_by(bucket)
                .order_by(bucket)
            ).all()
            points = []
            for _b, s0, s1, t0, t1, vmin, vmax in grouped:
                points.append((s0, t0, vmin))
                if s1 != s0 or vmax != vmin:
                    points.append((s1, t1, vmax))
            return {"total": total, "downsampled": True, "points": points}

        return self._read(txn)  # type: ignore[no-any-return]
