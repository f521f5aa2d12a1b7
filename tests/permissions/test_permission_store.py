"""Owners and grants in the SQL store, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from labtrack.entities import RunTag, ViewType
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.sql.store import SqlTrackingStore


def _experiment(store: SqlTrackingStore, name: str, owner: str | None) -> str:
    eid = store.create_experiment(name)
    store.set_owner("experiment", eid, owner)
    return eid


def test_grants_are_listed_changed_and_removed(perm_store: SqlTrackingStore) -> None:
    eid = _experiment(perm_store, "x", "alice")
    perm_store.set_permission("experiment", eid, "user", "bob", "READ")
    perm_store.set_permission("experiment", eid, "group", "ds", "EDIT")
    perm_store.set_permission("experiment", eid, "user", "bob", "MANAGE")  # replaces READ
    assert perm_store.get_permissions("experiment", eid) == {
        "owner": "alice",
        "grants": [
            {"principal_kind": "user", "principal": "bob", "permission": "MANAGE"},
            {"principal_kind": "group", "principal": "ds", "permission": "EDIT"},
        ],
    }
    perm_store.delete_permission("experiment", eid, "user", "bob")
    assert [g["principal"] for g in perm_store.get_permissions("experiment", eid)["grants"]] == [
        "ds"
    ]
    with pytest.raises(ResourceNotFoundError, match="no grant"):
        perm_store.delete_permission("experiment", eid, "user", "bob")


def test_bad_grants_are_refused_and_nothing_is_written(perm_store: SqlTrackingStore) -> None:
    eid = _experiment(perm_store, "x", "alice")
    with pytest.raises(InvalidParameterError, match="permission must be one of"):
        perm_store.set_permission("experiment", eid, "user", "bob", "OWN")
    with pytest.raises(InvalidParameterError, match="principal_kind"):
        perm_store.set_permission("experiment", eid, "team", "bob", "READ")
    with pytest.raises(InvalidParameterError, match="non-empty"):
        perm_store.set_permission("experiment", eid, "user", " ", "READ")
    with pytest.raises(InvalidParameterError, match="resource_kind"):
        perm_store.set_permission("run", eid, "user", "bob", "READ")
    with pytest.raises(ResourceNotFoundError):
        perm_store.set_permission("experiment", "999", "user", "bob", "READ")
    assert perm_store.get_permissions("experiment", eid)["grants"] == []


def test_access_is_the_strongest_of_owner_user_and_group_grants(
    perm_store: SqlTrackingStore,
) -> None:
    mine = _experiment(perm_store, "mine", "alice")
    theirs = _experiment(perm_store, "theirs", "carol")
    everyone = _experiment(perm_store, "everyone", "carol")
    nobody = _experiment(perm_store, "nobody", None)
    perm_store.set_permission("experiment", theirs, "user", "alice", "READ")
    perm_store.set_permission("experiment", theirs, "group", "ds", "EDIT")
    perm_store.set_permission("experiment", everyone, "group", "*", "READ")
    got = perm_store.access("experiment", [mine, theirs, everyone, nobody, "404"], "alice", ["ds"])
    assert got == {
        mine: ("alice", "MANAGE"),
        theirs: ("carol", "EDIT"),
        everyone: ("carol", "READ"),
        nobody: (None, None),
    }
    assert perm_store.access("experiment", [theirs], "alice", [])[theirs] == ("carol", "READ")


def test_searches_list_only_what_the_caller_may_read(perm_store: SqlTrackingStore) -> None:
    mine = _experiment(perm_store, "mine", "alice")
    shared = _experiment(perm_store, "shared", "carol")
    _experiment(perm_store, "private", "carol")
    perm_store.set_permission("experiment", shared, "group", "ds", "READ")

    def names(user: str, groups: list[str], others_only: bool = False) -> list[str]:
        page = perm_store.search_readable_experiments(
            user, groups, ViewType.ALL, 100, order_by=["name"], others_only=others_only
        )
        # The Default experiment is everyone's (EDIT for "*"): every search lists it.
        listed = [e.name for e in page]
        assert listed[0] == "Default"
        return listed[1:]

    assert names("alice", ["ds"]) == ["mine", "shared"]
    assert names("alice", []) == ["mine"]
    assert names("alice", ["ds"], others_only=True) == ["shared"]
    assert names("bob", []) == []
    # The caller's filter still applies on top.
    page = perm_store.search_readable_experiments(
        "alice", ["ds"], ViewType.ALL, 100, filter_string="name = 'mine'"
    )
    assert [e.experiment_id for e in page] == [mine]


def test_model_grants_follow_a_rename_and_go_with_a_delete(perm_store: SqlTrackingStore) -> None:
    perm_store.create_registered_model("m", [RunTag("k", "v")])
    perm_store.set_owner("registered_model", "m", "alice")
    perm_store.set_permission("registered_model", "m", "user", "bob", "READ")
    perm_store.create_registered_model("other")
    assert [m.name for m in perm_store.search_readable_registered_models("bob", [])] == ["m"]
    perm_store.rename_registered_model("m", "m2")
    assert perm_store.get_permissions("registered_model", "m2") == {
        "owner": "alice",
        "grants": [{"principal_kind": "user", "principal": "bob", "permission": "READ"}],
    }
    perm_store.delete_registered_model("m2")
    perm_store.create_registered_model("m2")
    assert perm_store.get_permissions("registered_model", "m2") == {"owner": None, "grants": []}


def test_experiments_of_runs_and_logged_models(perm_store: SqlTrackingStore) -> None:
    eid = perm_store.create_experiment("x")
    run = perm_store.create_run(eid, "alice", 1, [], None)
    model = perm_store.create_logged_model(eid)
    assert perm_store.experiments_of("run", [run.info.run_id, "f" * 32]) == {run.info.run_id: eid}
    assert perm_store.experiments_of("logged_model", [model.model_id]) == {model.model_id: eid}


def test_version_searches_list_versions_of_readable_models(perm_store: SqlTrackingStore) -> None:
    for name, owner in [("shared", "alice"), ("private", "alice")]:
        perm_store.create_registered_model(name)
        perm_store.set_owner("registered_model", name, owner)
        perm_store.create_model_version(name, "s3://b/x")
    perm_store.set_permission("registered_model", "shared", "group", "ds", "READ")
    found = perm_store.search_readable_model_versions("bob", ["ds"])
    assert [(v.name, v.version) for v in found] == [("shared", 1)]
    assert len(perm_store.search_readable_model_versions("alice", [])) == 2
