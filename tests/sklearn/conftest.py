"""Each test gets a fresh labtrack home, no run left active, and autologging switched off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import labtrack
import labtrack.sklearn
from labtrack.sklearn import _patching


@pytest.fixture(autouse=True)
def home(fresh_home: Path) -> Iterator[Path]:
    yield fresh_home
    labtrack.sklearn.autolog(disable=True)
    # A fresh process has configured nothing yet: the next test's labtrack.autolog() applies.
    _patching.configured_by = None


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
