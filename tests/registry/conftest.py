"""Registry fixtures: a fresh store per test (SQLite and PostgreSQL), a fresh fluent home, small
logged models, and the Jupyter server fixtures of ``tests/server`` for the REST tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import labtrack
from labtrack.store import close_all
from labtrack.store.sql.store import SqlTrackingStore
from labtrack.tracking import _state
from tests.server.conftest import jp_server_config, labtrack_config, labtrack_home

__all__ = ["jp_server_config", "labtrack_config", "labtrack_home"]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlTrackingStore]:
    if request.param == "sqlite":
        uri = f"sqlite:///{tmp_path / 'labtrack.db'}"
    else:
        uri = request.getfixturevalue("fresh_postgres_url")
    s = SqlTrackingStore(uri, str(tmp_path / "artifacts"))
    yield s
    s.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh labtrack home for the fluent API and TrackingClient()."""
    for var in ("LABTRACK_TRACKING_URI", "LABTRACK_ARTIFACT_ROOT", "JPY_SESSION_NAME"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    labtrack.set_tracking_uri(None)
    yield home
    while labtrack.active_run():
        labtrack.end_run()
    labtrack.set_tracking_uri(None)
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()


@pytest.fixture(scope="session")
def diabetes() -> Any:
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True, as_frame=True)


def fit_forest(diabetes: Any, sign: float = 1.0, seed: int = 0) -> Any:
    """A 10-tree forest; ``sign=-1`` learns -y, so its answers are told apart at a glance."""
    from sklearn.ensemble import RandomForestRegressor

    X, y = diabetes
    return RandomForestRegressor(n_estimators=10, random_state=seed).fit(X, sign * y)


def log_forest(diabetes: Any, sign: float = 1.0, path: str = "model") -> str:
    """Log a small forest into a new finished run; returns ``runs:/<run_id>/<path>``."""
    import labtrack.sklearn

    X, _ = diabetes
    with labtrack.start_run():
        info = labtrack.sklearn.log_model(
            fit_forest(diabetes, sign), name=path, input_example=X[:3]
        )
    return f"runs:/{info.run_id}/{path}"
