"""``c.Labtrack.mlflow_kernel_env``: kernels started by this server log MLflow here.

The kernel manager's ``start_kernel`` gets ``MLFLOW_TRACKING_URI`` (this server's MLflow API)
and ``MLFLOW_TRACKING_TOKEN`` (this server's token) added to the environment it passes the
kernel, so ``import mlflow`` in a notebook needs no configuration; labtrack's MLflow plugin
(:mod:`labtrack.mlflow_plugin`) then gives its runs the notebook's experiment and version. A
kernelspec's own ``env`` still wins, as it does over the server's environment.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["give_kernels_mlflow", "mlflow_env"]


def mlflow_env(server_app: Any) -> dict[str, str]:
    """The variables a kernel gets: this server's MLflow URL and token."""
    env = {"MLFLOW_TRACKING_URI": f"{server_app.connection_url.rstrip('/')}/labtrack/mlflow"}
    token = getattr(server_app.identity_provider, "token", "") or ""
    if token:
        env["MLFLOW_TRACKING_TOKEN"] = token
    return env


def give_kernels_mlflow(server_app: Any) -> None:
    """Wrap the kernel manager's ``start_kernel`` to add :func:`mlflow_env` (once)."""
    manager = server_app.kernel_manager
    if getattr(manager, "_labtrack_mlflow_env", False):
        return
    start = manager.start_kernel
    if not getattr(server_app.identity_provider, "token", ""):
        server_app.log.warning(
            "labtrack: mlflow_kernel_env is on but this server has no token (password or no "
            "authentication): kernels get MLFLOW_TRACKING_URI only, and MLflow's requests are "
            "refused unless the server allows them."
        )

    async def start_kernel(*args: Any, **kwargs: Any) -> Any:
        env = dict(kwargs.get("env") or os.environ)
        env.update(mlflow_env(server_app))
        kwargs["env"] = env
        return await start(*args, **kwargs)

    manager.start_kernel = start_kernel
    manager._labtrack_mlflow_env = True
    server_app.log.info(
        "labtrack: kernels get MLFLOW_TRACKING_URI=%s",
        mlflow_env(server_app)["MLFLOW_TRACKING_URI"],
    )
