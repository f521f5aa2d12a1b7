"""Who is running this process: the user name runs and model versions are recorded under."""

from __future__ import annotations

import getpass
import os

__all__ = ["current_user"]


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return os.environ.get("USER", "unknown")
