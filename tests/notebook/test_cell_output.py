"""After a notebook cell that ended runs, one output names them, with the run-link bundle the
JupyterLab extension renders as links and plain text for other front ends; a cell that ended
none shows nothing, and a script never prints it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from labtrack.notebook.cell_output import MIME_TYPE

CELLS = [
    "import labtrack as mlflow",
    "with mlflow.start_run(run_name='first') as run:\n    mlflow.log_param('alpha', 0.5)\n"
    "print('RUN', run.info.run_id)",
    "for name in ('a', 'b'):\n    with mlflow.start_run(run_name=name):\n"
    "        mlflow.log_metric('rmse', 0.7)",
    "print('no run here')",
]


def _bundles(cell: Any) -> list[dict[str, Any]]:
    return [
        out["data"]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "display_data" and MIME_TYPE in out.get("data", {})
    ]


def test_one_output_per_cell_with_links_and_text(workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = workspace.write("demo.ipynb", CELLS)

    nb = workspace.run(path, str(path), monkeypatch)

    one, two, none = (_bundles(c) for c in nb.cells[1:])
    assert len(one) == 1 and len(two) == 1 and none == []
    first = one[0][MIME_TYPE]
    (run,) = first["runs"]
    assert run["run_name"] == "first" and run["status"] == "FINISHED"
    assert first["experiments"] == [{"experiment_id": run["experiment_id"], "name": "demo.ipynb"}]
    printed = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert run["run_id"] in printed  # the same run the cell started
    assert one[0]["text/plain"] == (
        f"Logged 1 run to experiment 'demo.ipynb':\n  first (run id {run['run_id']})"
    )
    both = two[0][MIME_TYPE]
    assert [r["run_name"] for r in both["runs"]] == ["a", "b"]
    assert two[0]["text/plain"].startswith("Logged 2 runs to experiment 'demo.ipynb':")
    # The bundle is JSON a frontend can read back as is.
    assert json.loads(json.dumps(both)) == both


def test_a_failed_run_says_so(workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = workspace.write(
        "fail.ipynb",
        [
            "import labtrack as mlflow",
            "try:\n    with mlflow.start_run(run_name='broken'):\n        raise ValueError('x')\n"
            "except ValueError:\n    pass",
        ],
    )

    nb = workspace.run(path, str(path), monkeypatch)

    (bundle,) = _bundles(nb.cells[1])
    assert bundle[MIME_TYPE]["runs"][0]["status"] == "FAILED"
    assert "broken (run id " in bundle["text/plain"] and ", FAILED)" in bundle["text/plain"]


def test_a_script_prints_no_summary(workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "train.py"
    script.write_text(
        "import labtrack as mlflow\n"
        "with mlflow.start_run(run_name='scripted'):\n"
        "    mlflow.log_param('alpha', 0.5)\n"
        "print('done')\n"
    )

    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LABTRACK_HOME": str(workspace.home)},
        check=True,
    )

    assert done.stdout == "done\n"
    assert "Logged" not in done.stderr
    assert [r.info.run_name for r in workspace.client.search_runs(["0"])] == ["scripted"]


def test_an_exported_notebook_carries_the_line_with_the_runs_url(  # type: ignore[no-untyped-def]
    workspace, monkeypatch, tmp_path: Path
) -> None:
    """Outside JupyterLab (nbconvert's text and HTML here) the plain-text part is what shows:
    "Logged N run(s) to experiment ..." with each run's address on its Jupyter server."""
    import nbconvert

    # The Jupyter server that starts the kernel is this process (jupyter_client gives the
    # kernel JPY_PARENT_PID); its runtime file holds its URL, as jupyter_server writes it.
    runtime = Path(os.environ["JUPYTER_RUNTIME_DIR"])
    info = {"url": "http://127.0.0.1:8899/jh/", "root_dir": str(workspace.root), "token": "x"}
    (runtime / f"jpserver-{os.getpid()}.json").write_text(json.dumps(info))
    path = workspace.write("export.ipynb", CELLS[:3])

    nb = workspace.run(path, str(path), monkeypatch)

    (run,) = _bundles(nb.cells[1])[0][MIME_TYPE]["runs"]
    url = f"http://127.0.0.1:8899/jh/lab?labtrack-run={run['run_id']}"
    line = f"  first (run id {run['run_id']}): {url}"
    text, _ = nbconvert.MarkdownExporter().from_notebook_node(nb)
    page, _ = nbconvert.HTMLExporter().from_notebook_node(nb)

    assert f"    Logged 1 run to experiment 'export.ipynb':\n    {line}\n" in text
    # HTML: the text/plain part as preformatted text (nbconvert has no renderer for ours).
    assert f"<pre>Logged 1 run to experiment 'export.ipynb':\n{line}</pre>" in page
    assert "Logged 2 runs to experiment 'export.ipynb':" in text
    assert "token" not in _bundles(nb.cells[1])[0]["text/plain"]
