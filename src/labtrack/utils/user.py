"""Who is running this process: the user name runs and model versions are recorded under."""

from __future__ import annotations

import functools
import getpass
import os

__all__ = ["current_user"]


def current_user() -> str:
    """The JupyterHub user in a hub's single-user server or kernel, else the OS account.

    In a hub every user's server may run as the same account (``jovyan`` in containers, root on
    small installs), so the hub's name (``JUPYTERHUB_USER``, set by the spawner) is the person.
    """
    hub_user = os.environ.get("JUPYTERHUB_USER")
    if hub_user:
        return hub_user
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):  # getpass.getuser's order
        found = os.environ.get(name)
        if found:
            return found
    return _account(os.getuid()) if hasattr(os, "getuid") else _account(-1)


@functools.lru_cache(maxsize=8)
def _account(uid: int) -> str:
    # The user database is read once per account: every new run asks (~0.1 ms a lookup).
    del uid  # the cache key: another account (after setuid) is looked up again
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return os.environ.get("USER", "unknown")
