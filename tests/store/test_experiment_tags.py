"""Experiment tags are set, overwritten and deleted (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from labtrack.entities import RunTag
from labtrack.errors import ResourceNotFoundError


def test_delete_experiment_tag_removes_only_that_tag(store):
    eid = store.create_experiment("tagged", tags=[RunTag("a", "1"), RunTag("b", "2")])
    store.delete_experiment_tag(eid, "a")
    assert store.get_experiment(eid).tags == {"b": "2"}


def test_deleting_a_missing_tag_or_experiment_is_not_found(store):
    eid = store.create_experiment("tagged")
    with pytest.raises(ResourceNotFoundError, match="no tag 'nope'"):
        store.delete_experiment_tag(eid, "nope")
    with pytest.raises(ResourceNotFoundError):
        store.delete_experiment_tag("12345", "a")
