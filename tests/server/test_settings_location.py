"""The server's store location: kept for a home folder while it is the same folder, followed
at once when the home is re-pointed (a symlink) or the environment names another store."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtrack.server.settings import Labtrack


@pytest.fixture
def link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("LABTRACK_TRACKING_URI", "MLFLOW_TRACKING_URI", "LABTRACK_ARTIFACT_ROOT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    home = tmp_path / "home"
    home.symlink_to(tmp_path / "a")
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    return home


def test_a_repointed_home_is_followed_at_once(link: Path, tmp_path: Path) -> None:
    settings = Labtrack()
    first = settings.location()
    assert first.tracking_uri == f"sqlite:///{tmp_path / 'a' / 'labtrack.db'}"
    assert settings.location() is first  # the same folder: not resolved again
    link.unlink()
    link.symlink_to(tmp_path / "b")
    assert settings.location().tracking_uri == f"sqlite:///{tmp_path / 'b' / 'labtrack.db'}"


def test_the_environment_still_decides_on_every_call(
    link: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Labtrack()
    settings.location()
    monkeypatch.setenv("LABTRACK_ARTIFACT_ROOT", str(tmp_path / "art"))
    assert settings.location().artifact_root == str(tmp_path / "art")
    monkeypatch.setenv("LABTRACK_TRACKING_URI", str(tmp_path / "b"))
    assert settings.location().tracking_uri == f"sqlite:///{tmp_path / 'b' / 'labtrack.db'}"
