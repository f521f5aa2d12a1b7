"""A throwaway PostgreSQL server for labtrack's PostgreSQL figures, stopped by its PID.

Started from the PostgreSQL binaries (``/usr/lib/postgresql/*/bin`` or ``PATH``) in a folder of
its own, listening on 127.0.0.1 only, with PostgreSQL's default durability (``fsync`` and
``synchronous_commit`` on): the figures are what a team store costs, not a tuned one. As root,
it runs as the ``postgres`` user (``initdb`` refuses root). Without the binaries the suite
says so and measures SQLite only.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.procs import free_port

STARTUP_TIMEOUT = 60.0


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for path in found:
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def _as_postgres() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    import pwd

    entry = pwd.getpwnam("postgres")  # KeyError: no postgres user (reported by start())
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class Postgres:
    """``start()`` gives the admin URL; ``stop()`` ends the server by its PID and removes its
    folder (a temporary folder of its own: the postgres user cannot enter the suite's)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="labtrack-bench-pg-"))
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.why = ""

    def start(self) -> str | None:
        """Start the server; None if it cannot run here (with why in ``self.why``)."""
        initdb, postgres = _binary("initdb"), _binary("postgres")
        if initdb is None or postgres is None:
            self.why = "no PostgreSQL binaries (initdb, postgres) on this machine"
            return None
        try:
            user = _as_postgres()
        except KeyError:
            self.why = "running as root without a 'postgres' user"
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        if user:
            os.chown(self.folder, user["user"], user["group"])
        data = self.folder / "data"
        init = subprocess.run(
            [initdb, "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8"],
            capture_output=True,
            **user,
        )
        if init.returncode != 0:
            self.why = f"initdb failed: {init.stderr.decode(errors='replace')[-300:]}"
            return None
        port = free_port()
        log = (self.folder / "postgres.log").open("ab")
        self.proc = subprocess.Popen(
            [
                postgres,
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.folder}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **user,
        )
        log.close()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self._ready(port):
                return self.url
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.why = "PostgreSQL did not start (see postgres.log in the work folder)"
        self.stop()
        return None

    @staticmethod
    def _ready(port: int) -> bool:
        import psycopg

        try:
            psycopg.connect(
                host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2
            ).close()
        except psycopg.Error:
            return False
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)  # PostgreSQL's fast shutdown
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)
