"""Team mode's settings: the default for new resources; single-user mode stays open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from tests.permissions.conftest import as_user, new_experiment

pytestmark = pytest.mark.usefixtures("labtrack_home")


@pytest.fixture
def labtrack_config() -> dict[str, object]:
    return {"permissions": True, "default_permission": "READ"}


async def test_a_read_default_shares_new_experiments_with_everyone(jp_fetch: Any) -> None:
    eid = (await new_experiment(jp_fetch, "alice", "open"))["experiment_id"]
    seen = json.loads(
        (await jp_fetch("labtrack", "api", "experiments", eid, headers=as_user("carol"))).body
    )
    assert (seen["owner"], seen["my_permission"]) == ("alice", "READ")
    perms = json.loads(
        (
            await jp_fetch(
                "labtrack", "api", "experiments", eid, "permissions", headers=as_user("alice")
            )
        ).body
    )
    assert perms["grants"] == [{"principal_kind": "group", "principal": "*", "permission": "READ"}]


class TestSingleUser:
    """Permissions off (the default): the Jupyter user may do everything, as before."""

    @pytest.fixture
    def jp_server_config(self, labtrack_home: Path) -> Config:
        return Config(
            {
                "ServerApp": {
                    "jpserver_extensions": {"labtrack": True, "jupyter_server_terminals": False},
                    "allow_unauthenticated_access": False,
                }
            }
        )

    async def test_everything_is_allowed_and_objects_say_so(self, jp_fetch: Any) -> None:
        me = json.loads((await jp_fetch("labtrack", "api", "whoami")).body)
        assert (me["admin"], me["permissions_enabled"]) == (True, False)
        response = await jp_fetch(
            "labtrack", "api", "experiments", method="POST", body=json.dumps({"name": "solo"})
        )
        made = json.loads(response.body)
        assert made["owner"] is None  # nobody owns what is made with permissions off
        assert made["my_permission"] == "MANAGE"
        await jp_fetch("labtrack", "api", "experiments", made["experiment_id"], method="DELETE")
