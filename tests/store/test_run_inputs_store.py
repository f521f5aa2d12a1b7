"""Datasets, run inputs and outputs in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from labtrack.entities.dataset import Dataset, DatasetInput, InputTag
from labtrack.entities.logged_model import LoggedModelInput, LoggedModelOutput
from labtrack.errors import InvalidParameterError, InvalidStateError, ResourceNotFoundError
from labtrack.store.sql.store import SqlTrackingStore

TRAIN = Dataset("train", "abcd1234", "code", '{"tags": {}}', '{"mlflow_colspec": []}', "{}")


def _use(dataset: Dataset, **tags: str) -> DatasetInput:
    return DatasetInput(dataset, [InputTag(k, v) for k, v in tags.items()])


def test_a_dataset_input_comes_back_with_its_tags_sorted(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], None).info.run_id

    store.log_inputs(run_id, [_use(TRAIN, **{"mlflow.data.context": "training", "a": "1"})])

    (found,) = store.get_run(run_id).inputs.dataset_inputs
    assert found.dataset == TRAIN
    assert [(t.key, t.value) for t in found.tags] == [
        ("a", "1"),
        ("mlflow.data.context", "training"),
    ]


def test_the_same_dataset_is_stored_once_and_a_run_keeps_its_first_use(
    store: SqlTrackingStore,
) -> None:
    first = store.create_run("0", "u", 1, [], None).info.run_id
    second = store.create_run("0", "u", 2, [], None).info.run_id
    store.log_inputs(first, [_use(TRAIN, context="training")])
    store.log_inputs(first, [_use(TRAIN, context="again"), _use(TRAIN, context="dup")])
    store.log_inputs(second, [_use(TRAIN)])

    (used,) = store.get_run(first).inputs.dataset_inputs
    assert [(t.key, t.value) for t in used.tags] == [("context", "training")]
    assert store.get_run(second).inputs.dataset_inputs[0].tags == []
    rows = store.database.read(
        lambda c: c.exec_driver_sql("SELECT count(*) FROM datasets").scalar()
    )
    assert rows == 1


def test_search_runs_gives_each_run_its_inputs_and_outputs(store: SqlTrackingStore) -> None:
    with_data = store.create_run("0", "u", 1, [], None).info.run_id
    without = store.create_run("0", "u", 2, [], None).info.run_id
    model = store.create_logged_model("0", "m", with_data)
    store.log_inputs(with_data, [_use(TRAIN)], [LoggedModelInput(model.model_id)])
    store.log_outputs(with_data, [LoggedModelOutput(model.model_id, 3)])

    runs = {r.info.run_id: r for r in store.search_runs(["0"])}

    assert [d.dataset.name for d in runs[with_data].inputs.dataset_inputs] == ["train"]
    assert runs[with_data].inputs.model_inputs == [LoggedModelInput(model.model_id)]
    assert runs[with_data].outputs.model_outputs == [LoggedModelOutput(model.model_id, 3)]
    assert runs[without].inputs.dataset_inputs == [] and runs[without].outputs.model_outputs == []


def test_a_finished_run_takes_inputs_but_a_deleted_one_does_not(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], None).info.run_id
    store.update_run_info(run_id, "FINISHED")
    store.log_inputs(run_id, [_use(TRAIN)])  # evaluation after the run ended

    store.delete_run(run_id)

    with pytest.raises(InvalidStateError, match="deleted"):
        store.log_inputs(run_id, [_use(TRAIN)])
    with pytest.raises(ResourceNotFoundError):
        store.log_inputs("0" * 32, [_use(TRAIN)])


def test_outputs_need_a_known_model(store: SqlTrackingStore) -> None:
    run_id = store.create_run("0", "u", 1, [], None).info.run_id
    with pytest.raises(ResourceNotFoundError, match="not found"):
        store.log_outputs(run_id, [LoggedModelOutput("m-" + "2" * 32, 0)])
    assert store.get_run(run_id).outputs.model_outputs == []


@pytest.mark.parametrize(
    ("dataset", "tags", "message"),
    [
        (Dataset("x" * 501, "d", "code", "{}"), {}, "name is 501"),
        (Dataset("x", "d" * 37, "code", "{}"), {}, "digest is 37"),
        (Dataset("x", "d", "code", ""), {}, "needs a source"),
        (TRAIN, {"k": "v" * 501}, "at most 500"),
    ],
)
def test_mlflows_limits_are_kept_and_nothing_is_written(
    store: SqlTrackingStore, dataset: Dataset, tags: dict[str, str], message: str
) -> None:
    run_id = store.create_run("0", "u", 1, [], None).info.run_id
    with pytest.raises(InvalidParameterError, match=message):
        store.log_inputs(run_id, [_use(TRAIN), _use(dataset, **tags)])
    assert store.get_run(run_id).inputs.dataset_inputs == []
