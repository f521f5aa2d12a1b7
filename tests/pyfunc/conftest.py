"""Each test gets a fresh labtrack home and no run left active."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def home(fresh_home: Path) -> Path:
    return fresh_home
