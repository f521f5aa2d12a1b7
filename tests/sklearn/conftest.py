"""Each test gets a fresh labtrack home, no run left active, and autologging switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import labtrack
import labtrack.sklearn
from labtrack import _state
from labtrack.store import close_all


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for var in (
        "LABTRACK_TRACKING_URI",
        "LABTRACK_ARTIFACT_ROOT",
        "LABTRACK_EXPERIMENT_NAME",
        "LABTRACK_EXPERIMENT_ID",
        "JPY_SESSION_NAME",
        "LABTRACK_NOTEBOOK",
    ):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("LABTRACK_HOME", str(home))
    labtrack.set_tracking_uri(None)
    yield home
    labtrack.sklearn.autolog(disable=True)
    while labtrack.active_run():
        labtrack.end_run()
    _state.last_run_id = None
    labtrack.set_tracking_uri(None)
    for writer in _state._writers.values():
        writer.close()
    _state._writers.clear()
    close_all()


@pytest.fixture(scope="session")
def diabetes():  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return train_test_split(X, y, random_state=0)


@pytest.fixture(scope="session")
def iris():  # type: ignore[no-untyped-def]
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True)
