"""Pickle-format models and the serving processes the Jupyter server starts: refused by
default with a message that says how to allow them, served when the server allows them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtrack.store import close_all
from tests.server.helpers import api
from tests.serving.conftest import rows
from tests.serving.test_jupyter_serving import invoke, ready, supervisor

__all__ = ["supervisor"]  # the fixture, shared with the serving tests


@pytest.fixture
def pickled(labtrack_home: Path, diabetes: Any) -> Iterator[Path]:
    """``pkl`` v1: a forest saved with serialization_format='pickle'."""
    import labtrack.sklearn
    from tests.registry.conftest import fit_forest

    labtrack.set_tracking_uri(str(labtrack_home))
    try:
        with labtrack.start_run():
            info = labtrack.sklearn.log_model(
                fit_forest(diabetes), "model", serialization_format="pickle"
            )
        labtrack.register_model(info.model_uri, "pkl")
    finally:
        labtrack.set_tracking_uri(None)
    yield labtrack_home
    close_all()


async def _answer(jp_fetch: Any, diabetes: Any) -> tuple[int, Any]:
    code, _ = await api(jp_fetch, "PUT", "registered-models/pkl/serving", {"enabled": True})
    assert code == 200
    await ready(jp_fetch, "pkl")
    return await invoke(jp_fetch, "1", {"inputs": rows(diabetes, 2)}, name="pkl")


async def test_a_pickle_model_is_refused_by_default_with_the_setting_named(
    jp_fetch: Any, pickled: Path, supervisor: Any, diabetes: Any
) -> None:
    code, body = await _answer(jp_fetch, diabetes)
    assert code == 503
    assert "pickle" in body["message"]
    assert "--Labtrack.allow_unsafe_models=True" in body["message"]


@pytest.mark.parametrize("labtrack_config", [{"allow_unsafe_models": True}])
async def test_a_pickle_model_is_served_when_the_server_allows_it(
    jp_fetch: Any, pickled: Path, supervisor: Any, diabetes: Any
) -> None:
    code, body = await _answer(jp_fetch, diabetes)
    assert code == 200, body
    assert len(body["predictions"]) == 2 and body["version"] == "1"
