"""Writers into a shared run (issue 19, item 4): when one process ends a run that others
still log into, their params, tags and synchronous metrics are stored, as MLflow stores them
(its SQL store refuses only deleted runs: ``_check_run_is_active`` checks the lifecycle stage,
never the status). The run is ended by a second, real process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from labtrack.entities import Metric, Param, RunTag
from labtrack.errors import InvalidStateError
from labtrack.tracking.client import TrackingClient

END_IT = textwrap.dedent(
    """
    import sys
    from labtrack.tracking.client import TrackingClient

    TrackingClient(sys.argv[1]).set_terminated(sys.argv[2], "FINISHED")
    """
)


def test_writes_into_a_run_another_process_ended_are_stored(tmp_path: Path) -> None:
    client = TrackingClient(str(tmp_path / "store"))
    run_id = client.create_run("0").info.run_id
    client.log_param(run_id, "early", 1)
    subprocess.run(
        [sys.executable, "-c", END_IT, str(tmp_path / "store"), run_id], check=True, timeout=120
    )
    assert client.get_run(run_id).info.status == "FINISHED"
    client.log_param(run_id, "late", 2)
    client.set_tag(run_id, "worker", "b")
    client.log_metric(run_id, "loss", 0.25, step=3)
    client.log_batch(run_id, [Metric("acc", 0.9, 0, 1)], [Param("p", "v")], [RunTag("t", "u")])
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"  # still ended; the data went in
    assert run.data.params == {"early": "1", "late": "2", "p": "v"}
    assert run.data.metrics == {"loss": 0.25, "acc": 0.9}
    assert run.data.tags["worker"] == "b" and run.data.tags["t"] == "u"


def test_a_deleted_run_still_refuses_data(tmp_path: Path) -> None:
    client = TrackingClient(str(tmp_path / "store"))
    run_id = client.create_run("0").info.run_id
    client.set_terminated(run_id)
    client.delete_run(run_id)
    with pytest.raises(InvalidStateError, match="deleted"):
        client.log_param(run_id, "late", 2)
