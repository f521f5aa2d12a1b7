"""Share runs: bundles between labtrack stores, and transfers to and from MLflow.

>>> from labtrack.share import export_runs, import_bundle
>>> export_runs(["4f1c..."], "bundle.zip")                 # doctest: +SKIP
>>> import_bundle("bundle.zip", tracking_uri="/other/home")  # doctest: +SKIP

From the command line: ``labtrack runs export RUN_ID... -o bundle.zip`` (or
``--experiment NAME``), ``labtrack runs import bundle.zip``; with the ``mlflow`` package
installed (``pip install mlflow-skinny`` is enough),
``labtrack runs export ... --format mlflow --to URI`` and
``labtrack runs import --from-mlflow URI``.

Bundle format (version 1)
-------------------------

A zip file::

    manifest.json                  {"format": "labtrack-bundle", "format_version": 1,
                                    "labtrack_version": "...", "exported_at": ISO 8601 UTC,
                                    "source": store URI (password masked),
                                    "runs": [run ids, parents before children],
                                    "blobs": {digest: kind}}
    experiments.json               [{"experiment_id", "name", "tags", "lifecycle_stage",
                                     "creation_time"}]
    runs/<run_id>/run.json         {"info": {"run_id", "experiment_id", "run_name", "user_id",
                                             "status", "start_time", "end_time",
                                             "lifecycle_stage"},
                                    "params": {key: value}, "tags": {key: value},
                                    "metrics": {key: {"step": [...], "timestamp": [...],
                                                      "value": [...]}},
                                    "artifacts": [{"path", "size"}]}
    runs/<run_id>/artifacts/...    the run's artifact files, as logged
    blobs/<digest>                 notebook versions and environments (kind "notebook" or
                                   "environment"), named by their SHA-256, as the tags
                                   labtrack.notebook.revision / labtrack.environment.revision
                                   of the runs name them

Metric values are JSON numbers, except NaN and infinities, written ``"NaN"``, ``"Infinity"``,
``"-Infinity"``. Times are milliseconds since the epoch. A reader refuses a bundle whose
``format_version`` is newer than it knows; new optional keys do not change the version.

Import rules: every run gets a new id and the tag ``labtrack.importedFrom = <old id>`` (written
last, so a run with it is complete; importing the same bundle again skips those runs).
Experiments are matched by name, or created with their tags. ``mlflow.parentRunId`` and
``labtrack.reproducedFrom`` are remapped to the new ids when the run they name comes along; a
parent that is neither in the bundle nor in the store is dropped. ``run_id`` in ``MLmodel``
files is rewritten to the new id. ``labtrack.registeredModels`` is dropped (registered models do
not travel in bundles). Blobs are checked against their digest. Bundles written before labtrack
used MLflow's system tag names (``labtrack.runName``, ``labtrack.parentRunId``...) import with
MLflow's names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labtrack.share import mlflow_interop
from labtrack.share.export import (
    BUNDLE_FORMAT,
    BUNDLE_FORMAT_VERSION,
    ExportSummary,
    export_runs,
)
from labtrack.share.import_ import Bundle, ImportSummary, import_bundle
from labtrack.share.records import IMPORTED_FROM

if TYPE_CHECKING:
    from labtrack.share.mlflow_interop import export_to_mlflow, import_from_mlflow

__all__ = [
    "BUNDLE_FORMAT",
    "BUNDLE_FORMAT_VERSION",
    "IMPORTED_FROM",
    "Bundle",
    "ExportSummary",
    "ImportSummary",
    "export_runs",
    "export_to_mlflow",
    "import_bundle",
    "import_from_mlflow",
]


def __getattr__(name: str) -> Any:
    # The MLflow transfers import nothing of MLflow until called, but keep them out of the
    # bundle path anyway.
    if name in ("export_to_mlflow", "import_from_mlflow"):
        return getattr(mlflow_interop, name)
    raise AttributeError(f"module 'labtrack.share' has no attribute {name!r}")
