"""Which notebook a kernel serves: the pieces that need no kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtrack.notebook import identity
from labtrack.tracking.client import TrackingClient


@pytest.mark.parametrize(
    ("path", "placeholder"),
    [
        ("0b6c2a8e-52d4-4a8e-9c1e-3f7a4d1e2b90", True),
        ("sub/dir/0B6C2A8E-52D4-4A8E-9C1E-3F7A4D1E2B90", True),
        ("sub/0b6c2a8e-52d4-4a8e-9c1e-3f7a4d1e2b90.ipynb", False),
        ("demo.ipynb", False),
        ("0b6c2a8e-52d4-4a8e-9c1e/demo.ipynb", False),
        ("console-1-0b6c2a8e", False),
    ],
)
def test_placeholder_paths_are_jupyterlabs_uuid_names(path: str, placeholder: bool) -> None:
    assert identity.is_placeholder_path(path) is placeholder


def test_a_recorded_placeholder_is_no_answer(tmp_path: Path) -> None:
    store = TrackingClient(str(tmp_path / "home")).store
    store.set_notebook_session("k-early", "sub/0b6c2a8e-52d4-4a8e-9c1e-3f7a4d1e2b90", None, "/r")
    store.set_notebook_session("k-late", "sub/late.ipynb", None, "/r")
    assert identity._from_server(store, "k-early") is None
    found = identity._from_server(store, "k-late")
    assert found is not None and found.path == "sub/late.ipynb" and found.source == "server"
