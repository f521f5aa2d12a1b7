"""Each test gets a fresh labtrack home, no run left active and no widget left polling."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import labtrack


@pytest.fixture(autouse=True)
def home(fresh_home: Path) -> Iterator[Path]:
    yield fresh_home
    import ipywidgets

    ipywidgets.Widget.close_all()  # stops every live view's poller
    table_module = sys.modules.get("labtrack.widgets.runs_table")
    if table_module is not None:
        table_module._last_table = None


def wait_until(condition: Callable[[], bool], limit: float = 20.0) -> bool:
    """Poll ``condition`` until it holds or ``limit`` seconds pass; returns whether it held.

    A bound against hanging, not a timing assertion: the tests assert on state only.
    """
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def make_run(
    name: str,
    params: dict[str, object] | None = None,
    metrics: dict[str, float] | None = None,
    *,
    experiment_id: str = "0",
    finish: bool = True,
    tags: dict[str, str] | None = None,
) -> str:
    """A run with these params and metrics (each metric logged once, at step 0); its id."""
    from labtrack.entities import Metric, Param

    client = labtrack.TrackingClient()
    run = client.create_run(experiment_id, run_name=name, tags=tags)
    rid = run.info.run_id
    client.log_batch(
        rid,
        metrics=[Metric(k, float(v), 1000, 0) for k, v in (metrics or {}).items()],
        params=[Param(k, str(v)) for k, v in (params or {}).items()],
    )
    if finish:
        client.set_terminated(rid)
    return rid
