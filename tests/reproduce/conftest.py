"""A fresh store, Jupyter root and runtime folder per test; notebooks run in real kernels."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

import labtrack
from labtrack.store import close_all
from labtrack.tracking import _state


class Workspace:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home

    @property
    def client(self) -> labtrack.TrackingClient:
        return labtrack.TrackingClient(str(self.home))

    def write(self, rel: str, cells: list[str | tuple[str, list[str]]]) -> Path:
        """A notebook of code cells; ``(source, tags)`` gives a cell tags."""
        nb = nbformat.v4.new_notebook()
        for cell in cells:
            source, tags = (cell, []) if isinstance(cell, str) else cell
            nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def run(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
        """Execute a saved notebook in a fresh kernel, as jupyter_server would start it: with
        JPY_SESSION_NAME and a connection file named ``kernel-<id>.json``."""
        monkeypatch.setenv("JPY_SESSION_NAME", str(path))
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        km = client.create_kernel_manager()
        kid = str(uuid.uuid4())
        km.kernel_id = kid
        km.connection_file = os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], f"kernel-{kid}.json")
        try:
            client.execute()
        finally:
            monkeypatch.delenv("JPY_SESSION_NAME")
        return nb


def printed_run_ids(nb: Any) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            for line in o.get("text", "").splitlines():
                if line.startswith("RUN "):
                    out.append(line.split()[1])
    return out


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    root = tmp_path / "root"
    root.mkdir()
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "jpserver-4242.json").write_text(json.dumps({"root_dir": str(root)}))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    for var in (
        "LABTRACK_TRACKING_URI",
        "LABTRACK_ARTIFACT_ROOT",
        "LABTRACK_NOTEBOOK",
        "LABTRACK_EXPERIMENT_NAME",
        "LABTRACK_EXPERIMENT_ID",
        "JPY_SESSION_NAME",
    ):
        monkeypatch.delenv(var, raising=False)
    labtrack.set_tracking_uri(None)
    yield Workspace(root, home)
    while labtrack.active_run():
        labtrack.end_run()
    labtrack.set_tracking_uri(None)
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()
