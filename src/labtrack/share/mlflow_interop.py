"""Move runs between labtrack and an MLflow tracking store (needs the ``mlflow`` package).

>>> from labtrack.share import export_to_mlflow, import_from_mlflow
>>> export_to_mlflow(experiments=["/Team/churn"], to="http://mlflow:5000")  # doctest: +SKIP
>>> import_from_mlflow("sqlite:///mlflow.db", experiments=["churn"])         # doctest: +SKIP

Any MLflow tracking URI works (``http(s)://`` servers, ``sqlite:///``, ``databricks``...).
System tags have the same names on both sides (``mlflow.runName``, ``mlflow.parentRunId``...);
tags are copied as they are, and runs read from an older labtrack record with its own names
(``labtrack.runName``...) get MLflow's.

A run's notebook version and environment (labtrack blobs) travel to MLflow as the artifacts
``labtrack/notebook.ipynb`` and ``labtrack/environment.json``; importing from MLflow turns them
back into blobs. The same rules as bundles apply otherwise: new ids, ``labtrack.importedFrom``
(on both sides), experiments matched by name or created, parent links remapped, a second
transfer of the same runs skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from labtrack.errors import InvalidParameterError, InvalidStateError, LabtrackError
from labtrack.share.export import (
    export_records,
    flush_pending,
    read_runs,
    select_runs,
    warn_running,
)
from labtrack.share.import_ import ImportSummary, _fix_model_run_ids, load_records
from labtrack.share.records import (
    BLOB_TAGS,
    IMPORTED_FROM,
    LOCAL_ONLY_TAGS,
    RUN_REFERENCE_TAGS,
    ExperimentRecord,
    MetricSeries,
    RunRecord,
    scratch,
)
from labtrack.tracking.client import TrackingClient
from labtrack.utils import mlflow_tags

__all__ = [
    "TAG_MAP",
    "export_to_mlflow",
    "import_from_mlflow",
    "to_labtrack_tags",
    "to_mlflow_tags",
]

# Names labtrack used before it took MLflow's, and MLflow's.
TAG_MAP = dict(mlflow_tags.LEGACY_NAMES)
_LOGGED_MODELS = mlflow_tags.LOGGED_MODELS
_PROVENANCE_DIR = "labtrack"
_PROVENANCE_FILES = {"notebook": "notebook.ipynb", "environment": "environment.json"}


def to_mlflow_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tags as MLflow names them: labtrack's older system names mapped, the rest unchanged."""
    return mlflow_tags.modern_tags(tags)


def to_labtrack_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tags as labtrack names them: MLflow's names, so the same as :func:`to_mlflow_tags`."""
    return mlflow_tags.modern_tags(tags)


def _mlflow() -> Any:
    try:
        import mlflow  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
        from mlflow.tracking import MlflowClient  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise LabtrackError(
            "Moving runs to or from MLflow needs the mlflow package: "
            "pip install mlflow-skinny (the client alone) or pip install mlflow.",
            "INVALID_PARAMETER_VALUE",
        ) from None
    return MlflowClient


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# -- labtrack -> MLflow ---------------------------------------------------------------
class _MlflowWriter:
    def __init__(self, mc: Any, experiments: dict[str, ExperimentRecord], summary: ImportSummary):
        self.mc = mc
        self.experiments = experiments
        self.summary = summary
        self._exp_ids: dict[str, str] = {}
        self._refs: dict[str, dict[str, str]] = {}
        self._deleted: list[str] = []

    def _experiment_id(self, source_id: str) -> str:
        if source_id in self._exp_ids:
            return self._exp_ids[source_id]
        record = self.experiments[source_id]
        exp = self.mc.get_experiment_by_name(record.name)
        if exp is not None and exp.lifecycle_stage != "active":
            raise InvalidStateError(
                f"MLflow experiment {record.name!r} is deleted; restore it there first."
            )
        if exp is None:
            exp_id = self.mc.create_experiment(record.name, tags=record.tags or None)
            self.summary.created_experiments.append(record.name)
        else:
            exp_id = exp.experiment_id
        self._exp_ids[source_id] = str(exp_id)
        self.summary.experiments[record.name] = str(exp_id)
        return str(exp_id)

    def write(self, record: RunRecord) -> None:

        exp_id = self._experiment_id(record.experiment_id)
        found = self.mc.search_runs(
            [exp_id], f"tags.`{IMPORTED_FROM}` = {_quote(record.run_id)}", run_view_type=3
        )
        if found:
            self.summary.mapping[record.run_id] = found[0].info.run_id
            self.summary.skipped.append(record.run_id)
            return
        skip = {mlflow_tags.RUN_NAME, IMPORTED_FROM, *RUN_REFERENCE_TAGS, *LOCAL_ONLY_TAGS}
        tags = to_mlflow_tags({k: v for k, v in record.tags.items() if k not in skip})
        run = self.mc.create_run(
            exp_id, start_time=record.start_time, tags=tags, run_name=record.run_name or None
        )
        new_id = run.info.run_id
        try:
            self._fill(record, new_id, _fix_model_run_ids)
        except BaseException:
            self.mc.set_terminated(new_id, "FAILED")
            self.mc.delete_run(new_id)
            raise
        self.summary.mapping[record.run_id] = new_id

    def _fill(self, record: RunRecord, new_id: str, fix_models: Any) -> None:
        from mlflow.entities import (  # type: ignore[import-not-found,unused-ignore]
            Metric,
            Param,
            RunTag,
        )

        for batch in _chunks([Param(k, v) for k, v in record.params.items()], 100):
            self.mc.log_batch(new_id, params=batch)
        metrics = [
            Metric(key, v, t, s)
            for key, series in record.metrics.items()
            for s, t, v in zip(series.step, series.timestamp, series.value, strict=True)
        ]
        for batch in _chunks(metrics, 1000):
            self.mc.log_batch(new_id, metrics=batch)
        if record.artifacts is not None:
            fix_models(record.artifacts, record.run_id, new_id)
            self.mc.log_artifacts(new_id, str(record.artifacts))
        if record.blobs:
            with scratch("labtrack-mlflow-") as folder:
                for digest, (kind, data) in record.blobs.items():
                    name = _PROVENANCE_FILES.get(kind)
                    if name and digest in record.tags.values():
                        (folder / name).write_bytes(data)
                self.mc.log_artifacts(new_id, str(folder), _PROVENANCE_DIR)
        extra = [RunTag(IMPORTED_FROM, record.run_id)]
        if _LOGGED_MODELS in record.tags:
            fixed = record.tags[_LOGGED_MODELS].replace(record.run_id, new_id)
            extra.append(RunTag(_LOGGED_MODELS, fixed))
        self.mc.log_batch(new_id, tags=extra)
        if record.status in ("FINISHED", "FAILED", "KILLED"):
            self.mc.set_terminated(new_id, record.status, record.end_time or record.start_time)
        refs = {k: record.tags[k] for k in RUN_REFERENCE_TAGS if k in record.tags}
        if refs:
            self._refs[new_id] = refs
        if record.lifecycle_stage == "deleted":
            self._deleted.append(new_id)

    def finish(self) -> None:
        mapping = self.summary.mapping
        for new_id, refs in self._refs.items():
            for key, old in refs.items():
                if old in mapping:
                    self.mc.set_tag(new_id, key, mapping[old])
                elif key != mlflow_tags.PARENT_RUN_ID:
                    self.mc.set_tag(new_id, key, old)
        for run_id in self._deleted:
            self.mc.delete_run(run_id)


def export_to_mlflow(
    run_ids: Sequence[str] | str | None = None,
    to: str = "",
    *,
    experiments: Sequence[str] | str | None = None,
    tracking_uri: str | None = None,
    include_children: bool = True,
    include_deleted: bool = False,
    progress: bool = True,
) -> ImportSummary:
    """Copy labtrack runs (by id, or whole experiments) into the MLflow store at ``to``.

    Returns the summary of the transfer: ``mapping`` labtrack run id -> MLflow run id.
    """

    if not to:
        raise InvalidParameterError("export_to_mlflow needs to=<MLflow tracking URI>.")
    mc = _mlflow()(tracking_uri=to)
    client = TrackingClient(tracking_uri)
    flush_pending()
    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids or ())
    names = [experiments] if isinstance(experiments, str) else list(experiments or ())
    runs = select_runs(client, ids, names, include_children, include_deleted)
    warn_running(runs)
    summary = ImportSummary(client.tracking_uri)
    writer = _MlflowWriter(mc, export_records(client, runs), summary)
    for record in read_runs(client, runs, progress, "Exporting to MLflow"):
        writer.write(record)
    writer.finish()
    return summary


# -- MLflow -> labtrack ---------------------------------------------------------------
def _mlflow_experiments(mc: Any, names: Sequence[str]) -> list[Any]:
    if names:
        found = []
        for name in names:
            exp = mc.get_experiment_by_name(name)
            if exp is None and name.isdigit():
                exp = mc.get_experiment(name)
            if exp is None:
                raise InvalidParameterError(f"The MLflow store has no experiment named {name!r}.")
            found.append(exp)
        return found
    out: list[Any] = []
    token = None
    while True:
        page = mc.search_experiments(view_type=1, max_results=1000, page_token=token)
        out.extend(page)
        token = page.token
        if not token:
            return out


def _mlflow_runs(mc: Any, exp_ids: list[str], run_ids: Sequence[str]) -> list[Any]:
    if run_ids:
        return [mc.get_run(rid) for rid in run_ids]
    out: list[Any] = []
    token = None
    while True:
        page = mc.search_runs(exp_ids, "", run_view_type=1, max_results=1000, page_token=token)
        out.extend(page)
        token = page.token
        if not token:
            return sorted(out, key=lambda r: (r.info.start_time or 0, r.info.run_id))


def _take_provenance(record: RunRecord, folder: Path) -> None:
    """labtrack/notebook.ipynb and environment.json back into blobs (when a tag names them)."""
    base = folder / _PROVENANCE_DIR
    for tag, kind in BLOB_TAGS.items():
        file = base / _PROVENANCE_FILES[kind]
        if tag in record.tags and file.is_file():
            data = file.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            record.blobs[digest] = (kind, data)
            record.tags[tag] = digest
            file.unlink()
    if base.is_dir() and not any(base.iterdir()):
        base.rmdir()


def _read_mlflow_run(mc: Any, run: Any, folder: Path) -> RunRecord:
    info = run.info
    tags = to_labtrack_tags(dict(run.data.tags))
    record = RunRecord(
        run_id=info.run_id,
        experiment_id=str(info.experiment_id),
        run_name=info.run_name or tags.get(mlflow_tags.RUN_NAME, ""),
        user_id=info.user_id or tags.get(mlflow_tags.USER, ""),
        status=info.status,
        start_time=int(info.start_time or 0),
        end_time=None if info.end_time is None else int(info.end_time),
        lifecycle_stage=info.lifecycle_stage,
        params=dict(run.data.params),
        tags=tags,
    )
    for key in sorted(run.data.metrics):
        series = MetricSeries()
        for m in mc.get_metric_history(info.run_id, key):
            series.add(m.step or 0, m.timestamp or 0, float(m.value))
        record.metrics[key] = series
    if mc.list_artifacts(info.run_id):
        mc.download_artifacts(info.run_id, "", str(folder))
        _take_provenance(record, folder)
        if any(folder.iterdir()):
            record.artifacts = folder
    return record


def _records(mc: Any, runs: list[Any]) -> Iterator[RunRecord]:
    for run in runs:
        with scratch("labtrack-mlflow-") as folder:
            yield _read_mlflow_run(mc, run, folder)


def import_from_mlflow(
    uri: str,
    experiments: Sequence[str] | str | None = None,
    *,
    run_ids: Sequence[str] | None = None,
    tracking_uri: str | None = None,
    progress: bool = True,
) -> ImportSummary:
    """Copy the runs of an MLflow store (all active experiments, or those named) into labtrack.

    Runs land in labtrack experiments of the same names. Returns the summary: ``mapping``
    MLflow run id -> labtrack run id.
    """

    mc = _mlflow()(tracking_uri=uri)
    names = [experiments] if isinstance(experiments, str) else list(experiments or ())
    exps = _mlflow_experiments(mc, names)
    records = {
        str(e.experiment_id): ExperimentRecord(
            str(e.experiment_id),
            e.name,
            {k: v for k, v in (e.tags or {}).items() if not k.startswith("mlflow.")},
            e.lifecycle_stage,
            getattr(e, "creation_time", None),
        )
        for e in exps
    }
    runs = _mlflow_runs(mc, list(records), list(run_ids or ()))
    for run in runs:  # runs named by id may live in experiments not listed
        eid = str(run.info.experiment_id)
        if eid not in records:
            e = mc.get_experiment(eid)
            records[eid] = ExperimentRecord(eid, e.name, {}, e.lifecycle_stage)
    summary = ImportSummary(uri)
    client = TrackingClient(tracking_uri)
    return load_records(client, records, _records(mc, runs), len(runs), None, summary, progress)
