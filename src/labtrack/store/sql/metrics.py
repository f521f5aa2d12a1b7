"""Metrics in the SQL store: points and their history, downsampled reads, per-run summaries.

Every point is a row of ``metrics``; ``latest_metrics`` keeps, per run and key, the point with
the largest (step, timestamp) plus the minimum, maximum and count, folded in as points arrive,
so searches and tables never scan the history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, and_, case, func, or_, select

from labtrack.entities import Metric
from labtrack.store.contract import MetricPoint, MetricSeries, MetricSummary
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, upsert_into
from labtrack.store.sql.run_data import metric_value, run_row, touch_runs
from labtrack.utils import validation


def _point_row(run_id: str, key: str, value: float, timestamp: int, step: int) -> dict[str, Any]:
    nan = math.isnan(value)
    return {
        "run_uuid": run_id,
        "key": key,
        "value": 0.0 if nan else value,
        "is_nan": nan,
        "timestamp": timestamp,
        "step": step,
    }


def write_metric_points(connection: Connection, points: Iterable[MetricPoint]) -> set[str]:
    """Append history rows and fold them into latest_metrics. Returns the run ids touched."""
    rows = []
    # (run, key) -> [latest (step, timestamp, value), min, max, count]
    summary: dict[tuple[str, str], list[Any]] = {}
    for run_id, key, value, timestamp, step in points:
        rows.append(_point_row(run_id, key, value, timestamp, step))
        nan = math.isnan(value)
        seen = summary.get((run_id, key))
        if seen is None:
            summary[(run_id, key)] = [
                (step, timestamp, value),
                None if nan else value,
                None if nan else value,
                1,
            ]
            continue
        if (step, timestamp) >= seen[0][:2]:
            seen[0] = (step, timestamp, value)
        if not nan:
            seen[1] = value if seen[1] is None or value < seen[1] else seen[1]
            seen[2] = value if seen[2] is None or value > seen[2] else seen[2]
        seen[3] += 1
    if not rows:
        return set()
    connection.execute(tables.metrics.insert(), rows)
    latest_rows = []
    for (run_id, key), (last, lowest, highest, count) in summary.items():
        row = _point_row(run_id, key, last[2], last[1], last[0])
        row.update(min_value=lowest, max_value=highest, count=count)
        latest_rows.append(row)
    insert = upsert_into(connection, tables.latest_metrics)
    incoming = insert.excluded
    current = tables.latest_metrics.c
    newer = or_(
        incoming.step > current.step,
        (incoming.step == current.step) & (incoming.timestamp >= current.timestamp),
    )

    def pick(new: Any, old: Any) -> Any:
        return case((newer, new), else_=old)

    def bound(new: Any, old: Any, smaller: bool) -> Any:
        better = new < old if smaller else new > old
        return case((new.is_(None), old), (old.is_(None) | better, new), else_=old)

    statement = insert.on_conflict_do_update(
        index_elements=["run_uuid", "key"],
        set_={
            "value": pick(incoming.value, current.value),
            "is_nan": pick(incoming.is_nan, current.is_nan),
            "timestamp": pick(incoming.timestamp, current.timestamp),
            "step": pick(incoming.step, current.step),
            "min_value": bound(incoming.min_value, current.min_value, smaller=True),
            "max_value": bound(incoming.max_value, current.max_value, smaller=False),
            "count": current.count + incoming.count,
        },
    )
    connection.execute(statement, latest_rows)
    return {run_id for run_id, _ in summary}


class MetricRepository:
    """Metric points, histories and summaries."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def log_metric_points(self, points: Sequence[MetricPoint]) -> None:
        if not points:
            return

        def work(connection: Connection) -> None:
            touched = write_metric_points(connection, points)
            touch_runs(connection, sorted(touched))

        self.database.write(work)

    def get_metric_history(self, run_id: str, key: str) -> list[Metric]:
        metrics = tables.metrics

        def work(connection: Connection) -> list[Metric]:
            run_row(connection, run_id)
            result = connection.execute(
                select(metrics.c.value, metrics.c.is_nan, metrics.c.timestamp, metrics.c.step)
                .where(metrics.c.run_uuid == run_id, metrics.c.key == key)
                .order_by(metrics.c.step, metrics.c.timestamp)
            )
            return [
                Metric(key, metric_value(value, is_nan), timestamp, step, run_id)
                for value, is_nan, timestamp, step in result
            ]

        return self.database.read(work)

    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> MetricSeries:
        """At most ``max_points`` points of a metric, keeping each bucket's min and max.

        The history is cut into ``max_points // 2`` equal step ranges; each gives its minimum
        at the range's first step and its maximum at its last, so a spike survives however
        long the history (its x position moves by less than one bucket). NaN points are left
        out of the buckets. Histories that fit are returned whole.
        """
        metrics = tables.metrics
        of_metric = and_(metrics.c.run_uuid == validation.run_id(run_id), metrics.c.key == key)

        def work(connection: Connection) -> MetricSeries:
            total, first_step, last_step = connection.execute(
                select(func.count(), func.min(metrics.c.step), func.max(metrics.c.step)).where(
                    of_metric
                )
            ).one()
            if total <= max_points:
                rows = connection.execute(
                    select(metrics.c.step, metrics.c.timestamp, metrics.c.value, metrics.c.is_nan)
                    .where(of_metric)
                    .order_by(metrics.c.step, metrics.c.timestamp)
                ).all()
                whole = [
                    (step, timestamp, float("nan") if is_nan else value)
                    for step, timestamp, value, is_nan in rows
                ]
                return {"total": total, "downsampled": False, "points": whole}
            buckets = max(1, max_points // 2)
            span = last_step - first_step + 1
            bucket = (
                ((metrics.c.step - first_step) * buckets / span).cast(BigInteger).label("bucket")
            )
            grouped = connection.execute(
                select(
                    bucket,
                    func.min(metrics.c.step),
                    func.max(metrics.c.step),
                    func.min(metrics.c.timestamp),
                    func.max(metrics.c.timestamp),
                    func.min(metrics.c.value),
                    func.max(metrics.c.value),
                )
                .where(of_metric, metrics.c.is_nan.is_(False))
                .group_by(bucket)
                .order_by(bucket)
            ).all()
            points = []
            for _bucket, step_0, step_1, time_0, time_1, lowest, highest in grouped:
                points.append((step_0, time_0, lowest))
                if step_1 != step_0 or highest != lowest:
                    points.append((step_1, time_1, highest))
            return {"total": total, "downsampled": True, "points": points}

        return self.database.read(work)

    def metric_summaries(self, run_id: str) -> dict[str, MetricSummary]:
        """Last, min, max, count and last step of each metric of a run."""
        latest = tables.latest_metrics
        query = select(
            latest.c.key,
            latest.c.value,
            latest.c.is_nan,
            latest.c.step,
            latest.c.timestamp,
            latest.c.min_value,
            latest.c.max_value,
            latest.c.count,
        ).where(latest.c.run_uuid == run_id)

        def work(connection: Connection) -> dict[str, MetricSummary]:
            return {
                key: {
                    "last": metric_value(value, is_nan),
                    "step": step,
                    "timestamp": timestamp,
                    "min": lowest,
                    "max": highest,
                    "count": count,
                }
                for key, value, is_nan, step, timestamp, lowest, highest, count in (
                    connection.execute(query)
                )
            }

        return self.database.read(work)
