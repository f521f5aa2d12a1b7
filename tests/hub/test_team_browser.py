"""A browser signs in at a real JupyterHub as each user (tests/hub/browser/team.spec.ts).

The hub and the labtrack service come from the ``hub`` fixture; this test makes user-a's
private experiment with one run, starts both users' servers, and runs the Playwright spec
against the hub with Debian's chromium. The spec shares the experiment from user-a's sidebar
and checks what user-b's sidebar then shows.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.hub.conftest import HUB_PASSWORD, ROOT, Hub

PLAYWRIGHT = ROOT / "node_modules" / ".bin" / "playwright"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def test_two_users_share_an_experiment_in_the_browser(hub: Hub, tmp_path: Path) -> None:
    if not PLAYWRIGHT.exists():
        pytest.skip(f"{PLAYWRIGHT} is missing: run ./dev setup (jlpm install)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: apt install chromium (./dev setup does)")
    labextension = ROOT / "src" / "labtrack" / "labextension" / "package.json"
    if not labextension.exists():
        pytest.skip("the JupyterLab extension is not built: run ./dev setup")
    # A long name, as real experiments have: the header, switcher and dialog must cope.
    name = f"churn-model/feature-selection-sweep-with-gradient-boosting-{time.monotonic_ns()}"
    made = hub.request(
        "POST", "labtrack/api/experiments", {"name": name}, token=hub.tokens["user-a"]
    )
    assert made.status == 201, made
    run = hub.request(
        "POST",
        "labtrack/mlflow/api/2.0/mlflow/runs/create",
        {
            "experiment_id": made.body["experiment_id"],
            "run_name": "shared-run",
            "start_time": int(time.time() * 1000),
        },
        token=hub.tokens["user-a"],
    )
    assert run.status == 200, run
    for user in ("user-a", "user-b"):
        hub.start_server(user)
    # Checked in beside the other browser tests' screenshots (README shows one).
    shots = ROOT / "tests" / "ui" / "screenshots"
    env = {
        **os.environ,
        "HUB_URL": hub.url,
        "HUB_PASSWORD": HUB_PASSWORD,
        "EXPERIMENT": name,
        "RUN": "shared-run",
        "SCREENSHOTS": str(shots),
        "CHROMIUM_PATH": CHROMIUM,
    }
    done = subprocess.run(
        [str(PLAYWRIGHT), "test", "--config", "tests/hub/browser/playwright.config.ts"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (
        _log_tail(hub.log) + "\n--- playwright ---\n" + (done.stdout + done.stderr)[-6000:]
    )
    for user in ("user-a", "user-b"):
        assert (shots / f"team-share-{user}.png").stat().st_size > 0


def _log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n--- hub log ---\n" + "\n".join(log.read_text().splitlines()[-lines:])
    except OSError:
        return ""
