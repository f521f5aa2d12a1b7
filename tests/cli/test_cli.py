"""The ``labtrack`` command line, run as a user would (click's runner and a real process)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from labtrack.cli import cli
from labtrack.entities import Metric, Param, RunTag
from labtrack.tracking.client import TrackingClient


@pytest.fixture
def home(tmp_path):  # type: ignore[no-untyped-def]
    return str(tmp_path / "home")


def invoke(home: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--tracking-uri", home, *args], obj={})
    return result.exit_code, result.output


def make_runs(home: str) -> list[str]:
    client = TrackingClient(home)
    ids = []
    for i, rmse in enumerate([0.3, 0.9]):
        system = {"mlflow.user": "ana", "mlflow.source.type": "LOCAL", "mlflow.source.name": "t.py"}
        run = client.create_run("0", run_name=f"run{i}", tags=system)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("rmse", rmse, 1, 0)],
            params=[Param("model", "=cmd|' /C calc'!A0" if i else "rf")],
            tags=[RunTag("note", "@SUM(1)")],
        )
        client.set_terminated(run.info.run_id)
        ids.append(run.info.run_id)
    return ids


def test_help_lists_every_command_with_examples(home):
    code, out = invoke(home, "--help")
    assert code == 0 and "experiments" in out and "runs" in out and "db" in out
    for sub in (
        ["experiments", "list"],
        ["experiments", "create"],
        ["runs", "list"],
        ["runs", "show"],
        ["runs", "csv"],
        ["db", "upgrade"],
        ["db", "backup"],
    ):
        code, out = invoke(home, *sub, "--help")
        assert code == 0 and "Example" in out, sub


def test_experiments_create_and_list(home):
    code, out = invoke(home, "experiments", "create", "/Team/churn")
    assert code == 0 and "with id 1" in out
    code, out = invoke(home, "experiments", "list")
    assert "Default" in out and "/Team/churn" in out
    code, out = invoke(home, "experiments", "list", "--json")
    assert {e["name"] for e in json.loads(out)} == {"Default", "/Team/churn"}


def test_duplicate_experiment_is_a_clean_error(home):
    invoke(home, "experiments", "create", "x")
    code, out = invoke(home, "experiments", "create", "x")
    assert code == 1 and "already exists" in out and "Traceback" not in out


def test_runs_list_with_filter_and_order(home):
    ids = make_runs(home)
    code, out = invoke(home, "runs", "list", "--filter", "metrics.rmse < 0.5")
    assert code == 0 and ids[0] in out and ids[1] not in out
    code, out = invoke(home, "runs", "list", "-e", "Default", "--order-by", "metrics.rmse DESC")
    assert out.index(ids[1]) < out.index(ids[0])


def test_runs_list_bad_filter_says_where(home):
    code, out = invoke(home, "runs", "list", "--filter", "metrics.rmse <")
    assert code == 1 and "character" in out and "Traceback" not in out


def test_runs_list_unknown_experiment(home):
    code, out = invoke(home, "runs", "list", "-e", "nope")
    assert code == 1 and "No experiment named 'nope'" in out


def test_runs_show_prints_json(home):
    ids = make_runs(home)
    code, out = invoke(home, "runs", "show", ids[0])
    data = json.loads(out)
    assert data["info"]["run_id"] == ids[0] and data["data"]["metrics"] == {"rmse": 0.3}


def test_runs_csv_has_mlflow_columns_and_escapes_formulas(home, tmp_path):
    ids = make_runs(home)
    target = tmp_path / "runs.csv"
    code, _ = invoke(home, "runs", "csv", "-o", str(target))
    assert code == 0
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0][:8] == [
        "Start Time",
        "Duration",
        "Run ID",
        "Name",
        "Source Type",
        "Source Name",
        "User",
        "Status",
    ]
    assert rows[0][8:10] == ["model", "rmse"]
    tag_columns = rows[0][10:]
    assert tag_columns == sorted(tag_columns)
    assert {"mlflow.runName", "mlflow.source.type", "mlflow.user", "note"} <= set(tag_columns)
    by_id = {r[2]: r for r in rows[1:]}
    assert by_id[ids[1]][8] == "'=cmd|' /C calc'!A0"
    assert by_id[ids[0]][8] == "rf"
    assert by_id[ids[0]][-1] == "'@SUM(1)"
    assert by_id[ids[0]][7] == "FINISHED"
    assert by_id[ids[0]][4:7] == ["LOCAL", "t.py", "ana"]


def test_db_upgrade_creates_then_reports_current(home):
    code, out = invoke(home, "db", "upgrade")
    assert code == 0 and "Upgraded" in out
    code, out = invoke(home, "db", "upgrade")
    assert code == 0 and "current schema" in out


def test_python_dash_m_labtrack_works(home):
    proc = subprocess.run(
        [sys.executable, "-m", "labtrack", "--tracking-uri", home, "experiments", "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Default" in proc.stdout
