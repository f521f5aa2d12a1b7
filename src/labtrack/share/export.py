"""Read runs out of a labtrack store, and write them as a bundle (format: ``labtrack.share``)."""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack.entities import Run, ViewType
from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.share.records import (
    BLOB_TAGS,
    ExperimentRecord,
    MetricSeries,
    RunRecord,
    artifact_files,
    scratch,
)
from labtrack.store.artifacts import ArtifactRepository
from labtrack.tracking.client import TrackingClient, experiment_not_found
from labtrack.utils import mlflow_tags
from labtrack.utils.redact import redact_uri
from labtrack.utils.version import __version__

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = ["BUNDLE_FORMAT", "BUNDLE_FORMAT_VERSION", "ExportSummary", "export_runs"]

BUNDLE_FORMAT = "labtrack-bundle"
BUNDLE_FORMAT_VERSION = 1
_PARENT = mlflow_tags.PARENT_RUN_ID


@dataclass
class ExportSummary:
    """What an export wrote: where, which runs, experiments, blobs and artifact files."""

    destination: str
    run_ids: list[str] = field(default_factory=list)
    experiments: list[str] = field(default_factory=list)
    blobs: int = 0
    artifact_files: int = 0

    def __str__(self) -> str:
        return (
            f"Exported {len(self.run_ids)} run(s) of {len(self.experiments)} experiment(s) "
            f"({self.artifact_files} artifact file(s), {self.blobs} notebook version(s) and "
            f"environment(s)) to {self.destination}"
        )


def flush_pending() -> None:
    """Commit metric points this process still queues (without creating a store for it)."""
    import sys

    if "labtrack.tracking.writer" in sys.modules:
        sys.modules["labtrack.tracking.writer"].flush_all()


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _all_runs(
    client: TrackingClient, exp_ids: list[str], filter_string: str, view: int
) -> list[Run]:
    out: list[Run] = []
    token = None
    while True:
        page = client.search_runs(exp_ids, filter_string, view, 1000, None, token)
        out.extend(page)
        token = page.token
        if not token:
            return out


def _children(client: TrackingClient, parents: list[Run], view: int) -> list[Run]:
    """Every descendant of ``parents`` (a search's children, then theirs...)."""
    found: list[Run] = []
    level = parents
    seen = {r.info.run_id for r in parents}
    while level:
        by_exp: dict[str, list[str]] = {}
        for run in level:
            by_exp.setdefault(run.info.experiment_id, []).append(run.info.run_id)
        level = []
        for exp_id, ids in by_exp.items():
            for start in range(0, len(ids), 500):
                chunk = ", ".join(_quote(i) for i in ids[start : start + 500])
                for run in _all_runs(client, [exp_id], f"tags.`{_PARENT}` IN ({chunk})", view):
                    if run.info.run_id not in seen:
                        seen.add(run.info.run_id)
                        level.append(run)
        found.extend(level)
    return found


def select_runs(
    client: TrackingClient,
    run_ids: Sequence[str] = (),
    experiments: Sequence[str] = (),
    include_children: bool = True,
    include_deleted: bool = False,
) -> list[Run]:
    """The runs named, the runs of the experiments named (by name or id), and their children."""
    if not run_ids and not experiments:
        raise InvalidParameterError("Name runs (by id) or experiments (by name) to export.")
    view = ViewType.ALL if include_deleted else ViewType.ACTIVE_ONLY
    runs = [client.get_run(rid) for rid in dict.fromkeys(run_ids)]
    for ref in experiments:
        exp = client.get_experiment_by_name(ref)
        if exp is None and ref.isdigit():
            exp = client.get_experiment(ref)
        if exp is None:
            raise experiment_not_found(ref)
        runs.extend(_all_runs(client, [exp.experiment_id], "", view))
    if include_children:
        runs.extend(_children(client, runs, view))
    unique = {r.info.run_id: r for r in runs}
    # Parents before children, each level by start time: imports can then link as they go.
    return sorted(unique.values(), key=lambda r: (r.info.start_time, r.info.run_id))


def experiment_record(client: TrackingClient, experiment_id: str) -> ExperimentRecord:
    exp = client.get_experiment(experiment_id)
    return ExperimentRecord(
        exp.experiment_id, exp.name, dict(exp.tags), exp.lifecycle_stage, exp.creation_time
    )


def read_run(client: TrackingClient, run: Run, folder: Path) -> RunRecord:
    """A run of a labtrack store as a record; its artifacts are downloaded into ``folder``."""

    info = run.info
    record = RunRecord(
        run_id=info.run_id,
        experiment_id=info.experiment_id,
        run_name=info.run_name,
        user_id=info.user_id,
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        lifecycle_stage=info.lifecycle_stage,
        params=dict(run.data.params),
        tags=dict(run.data.tags),
    )
    for key in sorted(run.data.metrics):
        series = MetricSeries()
        for m in client.get_metric_history(info.run_id, key):
            series.add(m.step, m.timestamp, m.value)
        record.metrics[key] = series
    repo = ArtifactRepository(info.artifact_uri)
    if repo.list_artifacts():
        repo.download_artifacts("", str(folder))
        record.artifacts = folder
    for tag in BLOB_TAGS:
        digest = run.data.tags.get(tag)
        if digest:
            # A tag that outlived its blob: the run travels without it.
            with contextlib.suppress(ResourceNotFoundError):
                record.blobs[digest] = client.store.get_blob(digest)
    return record


def read_runs(
    client: TrackingClient, runs: Iterable[Run], progress: bool, desc: str
) -> Iterator[RunRecord]:
    """Records of ``runs``, one at a time (each one's artifact folder lives until the next)."""
    from tqdm.auto import tqdm

    runs = list(runs)
    with tqdm(total=len(runs), desc=desc, unit="run", disable=not progress) as bar:
        for run in runs:
            with scratch("labtrack-export-") as folder:
                yield read_run(client, run, folder)
            bar.update(1)


def _write_bundle(
    client: TrackingClient, runs: list[Run], path: Path, progress: bool
) -> ExportSummary:

    summary = ExportSummary(str(path))
    experiments: dict[str, ExperimentRecord] = {}
    blob_kinds: dict[str, str] = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for record in read_runs(client, runs, progress, "Exporting"):
                if record.experiment_id not in experiments:
                    experiments[record.experiment_id] = experiment_record(
                        client, record.experiment_id
                    )
                files = artifact_files(record.artifacts)
                base = f"runs/{record.run_id}"
                zf.writestr(f"{base}/run.json", json.dumps(record.to_json(files), indent=1))
                for f in files:
                    assert record.artifacts is not None
                    zf.write(record.artifacts / f["path"], f"{base}/artifacts/{f['path']}")
                for digest, (kind, data) in record.blobs.items():
                    if digest not in blob_kinds:
                        zf.writestr(f"blobs/{digest}", data)
                        blob_kinds[digest] = kind
                summary.run_ids.append(record.run_id)
                summary.artifact_files += len(files)
            zf.writestr(
                "experiments.json",
                json.dumps([e.to_json() for e in experiments.values()], indent=1),
            )
            manifest = {
                "format": BUNDLE_FORMAT,
                "format_version": BUNDLE_FORMAT_VERSION,
                "labtrack_version": __version__,
                "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "source": redact_uri(client.tracking_uri),
                "runs": summary.run_ids,
                "blobs": blob_kinds,
            }
            zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    summary.experiments = [e.name for e in experiments.values()]
    summary.blobs = len(blob_kinds)
    return summary


def export_runs(
    run_ids: Sequence[str] | str | None = None,
    path: str | os.PathLike[str] = "bundle.zip",
    *,
    experiments: Sequence[str] | str | None = None,
    tracking_uri: str | None = None,
    include_children: bool = True,
    include_deleted: bool = False,
    progress: bool = True,
) -> ExportSummary:
    """Write runs (by id) and/or whole experiments (by name or id) to a bundle zip file.

    Child runs come along unless ``include_children=False``; deleted runs of the experiments
    only with ``include_deleted=True``. The file is written whole or not at all.

    >>> from labtrack.share import export_runs
    >>> export_runs(["4f1c..."], "bundle.zip")                       # doctest: +SKIP
    >>> export_runs(path="team.zip", experiments=["/Team/churn"])    # doctest: +SKIP
    """

    ids = [run_ids] if isinstance(run_ids, str) else list(run_ids or ())
    names = [experiments] if isinstance(experiments, str) else list(experiments or ())
    client = TrackingClient(tracking_uri)
    flush_pending()
    runs = select_runs(client, ids, names, include_children, include_deleted)
    warn_running(runs)
    return _write_bundle(client, runs, Path(path), progress)


def warn_running(runs: list[Run]) -> None:
    running = [r.info.run_id for r in runs if r.info.status == "RUNNING"]
    if running:
        import warnings

        warnings.warn(
            f"{len(running)} run(s) are still running ({', '.join(running[:3])}"
            f"{', ...' if len(running) > 3 else ''}); they travel with what they logged so far "
            "and stay RUNNING where they are imported.",
            UserWarning,
            stacklevel=3,
        )


def export_records(client: TrackingClient, runs: list[Run]) -> dict[str, Any]:
    """Experiments of ``runs`` by id (used by the MLflow export)."""
    return {eid: experiment_record(client, eid) for eid in {r.info.experiment_id for r in runs}}
