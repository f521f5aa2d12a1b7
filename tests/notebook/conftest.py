"""Real kernels executing real notebooks, each test with its own Jupyter root and store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from labtrack.tracking.client import TrackingClient


class Workspace:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.home = home

    @property
    def client(self) -> TrackingClient:
        return TrackingClient(str(self.home))

    def write(self, rel: str, sources: list[str], notebook_id: str | None = None) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
        if notebook_id:
            nb.metadata["labtrack"] = {"notebook_id": notebook_id}
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def run(self, path: Path, session_name: str | None, monkeypatch: pytest.MonkeyPatch) -> Any:
        """Execute a saved notebook in a fresh kernel, as jupyter_server would start it."""
        if session_name is None:
            monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
        else:
            monkeypatch.setenv("JPY_SESSION_NAME", session_name)
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
        return nb


def outputs(nb: Any) -> str:
    text = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", "") or json.dumps(out.get("data", {})))
    return "\n".join(text)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    root = tmp_path / "root"
    root.mkdir()
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    # What a running jupyter_server leaves for kernels to find: its root folder.
    (runtime / "jpserver-4242.json").write_text(json.dumps({"root_dir": str(root)}))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    for var in (
        "LABTRACK_TRACKING_URI",
        "LABTRACK_ARTIFACT_ROOT",
        "LABTRACK_NOTEBOOK",
        "LABTRACK_EXPERIMENT_NAME",
        "LABTRACK_EXPERIMENT_ID",
    ):
        monkeypatch.delenv(var, raising=False)
    return Workspace(root, home)
