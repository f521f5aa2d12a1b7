"""Dump what a tracking tool stored, through MLflow's own client API, as a raw JSON record.

The same code reads MLflow's store and labtrack's: it only calls the public API that labtrack
promises to share (``MlflowClient`` search, get and list calls), so reading is itself part of
what is compared. Each section is read on its own; a call the tool lacks leaves that section as
``{"reader_error": ...}`` instead of losing the whole record. Ids, times and paths are kept
here and normalized on the host side (``tests/conformance/normalize.py``), where they can be
tested without either tool.

Runs inside the tool's interpreter: standard library only, besides the tool.
"""

from __future__ import annotations

import importlib
import traceback
from typing import Any

MAX_HISTORY = 200


def _error(exc: BaseException) -> dict[str, str]:
    line = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return {"reader_error": line[:300]}


def _section(read: Any) -> Any:
    try:
        return read()
    except Exception as exc:  # noqa: BLE001 - a missing API is a finding, not a crash
        return _error(exc)


def _artifacts(client: Any, run_id: str, path: str | None = None, depth: int = 0) -> list[str]:
    """Every artifact file of a run; a model folder (one holding ``MLmodel``) is one entry.

    A model's inner files (pickle or skops, conda.yaml, requirements.txt) are each tool's own
    business; that a model was logged at that path is what a user relies on.
    """
    entries = client.list_artifacts(run_id, path) if path else client.list_artifacts(run_id)
    names = {e.path.rsplit("/", 1)[-1] for e in entries}
    if path and "MLmodel" in names:
        return [f"{path}/MLmodel"]
    out: list[str] = []
    for entry in entries:
        if entry.is_dir and depth < 6:
            out.extend(_artifacts(client, run_id, entry.path, depth + 1))
        elif not entry.is_dir:
            out.append(entry.path)
    return sorted(out)


def _metrics(client: Any, run: Any) -> dict[str, Any]:
    out = {}
    for key, value in run.data.metrics.items():
        try:
            history = client.get_metric_history(run.info.run_id, key)
            points = sorted((m.step, m.value) for m in history)[:MAX_HISTORY]
            out[key] = {"last": value, "history": [list(p) for p in points]}
        except Exception as exc:  # noqa: BLE001
            out[key] = {"last": value, **_error(exc)}
    return out


def _inputs(run: Any) -> list[dict[str, Any]]:
    inputs = getattr(run, "inputs", None)
    out = []
    for item in getattr(inputs, "dataset_inputs", None) or []:
        tags = {t.key: t.value for t in (item.tags or [])}
        ds = item.dataset
        out.append(
            {
                "name": ds.name,
                "source_type": ds.source_type,
                "context": tags.get("mlflow.data.context"),
            }
        )
    return sorted(out, key=lambda d: (str(d["name"]), str(d["context"])))


def _run(client: Any, run: Any) -> dict[str, Any]:
    info = run.info
    return {
        "run_id": info.run_id,
        "experiment_id": info.experiment_id,
        "name": getattr(info, "run_name", None) or run.data.tags.get("mlflow.runName"),
        "status": info.status,
        "lifecycle_stage": info.lifecycle_stage,
        "start_time": info.start_time,
        "params": dict(run.data.params),
        "metrics": _section(lambda: _metrics(client, run)),
        "tags": dict(run.data.tags),
        "artifacts": _section(lambda: _artifacts(client, info.run_id)),
        "inputs": _section(lambda: _inputs(run)),
    }


def _registered_models(client: Any) -> list[dict[str, Any]]:
    out = []
    for rm in client.search_registered_models():
        versions = client.search_model_versions(f"name='{rm.name}'")
        aliases = getattr(rm, "aliases", None) or {}
        out.append(
            {
                "name": rm.name,
                "description": rm.description or "",
                "tags": dict(rm.tags or {}),
                "aliases": {k: str(v) for k, v in dict(aliases).items()},
                "versions": sorted(
                    (
                        {
                            "version": str(mv.version),
                            "stage": mv.current_stage,
                            "status": mv.status,
                            "run_id": mv.run_id,
                            "description": mv.description or "",
                            "tags": dict(mv.tags or {}),
                            "aliases": sorted(getattr(mv, "aliases", None) or []),
                        }
                        for mv in versions
                    ),
                    key=lambda v: int(v["version"]),
                ),
            }
        )
    return sorted(out, key=lambda m: m["name"])


def _logged_models(client: Any, experiment_ids: list[str]) -> Any:
    if not hasattr(client, "search_logged_models"):
        return {"absent": "MlflowClient.search_logged_models"}
    out = []
    for lm in client.search_logged_models(experiment_ids=experiment_ids):
        out.append(
            {
                "model_id": lm.model_id,
                "name": lm.name,
                "experiment_id": lm.experiment_id,
                "source_run_id": lm.source_run_id,
                "status": str(lm.status),
                "params": dict(lm.params or {}),
                "tags": dict(lm.tags or {}),
                "creation_timestamp": lm.creation_timestamp,
            }
        )
    return out


def collect(tool: str, tracking_uri: str | None = None) -> dict[str, Any]:
    """The raw record of everything the tool stored, read through its MLflow-style client."""
    mod = importlib.import_module("mlflow" if tool == "mlflow" else "labtrack")
    if tracking_uri:
        mod.set_tracking_uri(tracking_uri)
    client = mod.MlflowClient()
    view_all = mod.entities.ViewType.ALL
    record: dict[str, Any] = {"tool": tool, "version": mod.__version__}
    experiments = _section(lambda: client.search_experiments(view_type=view_all))
    if isinstance(experiments, dict):
        record["experiments"] = experiments
        experiments = []
    else:
        record["experiments"] = [
            {
                "experiment_id": e.experiment_id,
                "name": e.name,
                "lifecycle_stage": e.lifecycle_stage,
                "tags": dict(e.tags or {}),
            }
            for e in experiments
        ]
    ids = [e.experiment_id for e in experiments]
    runs: list[dict[str, Any]] = []
    for exp_id in ids:
        found = _section(
            lambda exp_id=exp_id: client.search_runs(
                [exp_id], run_view_type=view_all, max_results=1000
            )
        )
        if isinstance(found, dict):
            runs.append({"experiment_id": exp_id, **found})
            continue
        runs.extend(_section(lambda run=run: _run(client, run)) for run in found)
    record["runs"] = runs
    record["registered_models"] = _section(lambda: _registered_models(client))
    record["logged_models"] = _section(lambda: _logged_models(client, ids)) if ids else []
    return record
