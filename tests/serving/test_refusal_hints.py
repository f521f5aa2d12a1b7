"""A model refused for what its skops file holds is not "fixed" by the unsafe-models switch,
so its error does not suggest it (issue 19, item 14): only a pickle refused by policy names
the switch. A real model process serves a real, tampered skops file."""

from __future__ import annotations

from pathlib import Path

import labtrack.sklearn
from labtrack.tracking.client import TrackingClient
from tests.models.test_tree_check import add_os_system, rewrite
from tests.serving.conftest import serving_process

HINT = "Start the server with the-unsafe-switch."


def test_a_skops_refusal_does_not_name_the_unsafe_switch(tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression

    folder = tmp_path / "model"
    labtrack.sklearn.save_model(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]), str(folder))
    rewrite(folder / "model.skops", add_os_system)
    home = tmp_path / "home"
    client = TrackingClient(str(home))
    client.create_registered_model("evil")
    client.create_model_version("evil", str(folder))
    client.store.close()
    args = ["--model-name", "evil", "--tracking-uri", str(home), "--unsafe-hint", HINT]
    with serving_process(args, tmp_path) as server:
        code, reply = server.score({"inputs": [[0.5]]}, path="/1/invocations")
    assert code == 503, reply
    assert "os.system" in reply["message"] and HINT not in reply["message"], reply
