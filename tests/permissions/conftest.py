"""Fixtures of the team-mode tests: a fresh store on SQLite and on a real PostgreSQL; a
Jupyter server with the extension in team mode and four users (``as_user``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.identity import IdentityProvider, User
from traitlets.config import Config

from labtrack.store.sql.store import SqlTrackingStore
from tests.server.conftest import labtrack_home  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def perm_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[SqlTrackingStore]:  # type: ignore[no-untyped-def]
    uri = (
        f"sqlite:///{tmp_path / 'labtrack.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    store = SqlTrackingStore(uri, str(tmp_path / "artifacts"))
    yield store
    store.close()


# -- a Jupyter server in team mode, with fixed users ---------------------------------------------
# The hub is a boundary we do not own: these tokens stand for what JupyterHub's identity
# provider would give (``hub_user`` as /hub/api/user returns it).
HUB_USERS: dict[str, dict[str, object]] = {
    "alice-token": {"name": "alice", "groups": ["ds"], "admin": False, "kind": "user"},
    "bob-token": {"name": "bob", "groups": ["ds"], "admin": False, "kind": "user"},
    "carol-token": {"name": "carol", "groups": [], "admin": False, "kind": "user"},
    "admin-token": {"name": "root", "groups": [], "admin": True, "kind": "user"},
}


def as_user(name: str) -> dict[str, str]:
    """The headers of a request made by ``name`` (alice, bob, carol, root)."""
    token = next(t for t, u in HUB_USERS.items() if u["name"] == name)
    return {"Authorization": f"token {token}"}


async def new_experiment(jp_fetch: Any, user: str, name: str) -> dict[str, Any]:
    """``user`` creates an experiment through the REST API; its JSON."""
    response = await jp_fetch(
        "labtrack",
        "api",
        "experiments",
        method="POST",
        headers=as_user(user),
        body=json.dumps({"name": name}),
    )
    made: dict[str, Any] = json.loads(response.body)
    return made


async def share(
    jp_fetch: Any, owner: str, resource: str, principal_kind: str, principal: str, permission: str
) -> None:
    """``owner`` grants ``permission`` on ``resource`` (``experiments/3``,
    ``registered-models/m``) through the REST API."""
    await jp_fetch(
        "labtrack",
        "api",
        *resource.split("/"),
        "permissions",
        method="PUT",
        headers=as_user(owner),
        body=json.dumps(
            {"principal_kind": principal_kind, "principal": principal, "permission": permission}
        ),
    )


class FixedUsers(IdentityProvider):
    """Users by token, each with a ``hub_user`` dict (as the JupyterHub side provides)."""

    def get_user(self, handler: Any) -> Any:
        hub_user = HUB_USERS.get(self.get_token(handler) or "")
        if hub_user is None:  # the server's own token: a user without hub_user
            return super().get_user(handler)
        handler._token_authenticated = True  # a token, not a cookie: no XSRF check
        user = User(username=str(hub_user["name"]))
        user.hub_user = dict(hub_user)  # type: ignore[attr-defined]
        return user


@pytest.fixture
def labtrack_config() -> dict[str, object]:
    return {"permissions": True}


@pytest.fixture
def jp_server_config(labtrack_home: Path, labtrack_config: dict[str, object]) -> Config:  # noqa: F811
    return Config(
        {
            "ServerApp": {
                "jpserver_extensions": {"labtrack": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
                "identity_provider_class": FixedUsers,
            },
            "Labtrack": labtrack_config,
        }
    )
