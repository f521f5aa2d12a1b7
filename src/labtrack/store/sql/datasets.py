"""Datasets and the edges of a run in the SQL store: the datasets it used (with input tags such
as ``mlflow.data.context``), the logged models it used and the ones it produced.

A dataset is stored once per experiment, name and digest, however many runs use it; a run
logging the same dataset twice keeps its first use (and its tags), as MLflow does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Connection, select

from labtrack.entities import LifecycleStage
from labtrack.entities.dataset import Dataset, DatasetInput, InputTag, RunInputs, RunOutputs
from labtrack.entities.logged_model import LoggedModelInput, LoggedModelOutput
from labtrack.errors import InvalidParameterError, InvalidStateError
from labtrack.store.sql import tables
from labtrack.store.sql.database import Database, upsert_into
from labtrack.store.sql.logged_models import check_model_id, model_row
from labtrack.store.sql.run_data import run_row, touch_runs
from labtrack.utils import validation

DATASET = "DATASET"
RUN = "RUN"
RUN_INPUT, MODEL_INPUT = "RUN_INPUT", "MODEL_INPUT"
RUN_OUTPUT, MODEL_OUTPUT = "RUN_OUTPUT", "MODEL_OUTPUT"

MAX_DATASETS_PER_BATCH = 1000
# MLflow's limits, so a dataset one tool accepts the other accepts too.
_LIMITS = {"name": 500, "digest": 36, "source_type": 36, "source": 65535, "schema": 1048575}
MAX_INPUT_TAG_KEY, MAX_INPUT_TAG_VALUE = 255, 500
_CHUNK = 500


def check_dataset_inputs(inputs: Sequence[DatasetInput]) -> list[DatasetInput]:
    """The inputs, each with a dataset within MLflow's limits; duplicates (name, digest) once."""
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise InvalidParameterError("datasets must be a list of DatasetInput.")
    if len(inputs) > MAX_DATASETS_PER_BATCH:
        raise InvalidParameterError(
            f"At most {MAX_DATASETS_PER_BATCH} datasets per call; got {len(inputs)}."
        )
    kept: dict[tuple[str, str], DatasetInput] = {}
    for item in inputs:
        ds = getattr(item, "dataset", None)
        if not isinstance(ds, Dataset):
            raise InvalidParameterError(
                f"Each input needs a Dataset (mlflow.data.from_pandas(...)); got {item!r}."
            )
        for what, limit in _LIMITS.items():
            text = getattr(ds, what)
            if what in ("name", "digest", "source_type", "source") and not text:
                raise InvalidParameterError(f"A dataset needs a {what}.")
            if text is not None and len(text) > limit:
                raise InvalidParameterError(
                    f"Dataset {ds.name!r}: its {what} is {len(text)} characters; at most {limit}."
                )
        for tag in item.tags:
            if not tag.key or len(tag.key) > MAX_INPUT_TAG_KEY:
                raise InvalidParameterError(
                    f"Input tag keys are 1 to {MAX_INPUT_TAG_KEY} characters; got {tag.key!r}."
                )
            if len(str(tag.value)) > MAX_INPUT_TAG_VALUE:
                raise InvalidParameterError(
                    f"Input tag {tag.key!r}: values are at most {MAX_INPUT_TAG_VALUE} characters."
                )
        kept.setdefault((ds.name, ds.digest), item)
    return list(kept.values())


def _active_run(connection: Connection, run_id: str) -> int:
    """The run's experiment (key); the run must exist and not be deleted."""
    row = run_row(connection, run_id)
    if row.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidStateError(
            f"Run {run_id} is deleted; restore it with restore_run() before logging into it."
        )
    return int(row.experiment_id)


def _edge(connection: Connection, source: tuple[str, str], dest: tuple[str, str], step: int) -> str:
    """Insert the edge unless it exists; return its input_uuid (the existing one if so)."""
    inputs = tables.inputs
    key = (
        inputs.c.source_type == source[0],
        inputs.c.source_id == source[1],
        inputs.c.destination_type == dest[0],
        inputs.c.destination_id == dest[1],
    )
    found = connection.execute(select(inputs.c.input_uuid).where(*key)).scalar()
    if found is not None:
        return str(found)
    new = uuid.uuid4().hex
    connection.execute(
        upsert_into(connection, inputs)
        .values(
            input_uuid=new,
            source_type=source[0],
            source_id=source[1],
            destination_type=dest[0],
            destination_id=dest[1],
            step=step,
        )
        .on_conflict_do_nothing()
    )
    return new


class DatasetRepository:
    """Datasets, run inputs (datasets and logged models) and run outputs (logged models)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def log_inputs(
        self,
        run_id: str,
        datasets: Sequence[DatasetInput] | None,
        models: Sequence[LoggedModelInput] | None,
    ) -> None:
        run_id = validation.run_id(run_id)
        dataset_inputs = check_dataset_inputs(datasets or [])
        model_ids = [check_model_id(m.model_id) for m in models or ()]
        ds_table, tag_table = tables.datasets, tables.input_tags

        def work(connection: Connection) -> None:
            experiment = _active_run(connection, run_id)
            for model_id in model_ids:
                model_row(connection, model_id)
                _edge(connection, (RUN_INPUT, run_id), (MODEL_INPUT, model_id), 0)
            for item in dataset_inputs:
                ds = item.dataset
                where = (
                    ds_table.c.experiment_id == experiment,
                    ds_table.c.name == ds.name,
                    ds_table.c.digest == ds.digest,
                )
                dataset_uuid = connection.execute(
                    select(ds_table.c.dataset_uuid).where(*where)
                ).scalar()
                if dataset_uuid is None:
                    dataset_uuid = uuid.uuid4().hex
                    connection.execute(
                        ds_table.insert().values(
                            dataset_uuid=dataset_uuid,
                            experiment_id=experiment,
                            name=ds.name,
                            digest=ds.digest,
                            dataset_source_type=ds.source_type,
                            dataset_source=ds.source,
                            dataset_schema=ds.schema,
                            dataset_profile=ds.profile,
                        )
                    )
                inputs = tables.inputs
                existing = connection.execute(
                    select(inputs.c.input_uuid).where(
                        inputs.c.source_type == DATASET,
                        inputs.c.source_id == dataset_uuid,
                        inputs.c.destination_type == RUN,
                        inputs.c.destination_id == run_id,
                    )
                ).scalar()
                if existing is not None:
                    continue  # the run's first use of this dataset (and its tags) stays
                input_uuid = _edge(connection, (DATASET, dataset_uuid), (RUN, run_id), 0)
                tags = {t.key: str(t.value) for t in item.tags}
                if tags:
                    connection.execute(
                        tag_table.insert(),
                        [
                            {"input_uuid": input_uuid, "name": k, "value": v}
                            for k, v in tags.items()
                        ],
                    )
            touch_runs(connection, [run_id])

        self.database.write(work)

    def log_outputs(self, run_id: str, models: Sequence[LoggedModelOutput]) -> None:
        run_id = validation.run_id(run_id)
        outputs = [(check_model_id(m.model_id), int(m.step)) for m in models]

        def work(connection: Connection) -> None:
            _active_run(connection, run_id)
            for model_id, step in outputs:
                model_row(connection, model_id)
                _edge(connection, (RUN_OUTPUT, run_id), (MODEL_OUTPUT, model_id), step)
            touch_runs(connection, [run_id])

        self.database.write(work)

    def run_edges(
        self, connection: Connection, run_ids: Sequence[str]
    ) -> dict[str, tuple[RunInputs, RunOutputs]]:
        """Each run's inputs and outputs, read on ``connection`` (three queries per 500 runs)."""
        out = {r: (RunInputs(), RunOutputs()) for r in run_ids}
        inputs, ds_table, tag_table = tables.inputs, tables.datasets, tables.input_tags
        for start in range(0, len(run_ids), _CHUNK):
            chunk = list(run_ids[start : start + _CHUNK])
            used = connection.execute(
                select(inputs.c.input_uuid, inputs.c.destination_id, ds_table)
                .join(ds_table, ds_table.c.dataset_uuid == inputs.c.source_id)
                .where(
                    inputs.c.source_type == DATASET,
                    inputs.c.destination_type == RUN,
                    inputs.c.destination_id.in_(chunk),
                )
                .order_by(ds_table.c.name, ds_table.c.digest)
            ).all()
            tags: dict[str, list[InputTag]] = {}
            uuids = [row.input_uuid for row in used]
            for i in range(0, len(uuids), _CHUNK):
                for input_uuid, name, value in connection.execute(
                    select(tag_table.c.input_uuid, tag_table.c.name, tag_table.c.value)
                    .where(tag_table.c.input_uuid.in_(uuids[i : i + _CHUNK]))
                    .order_by(tag_table.c.name)
                ):
                    tags.setdefault(input_uuid, []).append(InputTag(name, value))
            for row in used:
                dataset = Dataset(
                    name=row.name,
                    digest=row.digest,
                    source_type=row.dataset_source_type,
                    source=row.dataset_source,
                    schema=row.dataset_schema,
                    profile=row.dataset_profile,
                )
                out[row.destination_id][0].dataset_inputs.append(
                    DatasetInput(dataset, tags.get(row.input_uuid, []))
                )
            edges = connection.execute(
                select(
                    inputs.c.source_type, inputs.c.source_id, inputs.c.destination_id, inputs.c.step
                )
                .where(
                    inputs.c.source_type.in_((RUN_INPUT, RUN_OUTPUT)),
                    inputs.c.source_id.in_(chunk),
                )
                .order_by(inputs.c.step, inputs.c.destination_id)
            ).all()
            for kind, run_id, model_id, step in edges:
                if kind == RUN_INPUT:
                    out[run_id][0].model_inputs.append(LoggedModelInput(model_id))
                else:
                    out[run_id][1].model_outputs.append(LoggedModelOutput(model_id, int(step)))
        return out
