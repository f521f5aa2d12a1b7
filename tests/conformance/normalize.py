"""Turn a raw record (``probe/reader.py``) into one that two tools can be compared on.

What goes: ids, timestamps, absolute paths, user names and the tags whose values are
tool-specific by nature. What stays: everything a user reads back or acts on.

- Runs are ordered by nesting depth and content (``_run_order``) and named ``<run:0>``,
  ``<run:1>``...; any string holding a run id (a tag, a param, a printed RESULT) gets that
  name instead, so
  ``tags.mlflow.parentRunId == <run:0>`` survives normalization. Experiment ids become
  ``<exp:NAME>``, logged-model ids ``<model:N>``.
- A run name that looks generated (``adjective-noun-123``) becomes ``<generated>``: both tools
  invent one, neither invents the same.
- Tags kept: user tags (no ``mlflow.`` or ``labtrack.`` prefix) and ``COMPARED_SYSTEM_TAGS``.
  ``mlflow.user``, ``mlflow.source.name`` (a path) and ``mlflow.log-model.history`` (a JSON
  blob of ids and times) are dropped.
- UUIDs and epoch-millisecond timestamps inside strings become ``<uuid>`` and ``<time>``.
- A snippet's ``# Unstable:`` header drops paths MLflow itself does not repeat run to run.
- Metrics named ``*_time`` (wall-clock measurements) keep their steps but not their values.
- The ``Default`` experiment is dropped when it holds no run and no tag: MLflow creates it with
  every store, and whether a tool makes it eagerly is not something a snippet observes unless it
  lists experiments, which it then prints.
"""

from __future__ import annotations

import json
import re
from typing import Any

COMPARED_SYSTEM_TAGS = frozenset(
    {
        "mlflow.runName",
        "mlflow.parentRunId",
        "mlflow.source.type",
        "mlflow.note.content",
        "mlflow.autologging",
    }
)
_IGNORED_PREFIXES = ("mlflow.", "labtrack.")
# Metrics that measure wall time (a parameter search's mean_fit_time, std_score_time...): their
# presence and history length are compared, their values are not.
_TIMING_METRIC = re.compile(r"_time$")
_GENERATED_NAME = re.compile(r"^[a-z]+-[a-z]+-\d{1,4}$")
_HEX_ID = re.compile(r"\b[0-9a-f]{32}\b")
_MODEL_ID = re.compile(r"\bm-[0-9a-f]{32}\b")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# Epoch milliseconds inside a string (MLflow's image-step artifact names carry one).
_EPOCH_MS = re.compile(r"(?<!\d)(1[6-9]|20)\d{11}(?!\d)")
_TMP_PATH = re.compile(r"(file://)?(/private)?/tmp/[^\s'\"]*?lt-conf-[^/\s'\"]+")


def keep_tag(key: str) -> bool:
    return key in COMPARED_SYSTEM_TAGS or not key.startswith(_IGNORED_PREFIXES)


def run_name(name: str | None, source: str = "") -> str | None:
    """``<generated>`` for a name the tool made up: one of that shape the snippet never wrote."""
    if name and _GENERATED_NAME.match(name) and name not in source:
        return "<generated>"
    return name


class _Ids:
    """Every id seen in a record, and the placeholder each one is shown as."""

    def __init__(self, source: str = "") -> None:
        self.names: dict[str, str] = {}
        self.source = source

    def add(self, raw: Any, name: str) -> None:
        if raw not in (None, ""):
            self.names.setdefault(str(raw), name)

    def text(self, value: str) -> str:
        if value in self.names:
            return self.names[value]
        if _GENERATED_NAME.match(value) and value not in self.source:
            return "<generated>"  # a generated run name the snippet printed
        for raw, name in self.names.items():
            if len(raw) >= 8 and raw in value:
                value = value.replace(raw, name)
        value = _MODEL_ID.sub("<model-id>", value)
        value = _HEX_ID.sub("<id>", value)
        value = _UUID.sub("<uuid>", value)
        value = _EPOCH_MS.sub("<time>", value)
        return _TMP_PATH.sub("<workdir>", value)

    def deep(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.deep(v) for k, v in value.items()}
        return value


def _run_order(runs: list[dict[str, Any]]) -> Any:
    """A sort key for runs that neither tool's clock nor its name generator can reorder.

    Parents before children, then by what a run holds (name, params, metric names), then by
    start time for runs that hold the same things. Start time alone is not enough: MLflow gives
    the child runs of a parameter search one start time, and a tie broken by a random name
    would shuffle them from one run of the suite to the next.
    """
    parents = {
        r.get("run_id"): (r.get("tags") or {}).get("mlflow.parentRunId")
        for r in runs
        if "reader_error" not in r
    }

    def depth(run_id: Any) -> int:
        seen = 0
        while parents.get(run_id) and seen < 10:
            run_id, seen = parents[run_id], seen + 1
        return seen

    def key(run: dict[str, Any]) -> tuple:
        return (
            depth(run.get("run_id")),
            str(run_name(run.get("name"))),
            json.dumps(run.get("params"), sort_keys=True, default=str),
            json.dumps(sorted(run.get("metrics") or {}), default=str),
            run.get("start_time") or 0,
        )

    return key


def _section_ok(value: Any) -> bool:
    return not (isinstance(value, dict) and ("reader_error" in value or "absent" in value))


def _metrics(metrics: Any) -> Any:
    if not _section_ok(metrics):
        return metrics
    out = {}
    for key, metric in metrics.items():
        if _TIMING_METRIC.search(key):
            history = [[step, "<timing>"] for step, _ in metric.get("history", [])]
            metric = {**metric, "last": "<timing>", "history": history}
        out[key] = metric
    return out


def _run(run: dict[str, Any], ids: _Ids, exp_names: dict[str, str]) -> dict[str, Any]:
    source = ids.source
    if "reader_error" in run:
        return {"experiment": exp_names.get(str(run.get("experiment_id"))), **run}
    tags = {k: v for k, v in run["tags"].items() if keep_tag(k)}
    if "mlflow.runName" in tags:
        tags["mlflow.runName"] = run_name(tags["mlflow.runName"], source)
    return {
        "experiment": exp_names.get(str(run["experiment_id"]), run["experiment_id"]),
        "name": run_name(run["name"], source),
        "status": run["status"],
        "lifecycle_stage": run["lifecycle_stage"],
        "params": run["params"],
        "metrics": _metrics(run["metrics"]),
        "tags": tags,
        "artifacts": run["artifacts"],
        "inputs": run["inputs"],
    }


def normalize(
    raw: dict[str, Any],
    results: list[Any] | None = None,
    workdir: str | None = None,
    source: str = "",
    unstable: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The comparable form of ``raw`` (plus the snippet's printed RESULT values).

    ``workdir``, the snippet's working folder, is shown as ``<workdir>`` wherever it appears.
    ``source`` is the snippet's text: a run name written in it is the user's, not generated.
    ``unstable`` paths (``runs[].inputs``) are dropped: MLflow itself does not repeat them.
    """
    ids = _Ids(source)
    if workdir:
        ids.add(f"file://{workdir}", "<workdir>")
        ids.add(workdir, "<workdir>")
    experiments = raw.get("experiments", [])
    exp_names: dict[str, str] = {}
    if _section_ok(experiments):
        for exp in experiments:
            exp_names[str(exp["experiment_id"])] = exp["name"]
    runs = [r for r in raw.get("runs", []) if isinstance(r, dict)]
    runs.sort(key=_run_order(runs))
    for index, run in enumerate(runs):
        ids.add(run.get("run_id"), f"<run:{index}>")
    logged = raw.get("logged_models", [])
    if isinstance(logged, list):
        logged.sort(key=lambda m: (m.get("creation_timestamp") or 0, str(m.get("name"))))
        for index, model in enumerate(logged):
            ids.add(model.get("model_id"), f"<model:{index}>")
    out: dict[str, Any] = {}
    if _section_ok(experiments):
        used = {str(r.get("experiment_id")) for r in runs}
        out["experiments"] = sorted(
            (
                {
                    "name": e["name"],
                    "lifecycle_stage": e["lifecycle_stage"],
                    "tags": {k: v for k, v in e["tags"].items() if keep_tag(k)},
                }
                for e in experiments
                if not (
                    e["name"] == "Default"
                    and str(e["experiment_id"]) not in used
                    and not any(keep_tag(k) for k in e["tags"])
                )
            ),
            key=lambda e: e["name"],
        )
    else:
        out["experiments"] = experiments
    out["runs"] = [_run(r, ids, exp_names) for r in runs]
    models = raw.get("registered_models", [])
    out["registered_models"] = models
    if isinstance(logged, list):
        out["logged_models"] = [
            {
                "name": m["name"],
                "experiment": exp_names.get(str(m["experiment_id"]), m["experiment_id"]),
                "source_run": m["source_run_id"],
                "status": m["status"].rsplit(".", 1)[-1].upper(),
                "params": m["params"],
                "tags": {k: v for k, v in m["tags"].items() if keep_tag(k)},
            }
            for m in logged
        ]
    else:
        out["logged_models"] = logged
    out["results"] = results or []
    out = ids.deep(out)
    for path in unstable:
        _drop(out, path.split("."))
    return out


def _drop(node: Any, parts: list[str]) -> None:
    """Remove ``a[].b`` style paths: ``[]`` walks every item of a list."""
    if not parts or not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    key, each = (head[:-2], True) if head.endswith("[]") else (head, False)
    if key not in node:
        return
    if not rest and not each:
        node.pop(key)
        return
    children = node[key] if each and isinstance(node[key], list) else [node[key]]
    for child in children:
        _drop(child, rest)
