"""Runs started in notebooks land in the notebook's experiment and keep its version."""

from __future__ import annotations

import pytest

import labtrack
from tests.notebook.conftest import outputs

LOG_RUN = [
    "import labtrack as mlflow",
    "with mlflow.start_run(run_name='nb-run') as run:\n    mlflow.log_param('alpha', 0.5)\n"
    "    mlflow.log_metric('rmse', 0.7)",
    "print('RUN', run.info.run_id)",
]


def run_ids(nb) -> list[str]:  # type: ignore[no-untyped-def]
    return [line.split()[1] for line in outputs(nb).splitlines() if line.startswith("RUN ")]


@pytest.mark.parametrize("absolute", [True, False])
def test_run_goes_to_the_notebooks_experiment(workspace, monkeypatch, absolute):
    path = workspace.write("sub/demo.ipynb", LOG_RUN)
    session = str(path) if absolute else "sub/demo.ipynb"
    nb = workspace.run(path, session, monkeypatch)
    (rid,) = run_ids(nb)
    client = workspace.client
    run = client.get_run(rid)
    exp = client.get_experiment(run.info.experiment_id)
    assert exp.name == "sub/demo.ipynb"
    assert exp.tags["mlflow.experiment.sourceType"] == "NOTEBOOK"
    tags = run.data.tags
    assert tags["mlflow.source.type"] == "NOTEBOOK"
    assert tags["mlflow.source.name"] == "sub/demo.ipynb"
    assert tags["labtrack.notebook.source"] == "JPY_SESSION_NAME"
    assert run.info.status == "FINISHED"


def test_later_runs_reuse_the_notebook_experiment(workspace, monkeypatch):
    path = workspace.write("demo.ipynb", LOG_RUN)
    first = run_ids(workspace.run(path, str(path), monkeypatch))[0]
    second = run_ids(workspace.run(path, str(path), monkeypatch))[0]
    client = workspace.client
    assert client.get_run(first).info.experiment_id == client.get_run(second).info.experiment_id
    assert [e.name for e in client.search_experiments()].count("demo.ipynb") == 1


def test_set_experiment_still_wins(workspace, monkeypatch):
    path = workspace.write(
        "demo.ipynb",
        ["import labtrack as mlflow", "mlflow.set_experiment('/Team/chosen')", *LOG_RUN[1:]],
    )
    (rid,) = run_ids(workspace.run(path, str(path), monkeypatch))
    client = workspace.client
    assert client.get_experiment(client.get_run(rid).info.experiment_id).name == "/Team/chosen"


def test_logging_without_start_run_also_uses_the_notebook_experiment(workspace, monkeypatch):
    path = workspace.write(
        "auto.ipynb",
        [
            "import labtrack as mlflow",
            "mlflow.log_metric('m', 1.0)",
            "print('RUN', mlflow.active_run().info.run_id)",
            "mlflow.end_run()",
        ],
    )
    (rid,) = run_ids(workspace.run(path, str(path), monkeypatch))
    client = workspace.client
    assert client.get_experiment(client.get_run(rid).info.experiment_id).name == "auto.ipynb"


def test_notebook_id_follows_a_rename(workspace, monkeypatch):
    path = workspace.write("old.ipynb", LOG_RUN, notebook_id="nb-7f3a")
    first = run_ids(workspace.run(path, str(path), monkeypatch))[0]
    renamed = path.rename(workspace.root / "new.ipynb")
    second = run_ids(workspace.run(renamed, str(renamed), monkeypatch))[0]
    client = workspace.client
    a, b = client.get_run(first), client.get_run(second)
    assert a.info.experiment_id == b.info.experiment_id
    assert client.get_experiment(a.info.experiment_id).tags["labtrack.notebook.id"] == "nb-7f3a"
    assert b.data.tags["mlflow.source.name"] == "new.ipynb"
    assert b.data.tags["labtrack.notebook.id"] == "nb-7f3a"


def test_outside_notebooks_runs_go_to_default(workspace, monkeypatch):
    path = workspace.write("x.ipynb", LOG_RUN)
    (rid,) = run_ids(workspace.run(path, None, monkeypatch))
    assert workspace.client.get_run(rid).info.experiment_id == "0"


def test_run_keeps_the_notebook_version_and_executed_code(workspace, monkeypatch):
    path = workspace.write("v.ipynb", LOG_RUN)
    (rid,) = run_ids(workspace.run(path, str(path), monkeypatch))
    labtrack.set_tracking_uri(str(workspace.home))
    try:
        version = labtrack.get_notebook_version(rid)
    finally:
        labtrack.set_tracking_uri(None)
    assert [c.source for c in version.cells] == LOG_RUN
    history = [h["source"] for h in version.metadata["labtrack"]["history"]]
    assert history[:2] == LOG_RUN[:2]
    assert version.metadata["labtrack"]["saved"] is True
    run = workspace.client.get_run(rid)
    assert len(run.data.tags["labtrack.notebook.revision"]) == 64
    assert len(run.data.tags["labtrack.environment.revision"]) == 64
    assert run.data.tags["labtrack.python.version"].count(".") == 2


def test_a_never_saved_notebook_is_captured_from_history(workspace, monkeypatch):
    path = workspace.write("draft.ipynb", LOG_RUN)
    # The kernel believes it serves a notebook that was never written to disk.
    (rid,) = run_ids(workspace.run(path, str(workspace.root / "Untitled.ipynb"), monkeypatch))
    labtrack.set_tracking_uri(str(workspace.home))
    try:
        version = labtrack.get_notebook_version(rid)
    finally:
        labtrack.set_tracking_uri(None)
    assert version.metadata["labtrack"]["saved"] is False
    assert [c.source for c in version.cells][:2] == LOG_RUN[:2]
    assert [c.execution_count for c in version.cells][:2] == [1, 2]


def test_unchanged_versions_are_stored_once_and_diffs_show_changes(workspace, monkeypatch):
    path = workspace.write("d.ipynb", LOG_RUN)
    a = run_ids(workspace.run(path, str(path), monkeypatch))[0]
    b = run_ids(workspace.run(path, str(path), monkeypatch))[0]
    edited = LOG_RUN[:1] + [LOG_RUN[1].replace("0.5", "0.9")] + LOG_RUN[2:]
    path = workspace.write("d.ipynb", edited)
    c = run_ids(workspace.run(path, str(path), monkeypatch))[0]
    client = workspace.client
    rev = {r: client.get_run(r).data.tags["labtrack.notebook.revision"] for r in (a, b, c)}
    assert rev[a] == rev[b] != rev[c]
    labtrack.set_tracking_uri(str(workspace.home))
    try:
        same = labtrack.diff_notebook_versions(a, b)
        changed = labtrack.diff_notebook_versions(a, c)
    finally:
        labtrack.set_tracking_uri(None)
    assert same.unchanged and str(same) == "(no changes)\n"
    assert not changed.unchanged
    assert "0.9" in str(changed) and "cells/1/source" in str(changed)
