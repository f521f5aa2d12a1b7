"""CSV exports escape header cells too (issue 19, item 14): a param, metric or tag key may
start with '-' (or '+'), and a spreadsheet reads "-2-3" in the header row as a formula like
in any other row. Data cells were escaped already."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from labtrack.tracking.client import TrackingClient
from labtrack.tracking.runs_csv import runs_to_csv


def test_header_cells_that_read_as_formulas_are_escaped(tmp_path: Path) -> None:
    client = TrackingClient(str(tmp_path / "store"))
    run_id = client.create_run("0").info.run_id
    client.log_param(run_id, "-2-3", "v")
    client.log_metric(run_id, "-1", 0.5)
    rows = list(csv.reader(io.StringIO(runs_to_csv(client.search_runs(["0"])))))
    assert "'-2-3" in rows[0] and "-2-3" not in rows[0], rows[0]
    assert "-1" in rows[0]  # a number stays a number (what it shows is what it is)
    assert rows[0][:2] == ["Start Time", "Duration"]
