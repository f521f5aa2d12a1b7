"""The server as the authority on notebook identity, with real kernels in a real server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import nbformat

from labtrack.tracking.client import TrackingClient

LOG_RUN = (
    "import labtrack as mlflow\n"
    "run = mlflow.start_run(run_name='from-kernel')\n"
    "mlflow.log_param('a', 1)\n"
    "print('RUN', run.info.run_id)\n"
)


async def wait_for(check: Any, what: str, seconds: float = 30.0) -> Any:
    """Poll ``check()`` until it returns something truthy (bounded)."""
    for _ in range(int(seconds / 0.2)):
        value = await check() if asyncio.iscoroutinefunction(check) else check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def execute(jp_serverapp: Any, kernel_id: str, code: str) -> str:
    """Run code in a kernel the server manages; return its stdout."""
    km = jp_serverapp.kernel_manager.get_kernel(kernel_id)
    client = km.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=60)
        out: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))

        await client.execute_interactive(code, output_hook=hook, timeout=120)
        return "".join(out)
    finally:
        client.stop_channels()


async def open_notebook(jp_fetch: Any, jp_root_dir: Path, path: str) -> tuple[str, str]:
    nb = nbformat.v4.new_notebook()
    nb.metadata["labtrack"] = {"notebook_id": "nb-watch-1"}
    (jp_root_dir / path).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, jp_root_dir / path)
    response = await jp_fetch(
        "api",
        "sessions",
        method="POST",
        body=json.dumps(
            {"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}
        ),
    )
    session = json.loads(response.body)
    return session["kernel"]["id"], session["id"]


async def test_kernel_learns_its_notebook_from_the_server_and_rename_follows(
    jp_fetch: Any, jp_serverapp: Any, jp_root_dir: Path, labtrack_home: Path
) -> None:
    kernel_id, session_id = await open_notebook(jp_fetch, jp_root_dir, "sub/first.ipynb")
    client = TrackingClient(str(labtrack_home))
    session = await wait_for(lambda: client.store.get_notebook_session(kernel_id), "session row")
    assert session.notebook_path == "sub/first.ipynb" and session.notebook_id == "nb-watch-1"

    out = await execute(jp_serverapp, kernel_id, LOG_RUN)
    run_id = out.split("RUN ", 1)[1].split()[0]
    run = client.get_run(run_id)
    assert run.data.tags["labtrack.notebook.source"] == "server"
    assert run.data.tags["labtrack.kernel.id"] == kernel_id
    exp = client.get_experiment(run.info.experiment_id)
    assert exp.name == "sub/first.ipynb"

    # Rename as JupyterLab does (contents, then the session): experiment and kernel follow.
    await jp_fetch(
        "api",
        "contents",
        "sub",
        "first.ipynb",
        method="PATCH",
        body=json.dumps({"path": "renamed.ipynb"}),
    )
    await jp_fetch(
        "api",
        "sessions",
        session_id,
        method="PATCH",
        body=json.dumps({"path": "renamed.ipynb", "name": "renamed.ipynb"}),
    )
    await wait_for(
        lambda: client.get_experiment(exp.experiment_id).name == "renamed.ipynb",
        "experiment rename",
    )
    await wait_for(
        lambda: client.store.get_notebook_session(kernel_id).notebook_path == "renamed.ipynb",
        "session path update",
    )
    out = await execute(jp_serverapp, kernel_id, "mlflow.end_run()\n" + LOG_RUN)
    second = client.get_run(out.split("RUN ", 1)[1].split()[0])
    assert second.info.experiment_id == exp.experiment_id
    assert second.data.tags["mlflow.source.name"] == "renamed.ipynb"

    # The kernel goes away with a run still RUNNING: the server ends it as KILLED.
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    await wait_for(
        lambda: client.get_run(second.info.run_id).info.status == "KILLED", "run marked KILLED"
    )
    assert client.get_run(run_id).info.status == "FINISHED"


async def test_jupyterlabs_placeholder_session_path_is_never_taken_for_the_notebook(
    jp_fetch: Any, jp_serverapp: Any, jp_root_dir: Path, labtrack_home: Path
) -> None:
    # JupyterLab starts a notebook's session under "<folder>/<uuid4>" and moves it to the
    # notebook's path once the kernel is up. A run started before the watcher sees the move
    # must still land in the notebook's experiment, not in one named after the placeholder.
    nb = nbformat.v4.new_notebook()
    (jp_root_dir / "sub").mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, jp_root_dir / "sub" / "late.ipynb")
    placeholder = "sub/0b6c2a8e-52d4-4a8e-9c1e-3f7a4d1e2b90"
    response = await jp_fetch(
        "api",
        "sessions",
        method="POST",
        body=json.dumps(
            {
                "path": placeholder,
                "name": "late.ipynb",
                "type": "notebook",
                "kernel": {"name": "python3"},
            }
        ),
    )
    kernel_id = json.loads(response.body)["kernel"]["id"]
    watcher = jp_serverapp.web_app.settings["labtrack_watcher"]
    await watcher.sync()
    assert kernel_id in watcher.known
    client = TrackingClient(str(labtrack_home))
    assert client.store.get_notebook_session(kernel_id) is None

    out = await execute(jp_serverapp, kernel_id, LOG_RUN)
    run = client.get_run(out.split("RUN ", 1)[1].split()[0])
    assert client.get_experiment(run.info.experiment_id).name == "sub/late.ipynb"
    assert run.data.tags["labtrack.notebook.source"] == "JPY_SESSION_NAME"
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_a_restarted_kernel_kills_its_running_runs(
    jp_fetch: Any, jp_serverapp: Any, jp_root_dir: Path, labtrack_home: Path
) -> None:
    kernel_id, _ = await open_notebook(jp_fetch, jp_root_dir, "r.ipynb")
    client = TrackingClient(str(labtrack_home))
    await wait_for(lambda: client.store.get_notebook_session(kernel_id), "session row")
    out = await execute(jp_serverapp, kernel_id, LOG_RUN)
    run_id = out.split("RUN ", 1)[1].split()[0]
    assert client.get_run(run_id).info.status == "RUNNING"
    await jp_fetch("api", "kernels", kernel_id, "restart", method="POST", body="{}")
    await wait_for(lambda: client.get_run(run_id).info.status == "KILLED", "run marked KILLED")
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_a_kernel_killed_with_sigkill_leaves_no_run_running(
    jp_fetch: Any, jp_serverapp: Any, jp_root_dir: Path, labtrack_home: Path
) -> None:
    import os
    import signal

    kernel_id, _ = await open_notebook(jp_fetch, jp_root_dir, "k.ipynb")
    client = TrackingClient(str(labtrack_home))
    await wait_for(lambda: client.store.get_notebook_session(kernel_id), "session row")
    out = await execute(jp_serverapp, kernel_id, LOG_RUN)
    run_id = out.split("RUN ", 1)[1].split()[0]
    pid = jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid
    os.kill(pid, signal.SIGKILL)  # no atexit, no goodbye: only the server can notice
    await wait_for(lambda: client.get_run(run_id).info.status == "KILLED", "run marked KILLED")
    assert client.get_run(run_id).info.end_time is not None
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
