"""A registered model whose name looks like a command-line option (``--x``) is served from
the Jupyter server (issue 19, item 14): its name was passed to the model process as a separate
argument, which the process's argument parser read as an unknown option, so it never started."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtrack.store import close_all
from tests.server.helpers import api
from tests.serving.conftest import register_two_versions, rows
from tests.serving.test_jupyter_serving import invoke, ready, supervisor

__all__ = ["supervisor"]

NAME = "--dash-model"


@pytest.fixture
def dashed(labtrack_home: Path, diabetes: Any) -> Iterator[Path]:
    register_two_versions(labtrack_home, diabetes, name=NAME)
    yield labtrack_home
    close_all()


async def test_a_model_named_like_an_option_is_served(
    jp_fetch: Any, dashed: Path, supervisor: Any, diabetes: Any
) -> None:
    code, status = await api(
        jp_fetch, "PUT", f"registered-models/{NAME}/serving", {"enabled": True}
    )
    assert code == 200, status
    await ready(jp_fetch, NAME)
    code, body = await invoke(jp_fetch, "Production", {"inputs": rows(diabetes, 1)}, name=NAME)
    assert code == 200 and body["version"] == "1", body
