"""Runs created through a JupyterHub service carry the caller's hub name.

In hub mode (:mod:`labtrack.server.hub_identity`) the hub says who is calling; a client's own
idea of its user (MLflow's and labtrack's clients send the operating-system account, often
``root`` or ``jovyan`` for everyone) is replaced by that name in the run's ``user_id`` and its
``mlflow.user`` tag. Outside a hub nothing changes. Light on purpose: the extension imports it
whether or not jupyterhub is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from labtrack.entities import RunTag
from labtrack.utils import mlflow_tags

__all__ = ["hub_name", "stamp_run_user"]


def hub_name(handler: Any) -> str | None:
    """The JupyterHub name of the request's caller, or ``None`` outside a hub."""
    hub_user = getattr(handler.current_user, "hub_user", None)
    if isinstance(hub_user, dict) and isinstance(hub_user.get("name"), str):
        return str(hub_user["name"])
    return None


def stamp_run_user(
    handler: Any, user_id: str, tags: Sequence[RunTag] | None
) -> tuple[str, list[RunTag]]:
    """``user_id`` and ``tags`` of a new run, with the hub caller's name where there is one.

    >>> class Handler:
    ...     current_user = type("U", (), {"hub_user": {"name": "ann"}})()
    >>> uid, tags = stamp_run_user(Handler(), "root", [RunTag("mlflow.user", "root")])
    >>> uid, [(t.key, t.value) for t in tags]
    ('ann', [('mlflow.user', 'ann')])
    """
    out = list(tags or [])
    name = hub_name(handler)
    if name is None:
        return user_id, out
    out = [t for t in out if t.key != mlflow_tags.USER]
    out.append(RunTag(mlflow_tags.USER, name))
    return name, out
