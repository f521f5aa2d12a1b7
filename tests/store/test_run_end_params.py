"""A run's end carries the params the fluent ``log_params`` queued: one transaction for the
run's last points, its params and its end, all or nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from labtrack.entities import Param
from labtrack.errors import InvalidParameterError, InvalidStateError
from labtrack.store.contract import RunEnd
from labtrack.store.sql.store import SqlTrackingStore


def test_the_end_writes_its_params_with_the_points(store: SqlTrackingStore) -> None:
    assert store.params_at_end
    run_id = store.create_run("0", "u", 1, [], "a").info.run_id
    end = RunEnd(run_id, "FINISHED", 1234, (("lr", "0.1"), ("depth", "3")))
    store.log_metric_points([(run_id, "loss", 0.5, 10, 1)], end)
    run = store.get_run(run_id)
    assert run.data.params == {"lr": "0.1", "depth": "3"}
    assert run.data.metrics == {"loss": 0.5}
    assert (run.info.status, run.info.end_time) == ("FINISHED", 1234)


def test_a_changed_param_rolls_the_whole_end_back(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], "a").info.run_id
    store.log_batch(run_id, params=[Param("lr", "0.1")])
    end = RunEnd(run_id, "FINISHED", 1234, (("lr", "0.2"), ("new", "1")))
    with pytest.raises(InvalidParameterError, match="is already '0.1'"):
        store.log_metric_points([(run_id, "loss", 0.5, 10, 1)], end)
    run = store.get_run(run_id)
    assert run.data.params == {"lr": "0.1"}
    assert run.data.metrics == {}
    assert run.info.status == "RUNNING"


def test_a_deleted_run_refuses_the_params_of_its_end(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], "a").info.run_id
    store.delete_run(run_id)
    with pytest.raises(InvalidStateError, match="is deleted"):
        store.log_metric_points([], RunEnd(run_id, "FINISHED", 5, (("a", "1"),)))
    assert store.get_run(run_id).data.params == {}
    store.log_metric_points([], RunEnd(run_id, "FINISHED", 5))  # without params: as before
