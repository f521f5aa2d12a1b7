"""Shared fixtures: a fresh store per test; real PostgreSQL and S3-compatible servers."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server", "tests.services")

# No test may touch the user's real ~/.labtrack: anything that falls back to the default
# home (a subprocess, a Jupyter server) lands in a throwaway folder instead.
os.environ["LABTRACK_HOME"] = tempfile.mkdtemp(prefix="labtrack-test-home-")
# labtrack honours MLflow's variables (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_NAME...): a shell
# that exported them for real MLflow must not steer the tests.
for _name in [n for n in os.environ if n.startswith("MLFLOW_")]:
    del os.environ[_name]


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A new labtrack home for the fluent API; afterwards no run, writer or store is left open."""
    import labtrack
    from labtrack.store import close_all
    from labtrack.tracking import _state

    for var in (
        "LABTRACK_TRACKING_URI",
        "LABTRACK_ARTIFACT_ROOT",
        "LABTRACK_EXPERIMENT_NAME",
        "LABTRACK_EXPERIMENT_ID",
        "LABTRACK_RUN_ID",
        "LABTRACK_REGISTRY_URI",
        "LABTRACK_ENABLE_ASYNC_LOGGING",
        "LABTRACK_ALLOW_PICKLE_DESERIALIZATION",
        "JPY_SESSION_NAME",
        "LABTRACK_NOTEBOOK",
    ):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    labtrack.set_tracking_uri(None)
    labtrack.set_registry_uri(None)
    yield home
    while labtrack.active_run():
        labtrack.end_run()
    _state.last_run_id = None
    labtrack.set_tracking_uri(None)
    labtrack.set_registry_uri(None)
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()
