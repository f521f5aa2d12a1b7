"""Who is calling: the caller of a request as labtrack's permissions see it.

In team mode the identity provider (JupyterHub's, or any that does the same) gives
jupyter_server's ``handler.current_user`` an attribute ``hub_user``: the dict JupyterHub's
``/hub/api/user`` returns (``name``, ``groups``, ``admin``, ``kind``). Without it, the caller
is the jupyter_server user, in no group, and an admin only when permissions are off (a
single-user JupyterLab, where everything is allowed as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Caller", "caller_of"]


@dataclass(frozen=True)
class Caller:
    """A user of the service: their name, their groups, whether they administer everything."""

    name: str
    groups: frozenset[str]
    admin: bool


def caller_of(handler: Any) -> Caller:
    """The :class:`Caller` of a tornado handler's request (``handler.current_user``)."""
    user = handler.current_user
    hub_user = getattr(user, "hub_user", None)
    if isinstance(hub_user, dict) and hub_user.get("name"):
        groups = hub_user.get("groups") or []
        return Caller(
            name=str(hub_user["name"]),
            groups=frozenset(str(group) for group in groups),
            admin=bool(hub_user.get("admin", False)),
        )
    name = getattr(user, "username", None) or (user if isinstance(user, str) else "")
    labtrack = getattr(handler, "labtrack", None)
    enforced = bool(getattr(labtrack, "permissions", False))
    return Caller(name=str(name), groups=frozenset(), admin=not enforced)
