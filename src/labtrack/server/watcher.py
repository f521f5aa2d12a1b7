"""The server as the authority on notebook identity and kernel lifetimes.

Every ``SYNC_SECONDS`` the watcher reads jupyter_server's sessions and writes, for each kernel,
the notebook it serves now into the shared store (``notebook_sessions``), where kernels look
themselves up by kernel id: no token, no HTTP. When a notebook is renamed or moved (the contents
service's events), its experiment is renamed to follow it. When a kernel goes away or restarts
(its process changes), the runs it left RUNNING are ended as KILLED.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tornado.ioloop import IOLoop, PeriodicCallback

from labtrack.notebook.identity import is_placeholder_path, read_notebook_id
from labtrack.server.settings import Labtrack
from labtrack.utils import mlflow_tags

CONTENTS_SCHEMA = "https://events.jupyter.org/jupyter_server/contents_service/v1"
KERNEL_SCHEMA = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
SYNC_SECONDS = 2.0
NOTEBOOK_TYPE_TAG = mlflow_tags.EXPERIMENT_SOURCE_TYPE


def rename_notebook_experiments(client: Any, old: str, new: str) -> list[str]:
    """Rename the notebook experiments at ``old`` (a notebook, or a folder of them) to ``new``."""
    old, new = old.strip("/"), new.strip("/")
    renamed = []
    token = None
    matches = []
    while True:
        page = client.search_experiments(
            3, 1000, f"tags.`{NOTEBOOK_TYPE_TAG}` = 'NOTEBOOK'", None, token
        )
        matches += [e for e in page if e.name == old or e.name.startswith(old + "/")]
        token = page.token
        if not token:
            break
    for exp in matches:
        target = new + exp.name[len(old) :]
        if client.get_experiment_by_name(target) is None:
            client.rename_experiment(exp.experiment_id, target)
            renamed.append(target)
    return renamed


class NotebookWatcher:
    """Keeps ``notebook_sessions`` current and ends the runs of dead or restarted kernels."""

    def __init__(self, server_app: Any, settings: Labtrack) -> None:
        self.app = server_app
        self.settings = settings
        self.root = str(Path(server_app.root_dir).expanduser().resolve())
        # kernel id -> (notebook path, kernel process id)
        self.known: dict[str, tuple[str, int | None]] = {}
        self._callback: PeriodicCallback | None = None

    def start(self) -> None:
        self._callback = PeriodicCallback(self.sync, SYNC_SECONDS * 1000)
        self._callback.start()
        logger = getattr(self.app, "event_logger", None)
        if logger is not None:
            logger.add_listener(schema_id=CONTENTS_SCHEMA, listener=self.on_contents)
            logger.add_listener(schema_id=KERNEL_SCHEMA, listener=self.on_kernel_action)

    def stop(self) -> None:
        if self._callback is not None:
            self._callback.stop()

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await IOLoop.current().run_in_executor(None, fn, *args)

    def _pid(self, kernel_id: str) -> int | None:
        try:
            km = self.app.kernel_manager.get_kernel(kernel_id)
        except KeyError:
            return None
        provisioner = getattr(km, "provisioner", None)
        pid = getattr(provisioner, "pid", None)
        return pid if isinstance(pid, int) else None

    def _record(self, kernel_id: str, path: str) -> None:

        notebook_id = read_notebook_id(str(Path(self.root) / path))
        self.settings.client().store.set_notebook_session(kernel_id, path, notebook_id, self.root)

    def _forget(self, kernel_id: str, restarted: bool) -> list[str]:
        store = self.settings.client().store
        killed: list[str] = store.kill_kernel_runs(kernel_id, int(time.time() * 1000))
        if not restarted:
            store.delete_notebook_session(kernel_id)
        return killed

    async def sync(self) -> None:
        """One pass: record new and moved notebooks, end the runs of gone or restarted kernels."""
        try:
            sessions = await self.app.session_manager.list_sessions()
        except Exception as exc:  # the server may be shutting down
            self.app.log.debug("labtrack: could not list sessions: %s", exc)
            return
        current: dict[str, tuple[str, int | None]] = {}
        for session in sessions:
            kernel = session.get("kernel") or {}
            kid, path = kernel.get("id"), session.get("path")
            if kid and path and session.get("type", "notebook") == "notebook":
                current[kid] = (path, self._pid(kid))
        try:
            for kid, (path, pid) in current.items():
                before = self.known.get(kid)
                # JupyterLab's placeholder path while the kernel starts names no notebook: the
                # kernel falls back to JPY_SESSION_NAME until the real path is recorded.
                if (before is None or before[0] != path) and not is_placeholder_path(path):
                    await self._run(self._record, kid, path)
                if before is not None and before[1] and pid and before[1] != pid:
                    killed = await self._run(self._forget, kid, True)
                    self._log_killed(kid, killed, "restarted")
            for kid in set(self.known) - set(current):
                killed = await self._run(self._forget, kid, False)
                self._log_killed(kid, killed, "stopped")
        except Exception as exc:  # never take the server down; try again next pass
            self.app.log.warning("labtrack: notebook sync failed: %s", exc)
            return
        self.known = current

    def _log_killed(self, kernel_id: str, killed: list[str], why: str) -> None:
        if killed:
            self.app.log.info(
                "labtrack: kernel %s %s; marked %d run(s) KILLED: %s",
                kernel_id,
                why,
                len(killed),
                ", ".join(killed),
            )

    async def on_kernel_action(self, logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        action, kid = data.get("action"), data.get("kernel_id")
        if kid and action in ("restart", "shutdown") and data.get("status", "success") == "success":
            # Not awaited: Jupyter shuts kernels down after its extensions when it exits, and an
            # event listener still awaiting then would be a task left pending on a closed loop.
            future = IOLoop.current().run_in_executor(None, self._forget, kid, action == "restart")
            future.add_done_callback(lambda done: self._forgotten(kid, action, done))

    def _forgotten(self, kernel_id: str, action: str, done: Any) -> None:
        if done.cancelled():
            return
        if done.exception() is not None:
            self.app.log.warning(
                "labtrack: ending the runs of kernel %s failed: %s", kernel_id, done.exception()
            )
            return
        self._log_killed(kernel_id, done.result(), action)

    async def on_contents(self, logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        if data.get("action") != "rename":
            return
        old, new = data.get("source_path"), data.get("path")
        if not old or not new:
            return
        try:
            renamed = await self._run(rename_notebook_experiments, self.settings.client(), old, new)
        except Exception as exc:
            self.app.log.warning("labtrack: could not rename experiments for %s: %s", old, exc)
            return
        if renamed:
            self.app.log.info("labtrack: %s moved to %s; experiments renamed", old, new)
        await self.sync()
