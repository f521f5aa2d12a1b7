"""Ending the runs of processes that died: no heartbeat for ``c.Labtrack.stale_run_timeout``.

A labtrack process marks the runs it started alive every ``HEARTBEAT_INTERVAL`` seconds (its
metric writer's thread does). A script killed by SIGKILL, the out-of-memory killer or a lost
machine cannot end its run; without this its run stays RUNNING forever. The server checks
every ``CHECK_SECONDS`` (sooner for short timeouts) and ends the runs whose last heartbeat is
older than the timeout as KILLED, their end time being that last heartbeat. Notebook kernels'
runs are left to the kernel watcher (:mod:`.watcher`), which knows when a kernel goes away.
"""

from __future__ import annotations

import time
from typing import Any

from tornado.ioloop import IOLoop, PeriodicCallback

from labtrack.server.settings import Labtrack
from labtrack.store.rest.store import RestTrackingStore

CHECK_SECONDS = 60.0


def end_stale_runs(client: Any, timeout: float) -> list[str]:
    """End as KILLED the runs whose heartbeat is older than ``timeout`` seconds; their ids."""
    before = int((time.time() - timeout) * 1000)
    killed: list[str] = client.store.kill_stale_runs(before)
    return killed


class StaleRuns:
    """Checks for runs whose process stopped beating, on the server's event loop."""

    def __init__(self, server_app: Any, settings: Labtrack) -> None:
        self.app = server_app
        self.settings = settings
        self._callback: PeriodicCallback | None = None

    def start(self) -> None:
        timeout = self.settings.stale_run_timeout
        if not timeout:
            return
        every = min(CHECK_SECONDS, timeout / 4)
        self._callback = PeriodicCallback(self.check, every * 1000)
        self._callback.start()
        IOLoop.current().add_callback(self.check)  # runs left from before the server started

    def stop(self) -> None:
        if self._callback is not None:
            self._callback.stop()

    async def check(self) -> None:
        if isinstance(self.settings.client().store, RestTrackingStore):
            # The store is a labtrack service (a JupyterHub's): it ends stale runs itself,
            # for everybody; a user's server has no business doing it (nor the permission).
            self.stop()
            return
        try:
            killed = await IOLoop.current().run_in_executor(
                None, end_stale_runs, self.settings.client(), self.settings.stale_run_timeout
            )
        except Exception as exc:  # never take the server down; try again next time
            self.app.log.warning("labtrack: checking for runs without heartbeat failed: %s", exc)
            return
        if killed:
            self.app.log.info(
                "labtrack: %d run(s) had no heartbeat for %g s; marked KILLED: %s",
                len(killed),
                self.settings.stale_run_timeout,
                ", ".join(killed),
            )
