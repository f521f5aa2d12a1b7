"""A fresh labtrack home per test (some entity tests go through the fluent API)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def home(fresh_home: Path) -> Path:
    return fresh_home
