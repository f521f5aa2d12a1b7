"""The search read by key (``search_run_key_table``, SQLite's DataFrame read) is not part of the
store RPC, but a client over a guarded store looks it up by name: in team mode it is checked
like ``search_run_table``, not refused as an unknown method nor passed through unchecked."""

from __future__ import annotations

import pytest

from labtrack.entities import Param
from labtrack.errors import PermissionDeniedError
from labtrack.server.identity import Caller
from labtrack.server.permissions import Guard
from labtrack.server.permissions_store import GuardedStore
from labtrack.store.sql.store import SqlTrackingStore


def _as(store: SqlTrackingStore, name: str) -> GuardedStore:
    return GuardedStore(store, Guard(store, Caller(name, frozenset(), False), "NONE"))


def test_the_read_by_key_needs_read_on_every_experiment(perm_store: SqlTrackingStore) -> None:
    eid = perm_store.create_experiment("alice's")
    perm_store.set_owner("experiment", eid, "alice")
    run = perm_store.create_run(eid, "alice", 1, [], "r")
    perm_store.log_param(run.info.run_id, Param("alpha", "0.5"))

    with pytest.raises(PermissionDeniedError):
        _as(perm_store, "bob").search_run_key_table([eid])
    perm_store.set_permission("experiment", eid, "user", "bob", "READ")
    # Bob may read now: the call reaches the store (SQLite reads by key, PostgreSQL gives None).
    read = _as(perm_store, "bob").search_run_key_table([eid])
    direct = perm_store.search_run_key_table([eid])
    if direct is None:
        assert read is None
    else:
        assert read is not None
        assert read["runs"] == direct["runs"]
        assert [(k, list(p), v) for k, p, v in read["params"]] == [("alpha", [0], ["0.5"])]
