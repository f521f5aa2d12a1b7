"""Team mode's cost as a client sees it: the sidebar's requests and MLflow's log-batch through
two real Jupyter servers on one SQLite store, permissions off and on.

``.venv/bin/python -m bench.permissions_http [--rounds N]`` prints a table and writes
``bench/results/permissions-http.{json,md}``. Both servers run the same identity provider
(:class:`BenchUsers`: the token names the user, as a hub's would), so they differ only in
``c.Labtrack.permissions``; requests alternate between them, each mode first in turn. The store
is :func:`bench.permissions.fill`'s (200 experiments, 1,000 grants, 1,000 runs in the caller's).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from jupyter_server.auth.identity import IdentityProvider, User
from tqdm import tqdm

from bench.permissions import fill, write_report
from bench.procs import Server, free_port
from labtrack.store.sql.store import SqlTrackingStore

ROOT = Path(__file__).resolve().parents[1]
CALLER = "user-0"


class BenchUsers(IdentityProvider):
    """The token is the user's name; every user is in the group ``ds``."""

    def get_user(self, handler: Any) -> User | None:
        name = self.get_token(handler)
        if not name:
            return None
        handler._token_authenticated = True
        user = User(username=name)
        user.hub_user = {"name": name, "groups": ["ds"], "admin": False, "kind": "user"}  # type: ignore[attr-defined]
        return user


def server(folder: Path, permissions: bool) -> Server:
    name = "on" if permissions else "off"
    home = folder / name
    for sub in ("config", "runtime", "root"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LABTRACK_TRACKING_URI": f"sqlite:///{folder / 'labtrack.db'}",
        "LABTRACK_ARTIFACT_ROOT": str(folder / "artifacts"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        "--allow-root",
        f"--ServerApp.root_dir={home / 'root'}",
        "--ServerApp.jpserver_extensions={'labtrack': True}",
        "--ServerApp.identity_provider_class=bench.permissions_http.BenchUsers",
        f"--Labtrack.permissions={permissions}",
    ]
    headers = {"Authorization": f"token {CALLER}"}
    return Server(f"jupyter ({name})", cmd, env, ROOT, home / "server.log", port, headers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = SqlTrackingStore(f"sqlite:///{folder / 'labtrack.db'}", str(folder / "artifacts"))
        mine, run_id = fill(store)
        store.close()
        servers = {"off": server(folder, False), "on": server(folder, True)}
        try:
            for s in servers.values():
                s.start()
                s.wait_until("/labtrack/api/whoami", 120)
            clients = {mode: s.http() for mode, s in servers.items()}
            step = iter(range(10**9))

            def batch() -> dict[str, Any]:
                n = next(step)
                points = [{"key": "ingest", "value": 1.0, "timestamp": 1, "step": n}] * 100
                return {"run_id": run_id, "metrics": points}

            cases: dict[str, tuple[str, str, Any]] = {
                "sidebar: experiment list": ("GET", "/labtrack/api/experiments", None),
                "sidebar: change marker poll": (
                    "GET",
                    f"/labtrack/api/changes?experiment_id={mine}&since=x",
                    None,
                ),
                "sidebar: first page of runs": (
                    "GET",
                    f"/labtrack/api/runs?experiment_id={mine}&max_results=100",
                    None,
                ),
                "MLflow log-batch (100 points)": (
                    "POST",
                    "/labtrack/mlflow/api/2.0/mlflow/runs/log-batch",
                    batch,
                ),
            }
            samples = {k: {"off": [], "on": []} for k in cases}  # type: ignore[var-annotated]
            order = ["off", "on"]
            for _ in tqdm(range(rounds), desc="rounds"):
                order.reverse()
                for name, (method, path, body) in cases.items():
                    for mode in order:
                        payload = body() if callable(body) else body
                        seconds, _ = clients[mode].request(method, path, payload)
                        samples[name][mode].append(seconds * 1000)
        finally:
            for s in servers.values():
                s.stop()
    write_report(
        "permissions-http",
        f"Permission checks over HTTP: medians of {rounds} rounds (SQLite, as user-0)",
        samples,
        {"off": "off", "on": "on"},
        ["The experiment list is shorter with permissions on (only what user-0 may read)."],
    )


if __name__ == "__main__":
    main()
