"""reproduce_run executes a run's notebook version in a fresh kernel (real kernels, nbclient)."""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

import labtrack
from labtrack.cli import cli
from labtrack.errors import ResourceNotFoundError
from labtrack.notebook.capture import REVISION_TAG
from labtrack.reproduce import (
    REPRODUCED_FROM,
    ReproductionError,
    reproduction_parameters,
    run_notebook,
)
from labtrack.reproduce.params import INJECTED_TAG
from tests.reproduce.conftest import printed_run_ids

TRAIN = [
    "import labtrack as mlflow",
    ("n = 3\nalpha = 0.5\nname = 'rf'", ["parameters"]),
    "if n < 0:\n    raise ValueError('n must be positive')",
    "with mlflow.start_run(run_name='train') as run:\n"
    "    mlflow.log_params({'n': n, 'alpha': alpha, 'name': name})\n"
    "    for step in range(n):\n"
    "        mlflow.log_metric('loss', 1 / (step + 1), step=step)\n"
    "    mlflow.log_metric('score', alpha * n)\n"
    "print('RUN', run.info.run_id)",
]


@pytest.fixture
def original(workspace, monkeypatch):  # type: ignore[no-untyped-def]
    path = workspace.write("sub/train.ipynb", TRAIN)
    (run_id,) = printed_run_ids(workspace.run(path, monkeypatch))
    return labtrack.get_run(run_id)


def test_reproduction_reruns_the_notebook_with_the_runs_params(workspace, original):
    result = labtrack.reproduce_run(original.info.run_id, progress=False)
    new = result.run
    assert new is not None and new.info.run_id != original.info.run_id
    assert new.info.experiment_id == original.info.experiment_id
    assert new.info.status == "FINISHED"
    assert new.data.tags[REPRODUCED_FROM] == original.info.run_id
    assert new.data.params == original.data.params
    assert new.data.tags["mlflow.source.name"] == "sub/train.ipynb"
    assert result.reproduced()
    frame = result.drift
    assert list(frame.columns) == ["metric", "original", "new", "difference"]
    assert set(frame["metric"]) == {"loss", "score"}
    assert (frame["difference"] == 0).all()
    assert [r.info.run_id for r in result.runs] == [new.info.run_id]


def test_changed_param_changes_the_metrics_and_the_drift_shows_it(workspace, original):
    result = labtrack.reproduce_run(original.info.run_id, params={"n": 5}, progress=False)
    assert result.run is not None
    assert result.run.data.params["n"] == "5"
    assert result.parameters == {"n": 5, "alpha": 0.5, "name": "rf"}
    row = result.drift.set_index("metric").loc["score"]
    assert (row["original"], row["new"], row["difference"]) == (1.5, 2.5, 1.0)
    assert not result.reproduced()
    history = labtrack.TrackingClient().get_metric_history(result.run.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    text = str(result)
    assert "Changed params: n = 5 (was 3)" in text
    assert "score" in text and "<table>" in result._repr_html_()


def test_the_new_run_keeps_the_executed_notebook_as_its_version(workspace, original):
    result = labtrack.reproduce_run(original.info.run_id, params={"alpha": 2.0}, progress=False)
    assert result.run is not None
    version = labtrack.get_notebook_version(result.run.info.run_id)
    injected = [c for c in version.cells if INJECTED_TAG in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "alpha = 2.0" in injected[0].source
    assert any("RUN " in o.get("text", "") for c in version.cells for o in c.outputs)
    assert result.run.data.tags[REVISION_TAG] != original.data.tags[REVISION_TAG]
    # Reproducing the reproduction keeps its values: the injected cell counts as parameters.
    assert labtrack.notebook_parameters(result.run.info.run_id)["alpha"] == 2.0


def test_a_failing_cell_raises_with_the_partial_result(workspace, original):
    with pytest.raises(ReproductionError, match="n must be positive") as info:
        labtrack.reproduce_run(original.info.run_id, params={"n": -1}, progress=False)
    partial = info.value.result
    assert partial.failure is not None and partial.failure.cell_index == 3
    assert partial.failure.ename == "ValueError"
    assert partial.runs == []  # the run was never started


def test_a_run_left_open_by_the_notebook_ends_finished(workspace, monkeypatch):
    path = workspace.write(
        "open.ipynb",
        [
            ("k = 2", ["parameters"]),
            "import labtrack as mlflow\nmlflow.log_metric('k2', k * k)\n"
            "print('RUN', mlflow.active_run().info.run_id)",
        ],
    )
    (run_id,) = printed_run_ids(workspace.run(path, monkeypatch))
    result = labtrack.reproduce_run(run_id, params={"k": 3}, progress=False)
    assert result.run is not None
    assert result.run.info.status == "FINISHED"
    assert result.run.data.metrics == {"k2": 9.0}


def test_progress_reports_cell_n_of_m(workspace, original):
    seen: list[tuple[int, int]] = []
    labtrack.reproduce_run(original.info.run_id, progress=lambda n, m: seen.append((n, m)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)  # 4 cells + the injected one


def test_notebook_parameters_reads_the_captured_version(workspace, original):
    assert labtrack.notebook_parameters(original.info.run_id) == {
        "n": 3,
        "alpha": 0.5,
        "name": "rf",
    }


def test_a_run_without_a_notebook_version_cannot_be_reproduced(workspace):
    with labtrack.start_run() as run:
        pass
    with pytest.raises(ResourceNotFoundError, match="no notebook version"):
        labtrack.reproduce_run(run.info.run_id, progress=False)


def test_each_run_of_a_notebook_is_paired_with_its_original(workspace, monkeypatch):
    path = workspace.write(
        "two.ipynb",
        [
            "import labtrack as mlflow",
            ("a = 1", ["parameters"]),
            "for i in range(2):\n"
            "    with mlflow.start_run() as run:\n"
            "        mlflow.log_metric('m', a * 10 + i)\n"
            "        print('RUN', run.info.run_id)",
        ],
    )
    first, second = printed_run_ids(workspace.run(path, monkeypatch))
    result = labtrack.reproduce_run(second, progress=False)
    assert result.run is not None and result.run.data.metrics == {"m": 11.0}
    other = next(r for r in result.runs if r.info.run_id != result.run.info.run_id)
    assert other.data.tags[REPRODUCED_FROM] == first


def test_run_notebook_executes_a_file_with_parameters(workspace):
    path = workspace.write("sub/train.ipynb", TRAIN)
    done = run_notebook(path, params={"n": 2}, progress=False)
    assert done.run is not None and done.run.data.params["n"] == "2"
    exp = labtrack.get_experiment(done.run.info.experiment_id)
    assert exp.name == "sub/train.ipynb"  # the notebook's own experiment
    assert labtrack.notebook_parameters(done.run.info.run_id)["n"] == 2
    assert math.isclose(done.run.data.metrics["score"], 1.0)


def test_cli_reproduce_prints_the_drift_table(workspace, original):
    result = CliRunner().invoke(
        cli,
        ["runs", "reproduce", original.info.run_id, "-p", "n=4", "-p", "name=100"],
        obj={},
    )
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert ["metric", "original", "new", "difference"] in rows
    assert ["score", "1.5", "2", "0.5"] in rows
    new = labtrack.search_runs(
        [original.info.experiment_id],
        filter_string=f"tags.`{REPRODUCED_FROM}` = '{original.info.run_id}'",
        output_format="list",
    )
    assert [r.data.params["name"] for r in new] == ["100"]  # a string, like the default


def test_cli_reproduce_refuses_a_malformed_param(workspace, original):
    result = CliRunner().invoke(cli, ["runs", "reproduce", original.info.run_id, "-p", "n"], obj={})
    assert result.exit_code == 1
    assert "NAME=VALUE" in result.output


def test_client_names_the_store_to_read_and_log_into(workspace, original, tmp_path):
    # The process now points at another, empty store: the run is found, and the new run
    # logged, only through the client given.
    labtrack.set_tracking_uri(str(tmp_path / "elsewhere"))
    client = workspace.client
    assert labtrack.TrackingClient().search_runs([original.info.experiment_id]) == []
    assert reproduction_parameters(original.info.run_id, client) == {
        "n": 3,
        "alpha": 0.5,
        "name": "rf",
    }
    result = labtrack.reproduce_run(
        original.info.run_id, params={"n": 4}, progress=False, client=client
    )
    assert result.run is not None
    new = client.get_run(result.run.info.run_id)
    assert new.data.tags[REPRODUCED_FROM] == original.info.run_id
    assert new.data.params["n"] == "4"
    assert labtrack.TrackingClient().search_runs([original.info.experiment_id]) == []
