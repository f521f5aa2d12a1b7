"""Registry semantics in the SQL store, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import threading

import pytest

from labtrack.entities import RunTag
from labtrack.errors import (
    FilterSyntaxError,
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from labtrack.store.sql.store import SqlTrackingStore
from labtrack.utils.mlflow_tags import REGISTERED_MODELS


def _model(store: SqlTrackingStore, name: str = "churn", versions: int = 0) -> None:
    store.create_registered_model(name)
    for i in range(versions):
        store.create_model_version(name, f"{store.artifact_root}/src/{i}", user_id="ana")


def test_versions_are_numbered_per_model_from_one(store: SqlTrackingStore) -> None:
    _model(store, "a")
    _model(store, "b")

    numbers_a = [store.create_model_version("a", f"/s/{i}").version for i in range(3)]
    numbers_b = [store.create_model_version("b", "/s/b").version for _ in range(2)]

    assert numbers_a == [1, 2, 3]
    assert numbers_b == [1, 2]


def test_a_deleted_version_number_is_never_reused(store: SqlTrackingStore) -> None:
    _model(store, versions=3)

    store.delete_model_version("churn", 3)
    again = store.create_model_version("churn", "/s/again")

    assert again.version == 4
    with pytest.raises(ResourceNotFoundError, match="version 3"):
        store.get_model_version("churn", 3)
    assert [v.version for v in store.search_model_versions("name = 'churn'")] == [4, 2, 1]


def test_concurrent_registrations_get_distinct_consecutive_numbers(
    store: SqlTrackingStore,
) -> None:
    _model(store)
    got: list[int] = []
    errors: list[BaseException] = []

    def register() -> None:
        try:
            for _ in range(5):
                got.append(store.create_model_version("churn", "/s/x").version)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=register) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(got) == list(range(1, 31))


def test_a_version_records_who_when_where_and_starts_in_stage_none(
    store: SqlTrackingStore,
) -> None:
    run = store.create_run("0", "ana", 1, [], "r")
    _model(store)

    mv = store.create_model_version(
        "churn", "/s/m", run.info.run_id, [RunTag("k", "v")], "first", "ana"
    )

    assert (mv.name, mv.version, mv.user_id, mv.current_stage) == ("churn", 1, "ana", "None")
    assert (mv.source, mv.run_id, mv.status, mv.description) == (
        "/s/m",
        run.info.run_id,
        "READY",
        "first",
    )
    assert mv.tags == {"k": "v"} and mv.aliases == []
    assert mv.creation_timestamp == mv.last_updated_timestamp > 0


def test_transitions_are_recorded_with_who_and_when(store: SqlTrackingStore) -> None:
    _model(store, versions=1)

    store.transition_model_version_stage("churn", 1, "staging", user_id="ana")
    moved = store.transition_model_version_stage("churn", "1", "PRODUCTION", user_id="bo")

    assert moved.current_stage == "Production"
    history = store.get_model_version_transitions("churn", 1)
    assert [(t.from_stage, t.to_stage, t.user_id) for t in history] == [
        ("None", "Staging", "ana"),
        ("Staging", "Production", "bo"),
    ]
    assert history[0].timestamp <= history[1].timestamp


def test_archive_existing_versions_archives_the_others_in_the_target_stage(
    store: SqlTrackingStore,
) -> None:
    _model(store, versions=4)
    store.transition_model_version_stage("churn", 1, "Production")
    store.transition_model_version_stage("churn", 2, "Production")
    store.transition_model_version_stage("churn", 3, "Staging")

    store.transition_model_version_stage("churn", 4, "Production", True, "ana")

    stages = {v.version: v.current_stage for v in store.search_model_versions("name='churn'")}
    assert stages == {1: "Archived", 2: "Archived", 3: "Staging", 4: "Production"}
    assert [(t.from_stage, t.to_stage) for t in store.get_model_version_transitions("churn", 2)][
        -1
    ] == ("Production", "Archived")


def test_without_archive_existing_several_versions_share_a_stage(
    store: SqlTrackingStore,
) -> None:
    _model(store, versions=2)
    store.transition_model_version_stage("churn", 1, "Production")
    store.transition_model_version_stage("churn", 2, "Production")

    latest = store.get_latest_versions("churn", ["Production"])

    assert [v.version for v in latest] == [2]
    assert store.get_model_version("churn", 1).current_stage == "Production"


def test_archive_existing_only_for_staging_and_production(store: SqlTrackingStore) -> None:
    _model(store, versions=1)

    with pytest.raises(InvalidParameterError, match="only to Staging and Production"):
        store.transition_model_version_stage("churn", 1, "Archived", True)


def test_unknown_stage_lists_the_stages(store: SqlTrackingStore) -> None:
    _model(store, versions=1)

    with pytest.raises(InvalidParameterError, match="None, Staging, Production, Archived"):
        store.transition_model_version_stage("churn", 1, "Prod")


def test_latest_versions_per_stage_in_the_order_asked(store: SqlTrackingStore) -> None:
    _model(store, versions=5)
    store.transition_model_version_stage("churn", 1, "Production")
    store.transition_model_version_stage("churn", 2, "Staging")
    store.transition_model_version_stage("churn", 3, "Staging")

    every = store.get_latest_versions("churn")
    asked = store.get_latest_versions("churn", ["Production", "staging"])

    assert [(v.current_stage, v.version) for v in every] == [
        ("None", 5),
        ("Staging", 3),
        ("Production", 1),
    ]
    assert [v.version for v in asked] == [1, 3]
    assert store.get_latest_versions("churn", ["Archived"]) == []


def test_registered_model_lists_latest_versions_tags_and_aliases(
    store: SqlTrackingStore,
) -> None:
    store.create_registered_model("churn", [RunTag("team", "ml")], "predicts churn")
    for _ in range(2):
        store.create_model_version("churn", "/s")
    store.set_registered_model_alias("churn", "champion", 1)

    rm = store.get_registered_model("churn")

    assert rm.description == "predicts churn" and rm.tags == {"team": "ml"}
    assert rm.aliases == {"champion": 1}
    assert [v.version for v in rm.latest_versions] == [2]
    assert rm.creation_timestamp <= rm.last_updated_timestamp


def test_aliases_move_delete_and_go_with_their_version(store: SqlTrackingStore) -> None:
    _model(store, versions=2)

    store.set_registered_model_alias("churn", "champion", 1)
    store.set_registered_model_alias("churn", "champion", 2)
    store.set_registered_model_alias("churn", "challenger", 1)

    assert store.get_model_version_by_alias("churn", "champion").version == 2
    assert store.get_model_version("churn", 2).aliases == ["champion"]
    store.delete_model_version("churn", 1)
    with pytest.raises(ResourceNotFoundError, match="no alias 'challenger'"):
        store.get_model_version_by_alias("churn", "challenger")
    store.delete_registered_model_alias("churn", "champion")
    store.delete_registered_model_alias("churn", "champion")  # again: nothing to do
    assert store.get_registered_model("churn").aliases == {}


@pytest.mark.parametrize("alias", ["latest", "v3", "3", "Production", "staging", "a b", ""])
def test_aliases_that_would_be_ambiguous_are_refused(store: SqlTrackingStore, alias: str) -> None:
    _model(store, versions=1)

    with pytest.raises(InvalidParameterError, match="alias"):
        store.set_registered_model_alias("churn", alias, 1)


def test_alias_to_a_missing_version_is_refused(store: SqlTrackingStore) -> None:
    _model(store, versions=1)

    with pytest.raises(ResourceNotFoundError, match="version 7"):
        store.set_registered_model_alias("churn", "champion", 7)


def test_tags_on_models_and_versions(store: SqlTrackingStore) -> None:
    _model(store, versions=1)

    store.set_registered_model_tag("churn", RunTag("owner", "ana"))
    store.set_registered_model_tag("churn", RunTag("owner", "bo"))
    store.set_model_version_tag("churn", 1, RunTag("validated", "yes"))
    store.delete_registered_model_tag("churn", "owner")

    assert store.get_registered_model("churn").tags == {}
    assert store.get_model_version("churn", 1).tags == {"validated": "yes"}
    store.delete_model_version_tag("churn", 1, "validated")
    assert store.get_model_version("churn", 1).tags == {}
    with pytest.raises(ResourceNotFoundError, match="no tag 'validated'"):
        store.delete_model_version_tag("churn", 1, "validated")


def test_rename_carries_versions_tags_aliases_and_transitions(store: SqlTrackingStore) -> None:
    run = store.create_run("0", "ana", 1, [], "r")
    store.create_registered_model("old", [RunTag("t", "1")])
    store.create_model_version("old", "/s", run.info.run_id, [RunTag("k", "v")])
    store.transition_model_version_stage("old", 1, "Production")
    store.set_registered_model_alias("old", "champion", 1)

    renamed = store.rename_registered_model("old", "new")

    assert renamed.name == "new" and renamed.tags == {"t": "1"}
    mv = store.get_model_version_by_alias("new", "champion")
    assert (mv.version, mv.current_stage, mv.tags) == (1, "Production", {"k": "v"})
    assert len(store.get_model_version_transitions("new", 1)) == 1
    with pytest.raises(ResourceNotFoundError, match="'old' not found"):
        store.get_registered_model("old")
    assert json.loads(store.get_run(run.info.run_id).data.tags[REGISTERED_MODELS]) == ["new"]


def test_rename_onto_an_existing_name_is_refused(store: SqlTrackingStore) -> None:
    _model(store, "a")
    _model(store, "b")

    with pytest.raises(ResourceAlreadyExistsError, match="Choose another name"):
        store.rename_registered_model("a", "b")


def test_delete_model_removes_everything_under_it(store: SqlTrackingStore) -> None:
    run = store.create_run("0", "ana", 1, [], "r")
    _model(store)
    store.create_model_version("churn", "/s", run.info.run_id)
    store.set_registered_model_alias("churn", "champion", 1)

    store.delete_registered_model("churn")

    assert store.search_registered_models() == []
    assert store.search_model_versions(f"run_id = '{run.info.run_id}'") == []
    assert REGISTERED_MODELS not in store.get_run(run.info.run_id).data.tags
    _model(store)  # the name is free again, numbering starts over
    assert store.create_model_version("churn", "/s").version == 1


def test_duplicate_model_name_is_refused(store: SqlTrackingStore) -> None:
    _model(store)

    with pytest.raises(ResourceAlreadyExistsError, match="already exists"):
        store.create_registered_model("churn")


@pytest.mark.parametrize("name", ["", " x", "a/b", "m@champion", "50%", "q?", "x\x00"])
def test_names_that_break_uris_or_paths_are_refused(store: SqlTrackingStore, name: str) -> None:
    with pytest.raises(InvalidParameterError, match="registered model name"):
        store.create_registered_model(name)


def test_missing_model_and_version_say_how_to_find_them(store: SqlTrackingStore) -> None:
    with pytest.raises(ResourceNotFoundError, match="search_registered_models"):
        store.get_registered_model("nope")
    _model(store)
    with pytest.raises(ResourceNotFoundError, match="search_model_versions"):
        store.get_model_version("churn", 2)
    with pytest.raises(ResourceNotFoundError, match="not found"):
        store.create_model_version("nope", "/s")


def test_run_tag_lists_the_models_made_from_the_run(store: SqlTrackingStore) -> None:
    run = store.create_run("0", "ana", 1, [], "r")
    store.update_run_info(run.info.run_id, "FINISHED")
    rid = run.info.run_id
    for name in ("b", "a"):
        _model(store, name)
        store.create_model_version(name, "/s", rid)
    store.create_model_version("a", "/s", rid)

    assert json.loads(store.get_run(rid).data.tags[REGISTERED_MODELS]) == ["a", "b"]
    store.delete_model_version("b", 1)
    assert json.loads(store.get_run(rid).data.tags[REGISTERED_MODELS]) == ["a"]
    store.delete_model_version("a", 1)
    store.delete_model_version("a", 2)
    assert REGISTERED_MODELS not in store.get_run(rid).data.tags


def test_a_version_from_an_unknown_run_is_refused(store: SqlTrackingStore) -> None:
    _model(store)

    with pytest.raises(ResourceNotFoundError, match="No run"):
        store.create_model_version("churn", "/s", "0" * 32)


def test_search_registered_models_filter_order_and_pages(store: SqlTrackingStore) -> None:
    for name in ("churn-a", "churn-b", "fraud", "Churn-c"):
        _model(store, name)
    store.set_registered_model_tag("fraud", RunTag("team", "risk"))

    like = store.search_registered_models("name LIKE 'churn%'")
    ilike = store.search_registered_models("name ILIKE 'churn%'", order_by=["name DESC"])
    tagged = store.search_registered_models("tags.team = 'risk'")
    page1 = store.search_registered_models(max_results=3)
    page2 = store.search_registered_models(max_results=3, page_token=page1.token)

    assert [m.name for m in like] == ["churn-a", "churn-b"]
    assert [m.name for m in ilike] == ["churn-b", "churn-a", "Churn-c"]
    assert [m.name for m in tagged] == ["fraud"]
    assert [m.name for m in page1] + [m.name for m in page2] == [
        "Churn-c",
        "churn-a",
        "churn-b",
        "fraud",
    ]
    assert page2.token is None


def test_search_model_versions_by_name_run_stage_and_tag(store: SqlTrackingStore) -> None:
    run = store.create_run("0", "ana", 1, [], "r")
    _model(store, "a", versions=2)
    _model(store, "b")
    store.create_model_version("b", "/s", run.info.run_id, [RunTag("ok", "1")])
    store.transition_model_version_stage("a", 2, "Production")

    by_name = store.search_model_versions("name = 'a'")
    by_run = store.search_model_versions(f"run_id = '{run.info.run_id}'")
    by_stage = store.search_model_versions("current_stage = 'Production'")
    by_tag = store.search_model_versions("tags.ok = '1'")
    newest = store.search_model_versions("name='a'", order_by=["version_number ASC"])

    assert [(v.name, v.version) for v in by_name] == [("a", 2), ("a", 1)]
    assert [(v.name, v.version) for v in by_run] == [("b", 1)]
    assert [(v.name, v.version) for v in by_stage] == [("a", 2)]
    assert [(v.name, v.version) for v in by_tag] == [("b", 1)]
    assert [v.version for v in newest] == [1, 2]


def test_search_filter_errors_name_the_columns(store: SqlTrackingStore) -> None:
    with pytest.raises(FilterSyntaxError, match="run_id"):
        store.search_model_versions("bogus = 'x'")
    with pytest.raises(FilterSyntaxError, match="tags"):
        store.search_model_versions("metrics.x > 1")
    with pytest.raises(FilterSyntaxError, match="name"):
        store.search_registered_models("bogus = 'x'")


def test_every_change_moves_the_change_marker_forward(store: SqlTrackingStore) -> None:
    _model(store, versions=1)
    seen = [store.registered_model_marker("churn")]

    for change in (
        lambda: store.create_model_version("churn", "/s"),
        lambda: store.transition_model_version_stage("churn", 2, "Production"),
        lambda: store.set_registered_model_alias("churn", "champion", 1),
        lambda: store.delete_registered_model_alias("churn", "champion"),
        lambda: store.set_model_version_tag("churn", 1, RunTag("a", "b")),
        lambda: store.update_model_version("churn", 1, "text"),
        lambda: store.delete_model_version("churn", 1),
    ):
        change()
        seen.append(store.registered_model_marker("churn"))

    assert all(later > earlier for earlier, later in zip(seen, seen[1:], strict=False))  # type: ignore[operator]
    assert store.registered_model_marker("nope") is None
