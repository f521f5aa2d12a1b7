"""Run heartbeats and the end of runs whose process stopped beating (SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa

from labtrack.entities import RunTag
from labtrack.store.sql import tables
from labtrack.store.sql.store import SqlTrackingStore
from labtrack.utils.mlflow_tags import KERNEL_ID


def _row(store: SqlTrackingStore, run_id: str) -> sa.Row:  # type: ignore[type-arg]
    runs = tables.runs
    with store.database.read_engine.connect() as conn:
        row = conn.execute(sa.select(runs).where(runs.c.run_uuid == run_id)).one()
    return row


def _age(store: SqlTrackingStore, run_id: str, heartbeat: int | None) -> None:
    runs = tables.runs
    with store.database.write_engine.begin() as conn:
        conn.execute(
            sa.update(runs).where(runs.c.run_uuid == run_id).values(heartbeat_time=heartbeat)
        )


def test_a_heartbeat_marks_running_runs_alive_without_moving_the_sidebar(
    store: SqlTrackingStore,
) -> None:
    running = store.create_run("0", "u", 1, [], "a").info.run_id
    ended = store.create_run("0", "u", 1, [], "b").info.run_id
    store.update_run_info(ended, "FINISHED", None, None)
    before = _row(store, running).last_update_time
    assert _row(store, running).heartbeat_time is None
    assert store.heartbeat_runs([running, ended]) == [running]
    assert _row(store, running).heartbeat_time is not None
    assert _row(store, running).last_update_time == before
    assert _row(store, ended).heartbeat_time is None
    assert store.heartbeat_runs([]) == []


def test_ending_a_run_clears_its_heartbeat(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], "a").info.run_id
    store.heartbeat_runs([run_id])
    store.update_run_info(run_id, "FAILED", None, None)
    assert _row(store, run_id).heartbeat_time is None


def test_runs_whose_heartbeat_stopped_are_killed_at_their_last_heartbeat(
    store: SqlTrackingStore,
) -> None:
    stale = store.create_run("0", "u", 1, [], "stale").info.run_id
    fresh = store.create_run("0", "u", 1, [], "fresh").info.run_id
    never = store.create_run("0", "u", 1, [], "never").info.run_id  # e.g. an MLflow client's
    kernel = store.create_run("0", "u", 1, [RunTag(KERNEL_ID, "k-1")], "kernel").info.run_id
    finished = store.create_run("0", "u", 1, [], "done").info.run_id
    store.heartbeat_runs([stale, fresh, kernel, finished])
    store.update_run_info(finished, "FINISHED", 7, None)
    _age(store, stale, 5_000)
    _age(store, kernel, 5_000)
    assert store.kill_stale_runs(heartbeat_before=10_000) == [stale]
    row = _row(store, stale)
    assert (row.status, row.end_time, row.heartbeat_time) == ("KILLED", 5_000, None)
    assert row.last_update_time > 10_000  # the sidebar sees the change
    for run_id, status in ((fresh, "RUNNING"), (never, "RUNNING"), (kernel, "RUNNING")):
        assert _row(store, run_id).status == status
    assert _row(store, finished).end_time == 7
    assert store.kill_stale_runs(heartbeat_before=10_000) == []
    assert store.heartbeat_runs([stale]) == []  # a killed run is not revived by a late beat


def test_a_run_ends_with_its_last_points_in_one_write(store: SqlTrackingStore) -> None:
    from labtrack.store.contract import RunEnd

    run_id = store.create_run("0", "u", 1, [], "a").info.run_id
    other = store.create_run("0", "u", 1, [], "b").info.run_id
    store.heartbeat_runs([run_id])
    points = [(run_id, "loss", 0.5, 10, 1), (other, "loss", 0.25, 10, 1)]
    store.log_metric_points(points, RunEnd(run_id, "FINISHED", 1234))
    row = _row(store, run_id)
    assert (row.status, row.end_time, row.heartbeat_time) == ("FINISHED", 1234, None)
    assert _row(store, other).status == "RUNNING"
    assert store.get_run(run_id).data.metrics == {"loss": 0.5}
    assert store.get_run(other).data.metrics == {"loss": 0.25}
    store.log_metric_points([], RunEnd(other, "KILLED", 99))  # no points: the end alone
    assert (_row(store, other).status, _row(store, other).end_time) == ("KILLED", 99)
    store.log_metric_points([], RunEnd("0" * 32, "FINISHED", 1))  # unknown: no error here
