"""Read a bundle, and load runs into a labtrack store under new ids (format: ``labtrack.share``)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack.entities import LifecycleStage, Param, RunStatus, RunTag, ViewType
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    ResourceNotFoundError,
)
from labtrack.share.export import BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION
from labtrack.share.records import (
    BLOB_TAGS,
    IMPORTED_FROM,
    LOCAL_ONLY_TAGS,
    RUN_REFERENCE_TAGS,
    ExperimentRecord,
    RunRecord,
    scratch,
)
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts.paths import safe_artifact_path
from labtrack.tracking.client import TrackingClient
from labtrack.utils import mlflow_tags
from labtrack.utils.user import current_user

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = ["Bundle", "ImportSummary", "RunLoader", "import_bundle"]

_RUN_NAME = mlflow_tags.RUN_NAME
_PARENT = mlflow_tags.PARENT_RUN_ID
_LOGGED_MODELS = mlflow_tags.LOGGED_MODELS
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_PARAMS_PER_BATCH = 100
_POINTS_PER_TXN = 10_000


@dataclass
class ImportSummary:
    """What an import did: ``mapping`` old run id -> new run id (runs imported before keep
    the id they got then and are listed in ``skipped``), and the experiments used."""

    source: str
    mapping: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    experiments: dict[str, str] = field(default_factory=dict)
    created_experiments: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        imported = len(self.mapping) - len(self.skipped)
        text = f"Imported {imported} run(s) from {self.source}"
        if self.skipped:
            text += f" ({len(self.skipped)} already imported before, skipped)"
        names = ", ".join(repr(n) for n in self.experiments)
        return f"{text} into experiment(s) {names}" if names else text


class BundleError(InvalidParameterError):
    """The file is not a bundle this labtrack can read."""


class Bundle:
    """A bundle zip opened for reading: manifest, experiments and runs (one at a time)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise BundleError(f"{str(self.path)!r} is not a labtrack bundle: {exc}") from exc
        self.manifest = self._json("manifest.json")
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != BUNDLE_FORMAT:
            raise BundleError(f"{str(self.path)!r} is not a labtrack bundle (no manifest).")
        version = self.manifest.get("format_version")
        if not isinstance(version, int) or version > BUNDLE_FORMAT_VERSION:
            raise BundleError(
                f"{str(self.path)!r} has bundle format {version!r}; this labtrack reads up to "
                f"{BUNDLE_FORMAT_VERSION}. Upgrade labtrack to import it."
            )
        self.experiments = {
            e.experiment_id: e
            for e in (ExperimentRecord.from_json(x) for x in self._json("experiments.json"))
        }
        self.run_ids = [str(r) for r in self.manifest.get("runs", [])]
        bad = [r for r in self.run_ids if not _RUN_ID.fullmatch(r)]
        if bad:
            raise BundleError(f"Bundle {str(self.path)!r} names invalid run ids: {bad[:3]}.")
        self.blob_kinds = {str(k): str(v) for k, v in self.manifest.get("blobs", {}).items()}

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, name: str) -> Any:
        try:
            with self._zip.open(name) as f:
                return json.load(f)
        except KeyError:
            raise BundleError(f"Bundle {str(self.path)!r} has no {name}.") from None
        except ValueError as exc:
            raise BundleError(f"Bundle {str(self.path)!r}: {name} is not JSON ({exc}).") from exc

    def _blob(self, digest: str) -> tuple[str, bytes] | None:
        kind = self.blob_kinds.get(digest)
        if kind is None:
            return None
        data = self._zip.read(f"blobs/{digest}")
        if hashlib.sha256(data).hexdigest() != digest:
            raise BundleError(f"Bundle {str(self.path)!r}: blob {digest} is corrupt.")
        return kind, data

    def _extract_artifacts(self, run_id: str, folder: Path) -> bool:

        prefix = f"runs/{run_id}/artifacts/"
        found = False
        for entry in self._zip.infolist():
            if not entry.filename.startswith(prefix) or entry.is_dir():
                continue
            rel = safe_artifact_path(entry.filename[len(prefix) :])  # refuses ../ and the like
            target = folder.joinpath(*rel.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            with self._zip.open(entry) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            found = True
        return found

    def records(self) -> Iterator[RunRecord]:
        """Each run with its blobs; its artifacts extracted in a folder that lives until the
        next record is asked for."""

        for run_id in self.run_ids:
            record = RunRecord.from_json(self._json(f"runs/{run_id}/run.json"))
            for tag in BLOB_TAGS:
                digest = record.tags.get(tag)
                blob = self._blob(digest) if digest else None
                if digest and blob is not None:
                    record.blobs[digest] = blob
            with scratch("labtrack-import-") as folder:
                if self._extract_artifacts(run_id, folder):
                    record.artifacts = folder
                yield record


def _fix_model_run_ids(folder: Path, old: str, new: str) -> None:
    """``run_id:`` in the MLmodel files of the run's models now names the new run."""
    pattern = re.compile(rf"^run_id: ['\"]?{re.escape(old)}['\"]?\s*$", re.MULTILINE)
    for mlmodel in folder.rglob("MLmodel"):
        text = mlmodel.read_text(encoding="utf-8")
        fixed = pattern.sub(f"run_id: {new}", text)
        if fixed != text:
            mlmodel.write_text(fixed, encoding="utf-8")


class RunLoader:
    """Writes run records into a store: new ids, experiments matched by name or created,
    ``labtrack.importedFrom`` on each run, parent links remapped once every run is in."""

    def __init__(
        self,
        client: TrackingClient,
        experiments: dict[str, ExperimentRecord],
        target_experiment: str | None,
        summary: ImportSummary,
    ) -> None:
        self.client = client
        self.store = client.store
        self.experiments = experiments
        self.target = target_experiment
        self.summary = summary
        self._exp_ids: dict[str, str] = {}
        self._refs: dict[str, dict[str, str]] = {}
        self._deleted: list[str] = []

    def _experiment_id(self, source_id: str) -> str:
        if source_id in self._exp_ids:
            return self._exp_ids[source_id]
        record = self.experiments.get(source_id)
        name = self.target or (record.name if record else f"Imported experiment {source_id}")
        exp = self.client.get_experiment_by_name(name)
        if exp is not None and exp.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidStateError(
                f"Experiment {name!r} is deleted in this store. Restore it, or import into "
                "another experiment (--experiment NAME)."
            )
        if exp is None:
            tags = dict(record.tags) if record and not self.target else {}
            exp_id = self.client.create_experiment(name, tags=tags)
            self.summary.created_experiments.append(name)
        else:
            exp_id = exp.experiment_id
        self._exp_ids[source_id] = exp_id
        self.summary.experiments[name] = exp_id
        return exp_id

    def _already_imported(self, exp_id: str, old_id: str) -> str | None:
        quoted = old_id.replace("'", "''")
        found = self.client.search_runs(
            [exp_id], f"tags.`{IMPORTED_FROM}` = '{quoted}'", ViewType.ALL, 1
        )
        return found[0].info.run_id if found else None

    def load(self, record: RunRecord) -> str:
        """Create the run in the store (or find the one an earlier import made); its new id."""

        exp_id = self._experiment_id(record.experiment_id)
        existing = self._already_imported(exp_id, record.run_id)
        if existing is not None:
            self.summary.mapping[record.run_id] = existing
            self.summary.skipped.append(record.run_id)
            return existing
        for digest, (kind, data) in record.blobs.items():
            if hashlib.sha256(data).hexdigest() != digest:
                raise InvalidParameterError(f"Run {record.run_id}: blob {digest} is corrupt.")
            self.store.put_blob(kind, data)
        skip = {_RUN_NAME, IMPORTED_FROM, *RUN_REFERENCE_TAGS, *LOCAL_ONLY_TAGS}
        tags = {k: v for k, v in record.tags.items() if k not in skip}
        run = self.store.create_run(
            exp_id,
            user_id=record.user_id or current_user(),
            start_time=record.start_time,
            tags=[RunTag(k, v) for k, v in tags.items()],
            run_name=record.run_name or None,
        )
        new_id = run.info.run_id
        try:
            self._fill(record, new_id, run.info.artifact_uri)
        except BaseException:
            # A half-imported run must not pass for an imported one: the next import redoes it.
            self.store.update_run_info(new_id, run_status="FAILED")
            self.store.delete_run(new_id)
            raise
        self.summary.mapping[record.run_id] = new_id
        return new_id

    def _fill(self, record: RunRecord, new_id: str, artifact_uri: str) -> None:

        params = [Param(k, v) for k, v in record.params.items()]
        for start in range(0, len(params), _PARAMS_PER_BATCH):
            self.store.log_batch(new_id, params=params[start : start + _PARAMS_PER_BATCH])
        points = [
            (new_id, key, v, t, s)
            for key, series in record.metrics.items()
            for s, t, v in zip(series.step, series.timestamp, series.value, strict=True)
        ]
        for start in range(0, len(points), _POINTS_PER_TXN):
            self.store.log_metric_points(points[start : start + _POINTS_PER_TXN])
        if record.artifacts is not None:
            _fix_model_run_ids(record.artifacts, record.run_id, new_id)
            ArtifactRepository(artifact_uri).log_artifacts(str(record.artifacts))
        if RunStatus.is_terminated(record.status):
            self.store.update_run_info(
                new_id, run_status=record.status, end_time=record.end_time or record.start_time
            )
        final = [RunTag(IMPORTED_FROM, record.run_id)]
        models = record.tags.get(_LOGGED_MODELS, "")
        if record.run_id in models:  # MLflow's history names the run
            final.append(RunTag(_LOGGED_MODELS, models.replace(record.run_id, new_id)))
        # Written last: a run carrying labtrack.importedFrom is complete.
        self.store.log_batch(new_id, tags=final, allow_terminated=True)
        refs = {k: record.tags[k] for k in RUN_REFERENCE_TAGS if k in record.tags}
        if refs:
            self._refs[new_id] = refs
        if record.lifecycle_stage == LifecycleStage.DELETED:
            self._deleted.append(new_id)

    def _exists(self, run_id: str) -> bool:
        try:
            self.store.get_run(run_id)
        except ResourceNotFoundError:
            return False
        return True

    def finish(self) -> None:
        """Link children to their imported parents, then delete the runs that were deleted."""
        mapping = self.summary.mapping
        for new_id, refs in self._refs.items():
            tags = []
            for key, old in refs.items():
                if old in mapping:
                    tags.append(RunTag(key, mapping[old]))
                elif key != _PARENT or self._exists(old):
                    tags.append(RunTag(key, old))  # provenance; or a parent already here
            if tags:
                self.store.log_batch(new_id, tags=tags, allow_terminated=True)
        for run_id in self._deleted:
            self.store.delete_run(run_id)


def load_records(
    client: TrackingClient,
    experiments: dict[str, ExperimentRecord],
    records: Iterable[RunRecord],
    total: int,
    target_experiment: str | None,
    summary: ImportSummary,
    progress: bool,
) -> ImportSummary:
    from tqdm.auto import tqdm

    loader = RunLoader(client, experiments, target_experiment, summary)
    with tqdm(total=total, desc="Importing", unit="run", disable=not progress) as bar:
        for record in records:
            loader.load(record)
            bar.update(1)
    loader.finish()
    return summary


def import_bundle(
    path: str | os.PathLike[str],
    experiment: str | None = None,
    *,
    tracking_uri: str | None = None,
    progress: bool = True,
) -> ImportSummary:
    """Load a bundle's runs into a store (default: the current one) under new run ids.

    Runs go to experiments of the same names (created when missing), or all to
    ``experiment``. Each new run carries ``labtrack.importedFrom = <old run id>``; importing
    the same bundle again skips the runs already imported. Returns an :class:`ImportSummary`
    whose ``mapping`` gives the new id of every old one.

    >>> from labtrack.share import import_bundle
    >>> import_bundle("bundle.zip").mapping  # doctest: +SKIP
    {'4f1c...': '9a0b...'}
    """

    client = TrackingClient(tracking_uri)
    with Bundle(path) as bundle:
        summary = ImportSummary(str(path))
        return load_records(
            client,
            bundle.experiments,
            bundle.records(),
            len(bundle.run_ids),
            experiment,
            summary,
            progress,
        )
