"""Live views: refresh() shows new data; the poller follows running runs and stops after.

No assertion depends on timing: refresh() is called directly, and the poller tests wait (with a
generous bound) for a state to be reached, then assert on state.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import labtrack
from labtrack.widgets import compare, show_run, show_runs
from labtrack.widgets.live import Poller
from tests.widgets.conftest import make_run, wait_until


# -- the poller itself ----------------------------------------------------------------------
def test_poller_stops_when_refresh_says_nothing_runs() -> None:
    calls: list[int] = []
    poller = Poller(lambda: calls.append(1) or len(calls) < 3, interval=0.01)
    poller.start()
    assert wait_until(lambda: not poller.active)
    poller.join()
    assert calls == [1, 1, 1]
    assert poller.ticks == 3
    assert poller.error == ""


def test_poller_keeps_the_error_of_a_failed_refresh() -> None:
    def broken() -> bool:
        raise RuntimeError("store went away")

    poller = Poller(broken, interval=0.01)
    poller.start()
    assert wait_until(lambda: not poller.active)
    assert poller.error == "RuntimeError: store went away"


def test_stop_ends_the_thread() -> None:
    gate = threading.Event()

    def refresh() -> bool:
        gate.set()
        return True

    poller = Poller(refresh, interval=0.01)
    poller.start()
    assert gate.wait(20)
    poller.stop()
    assert wait_until(lambda: not poller.active)


def test_interval_must_be_positive() -> None:
    with pytest.raises(Exception, match="interval must be positive"):
        Poller(lambda: False, interval=0)


# -- run view -----------------------------------------------------------------------------------
def test_run_view_refresh_shows_new_points_and_the_end_of_the_run() -> None:
    rid = make_run("live", finish=False)
    client = labtrack.TrackingClient()
    client.log_metric(rid, "loss", 1.0, step=0)
    view = show_run(rid)
    assert view.poller is not None and view.poller.active
    view.poller.stop()  # drive it by hand from here on
    client.log_metric(rid, "loss", 0.5, step=1)
    assert view.refresh() is True
    np.testing.assert_allclose(view.line.y, [1.0, 0.5])
    client.set_terminated(rid)
    assert view.refresh() is False
    assert view.status == "FINISHED"


def test_run_view_polls_while_running_and_stops_after() -> None:
    with labtrack.start_run(run_name="training") as run:
        labtrack.log_metric("loss", 1.0, step=0)
        view = show_run(run.info.run_id)  # flushes the queued point first
        assert view.poller is not None
        view.poller.interval = 0.05
        assert view.poller.active
        labtrack.log_metric("loss", 0.8, step=1)  # queued; the writer commits it
        labtrack.log_metric("loss", 0.6, step=2)
        assert wait_until(lambda: len(view.line.y) == 3)
    assert wait_until(lambda: not view.poller.active)
    assert view.status == "FINISHED"
    np.testing.assert_allclose(view.line.y, [1.0, 0.8, 0.6])
    assert view.poller.error == ""


def test_closing_the_view_stops_its_poller() -> None:
    rid = make_run("live", {"p": 1}, {"m": 1.0}, finish=False)
    view = show_run(rid)
    assert view.poller is not None and view.poller.active
    view.poller.interval = 0.05
    view.close()
    assert wait_until(lambda: not view.poller.active)


def test_finished_runs_start_no_poller() -> None:
    view = show_run(make_run("done", {"p": 1}, {"m": 1.0}))
    assert view.poller is not None and not view.poller.active


# -- table and compare --------------------------------------------------------------------------
def test_table_follows_running_runs() -> None:
    running = make_run("a", {"p": 1}, {"m": 1.0}, finish=False)
    table = show_runs()
    assert table.poller is not None and table.poller.active
    table.poller.interval = 0.05
    client = labtrack.TrackingClient()
    client.log_metric(running, "m", 5.0, step=1)
    assert wait_until(lambda: table.frame.loc[running, "metrics.m"] == 5.0)
    client.set_terminated(running)
    assert wait_until(lambda: not table.poller.active)
    assert table.frame.loc[running, "status"] == "FINISHED"


def test_compare_follows_running_runs() -> None:
    done = make_run("a", {"p": 1}, {"m": 1.0})
    running = make_run("b", {"p": 2}, {"m": 2.0}, finish=False)
    view = compare([done, running])
    assert view.poller is not None and view.poller.active
    view.poller.stop()
    labtrack.TrackingClient().log_metric(running, "m", 7.0, step=1)
    assert view.refresh() is True
    assert view.table.loc["metrics.m", "b"] == "7"
    np.testing.assert_allclose(view.parallel.lines.color, [1.0, 7.0])
