"""A Jupyter server with the labtrack extension on, token auth enforced, and a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest
from traitlets.config import Config


@pytest.fixture
def labtrack_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty labtrack home that both the server and the test resolve to."""
    home = tmp_path / "labtrack-home"
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    monkeypatch.delenv("LABTRACK_TRACKING_URI", raising=False)
    monkeypatch.delenv("LABTRACK_ARTIFACT_ROOT", raising=False)
    return home


@pytest.fixture
def labtrack_config() -> dict[str, object]:
    """The ``Labtrack`` config section; tests override it to point the server elsewhere."""
    return {}


@pytest.fixture
def jp_server_config(labtrack_home: Path, labtrack_config: dict[str, object]) -> Config:
    return Config(
        {
            "ServerApp": {
                # Terminals are off: they are not ours and only add noise.
                "jpserver_extensions": {"labtrack": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
            },
            "Labtrack": labtrack_config,
        }
    )
