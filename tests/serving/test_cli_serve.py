"""``labtrack serve``: the standalone serving app, with several workers sharing one port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.services import free_port
from tests.serving.conftest import alive, rows, serving_process, wait_for


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def test_serve_with_two_workers_restarts_a_dead_worker_and_stops_cleanly(
    two_versions: Path, diabetes: Any, tmp_path: Path
) -> None:
    port = free_port()
    args = ["--tracking-uri", str(two_versions), "serve", "models:/diab/Production"]
    args += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2"]

    with serving_process(args, tmp_path, cli=True) as server:
        workers = wait_for(
            lambda: len(_children(server.popen.pid)) == 2 and _children(server.popen.pid),
            "two workers",
        )
        answers = [server.score({"inputs": rows(diabetes, 1)}) for _ in range(10)]
        os.kill(workers[0], signal.SIGKILL)
        replaced = wait_for(
            lambda: (
                (now := _children(server.popen.pid))
                and len(now) == 2
                and workers[0] not in now
                and now
            ),
            "the dead worker to be replaced",
        )
        wait_for(lambda: server.request("GET", "/ping")[0] == 200, "answers after the restart")
        after = [server.score({"inputs": rows(diabetes, 1)})[0] for _ in range(10)]
        server.popen.send_signal(signal.SIGTERM)
        wait_for(lambda: server.popen.poll() is not None, "the parent to exit")
        wait_for(lambda: not any(alive(p) for p in replaced), "every worker to exit")

    assert all(code == 200 and body["predictions"][0] > 0 for code, body in answers)
    assert after == [200] * 10
    assert workers[1] in replaced


def test_serve_help_documents_the_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "labtrack", "serve", "--help"], capture_output=True, text=True
    )

    assert done.returncode == 0
    assert "Example" in done.stdout and "--workers" in done.stdout and "models:/" in done.stdout


def test_serve_an_unknown_model_is_a_clean_error(two_versions: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "labtrack", "--tracking-uri", str(two_versions), "serve"]
        + ["models:/nope/Production", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert "'nope' not found" in done.stderr and "Traceback" not in done.stderr
