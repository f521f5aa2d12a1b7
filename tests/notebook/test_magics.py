"""The IPython magics, in a real kernel."""

from __future__ import annotations

from tests.notebook.conftest import outputs


def test_track_runs_the_cell_in_a_run_and_fails_it_on_error(workspace, monkeypatch):
    path = workspace.write(
        "m.ipynb",
        [
            "%load_ext labtrack",
            "%%track --name first --experiment /magic\nimport labtrack as mlflow\n"
            "mlflow.log_param('a', 1)\n21 * 2",
            "%%track --name broken\nraise ValueError('boom')",
            "import labtrack\nprint('LAST', labtrack.last_active_run().info.status)",
            "%experiment",
            "%experiment -h",
            "%%track --bogus\npass",
        ],
    )
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    text = outputs(nb)
    assert "FINISHED" in text and "42" in text
    broken = nb.cells[2].outputs
    assert any(o.get("ename") == "ValueError" for o in broken)
    assert "LAST FAILED" in text
    assert "Experiment '/magic'" in text
    assert "%experiment [name ...]" in text and "Experiment to make current" in text
    bogus = "".join(o.get("text", "") for o in nb.cells[6].outputs)
    assert "UsageError: unrecognized arguments: --bogus" in bogus
    assert "Traceback" not in bogus
    client = workspace.client
    runs = {
        r.info.run_name: r
        for r in client.search_runs([e.experiment_id for e in client.search_experiments()])
    }
    assert runs["first"].info.status == "FINISHED" and runs["first"].data.params == {"a": "1"}
    assert runs["broken"].info.status == "FAILED"


def test_runs_compare_and_autolog_magics(workspace, monkeypatch):
    path = workspace.write(
        "views.ipynb",
        [
            "%load_ext labtrack",
            "import labtrack as mlflow\nids = []\nfor a in (1, 2, 3):\n"
            "    with mlflow.start_run() as r:\n        mlflow.log_param('a', a)\n"
            "        mlflow.log_metric('m', a * 2.0)\n    ids.append(r.info.run_id)",
            "%runs metrics.m > 2 and params.a != '9'",
            "table = _\nprint('ROWS', len(table.run_ids))",
            "%compare {ids[0]} {ids[1]}",
            "print('COMPARED', len(_.run_ids))",
            "%runs params.a = ",
            "%autolog on",
            "%autolog off",
        ],
    )
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=180,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    text = outputs(nb)
    assert "ROWS 2" in text
    assert "COMPARED 2" in text
    widget = "application/vnd.jupyter.widget-view+json"
    assert any(widget in o.get("data", {}) for o in nb.cells[2].outputs)
    bad = "".join(o.get("text", "") for o in nb.cells[6].outputs)
    assert "UsageError" in bad and "character" in bad and "Traceback" not in bad
    assert "autologging on" in text and "autologging off" in text
