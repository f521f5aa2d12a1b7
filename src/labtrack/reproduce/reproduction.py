"""Re-run the notebook version that produced a run, with the run's params or new ones.

>>> import labtrack
>>> result = labtrack.reproduce_run(run_id, params={"n_estimators": 200})  # doctest: +SKIP
>>> print(result)             # the new run, what changed, and the metric drift
>>> result.drift              # DataFrame: metric, original, new, difference

How it works:

1. The run's captured notebook version (``labtrack.get_notebook_version``) is loaded.
2. Parameters, papermill style: the cell tagged ``parameters`` declares them; a cell tagged
   ``injected-parameters`` is inserted after it. For each name the parameters cell assigns, the
   value is ``params[name]`` if given, else the run's param of that name (logged as a string;
   typed back with ``ast.literal_eval``, kept a string when the cell's default is a string), else
   the cell's own default. ``params`` may also name values the cell does not assign; they are
   injected too, with a warning. Without a parameters cell, values go in a first cell (the
   notebook's own assignments may then override them).
3. The environment the run recorded is compared with the installed packages; differences are a
   warning (:class:`EnvironmentWarning`) and are listed on the result, never a failure.
4. The notebook is executed in a fresh kernel (nbclient) in the original run's experiment, with
   the original notebook path as its identity, in the notebook's folder when it still exists.
   A progress bar shows "cell n of m".
5. The runs the kernel logged are found by its kernel id. The one matching the original (same
   run name, else the same position among the runs its kernel logged) gets the tag
   ``labtrack.reproducedFrom = <run_id>``; every run gets the executed notebook (with the
   injected cell and its outputs) as its notebook version.

Limitation: params are read from the parameters cell of the *captured version*, and only for
names the run did not log itself; a notebook run does not record its parameters cell as params
by itself (log them with ``labtrack.log_params(...)`` to see them in the sidebar).
:func:`notebook_parameters` shows what the cell assigns.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack.entities import Run, RunTag
from labtrack.errors import InvalidParameterError
from labtrack.notebook.capture import (
    ENVIRONMENT_TAG,
    REVISION_TAG,
    build_version,
    canonical,
    capture_environment,
)
from labtrack.notebook.identity import jupyter_roots
from labtrack.notebook.versions import get_notebook_version
from labtrack.reproduce.execute import (
    KERNEL_ID_TAG,
    Execution,
    ProgressCallback,
    execute_notebook,
    kernel_runs,
)
from labtrack.reproduce.params import (
    has_parameters_cell,
    inject_parameters,
    parameters_from_notebook,
    typed_value,
)
from labtrack.reproduce.report import (
    EnvironmentWarning,
    NotebookRun,
    PackageDifference,
    Reproduction,
    ReproductionError,
    describe_differences,
    environment_differences,
)
from labtrack.tracking import _state
from labtrack.utils import mlflow_tags

__all__ = [
    "REPRODUCED_FROM",
    "EnvironmentWarning",
    "NotebookRun",
    "Reproduction",
    "ReproductionError",
    "check_environment",
    "notebook_parameters",
    "parameters_from_notebook",
    "parse_param_overrides",
    "reproduce_run",
    "reproduction_parameters",
    "run_notebook",
]

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

REPRODUCED_FROM = mlflow_tags.REPRODUCED_FROM
_PARENT = mlflow_tags.PARENT_RUN_ID
_SOURCE_NAME = mlflow_tags.SOURCE_NAME


def notebook_parameters(run_id: str, client: TrackingClient | None = None) -> dict[str, Any]:
    """What the parameters cell of the run's notebook version assigns (literals only).

    >>> labtrack.notebook_parameters(run_id)  # doctest: +SKIP
    {'n_estimators': 100, 'max_depth': 6}
    """

    return parameters_from_notebook(get_notebook_version(run_id, client))


def reproduction_parameters(run_id: str, client: TrackingClient | None = None) -> dict[str, Any]:
    """The values :func:`reproduce_run` injects without overrides: for each name the parameters
    cell assigns, the run's param of that name (typed back), else the cell's default."""

    client = client or _state.client()
    nb = get_notebook_version(run_id, client)
    values = parameters_from_notebook(nb)
    values.update(_resolve_values(nb, client.get_run(run_id).data.params, {}))
    return values


def check_environment(
    run_id: str, warn: bool = True, client: TrackingClient | None = None
) -> list[PackageDifference]:
    """Packages in the run's captured environment that differ from the installed ones."""

    client = client or _state.client()
    digest = client.get_run(run_id).data.tags.get(ENVIRONMENT_TAG)
    if not digest:
        return []
    _kind, data = client.store.get_blob(digest)
    diffs: list[PackageDifference] = environment_differences(
        json.loads(data), json.loads(capture_environment())
    )
    if diffs and warn:
        warnings.warn(
            f"Run {run_id} was logged with other packages than those installed now "
            f"({len(diffs)} differ): {describe_differences(diffs)}. The notebook runs anyway; "
            "results may differ.",
            EnvironmentWarning,
            stacklevel=3,
        )
    return diffs


def _resolve_values(
    nb: Any, run_params: Mapping[str, str], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    defaults = parameters_from_notebook(nb)
    values: dict[str, Any] = {}
    for name, default in defaults.items():
        if name in overrides:
            values[name] = overrides[name]
        elif name in run_params:
            values[name] = typed_value(run_params[name], default, has_default=True)
    unknown = [name for name in overrides if name not in defaults]
    if unknown:
        where = (
            "the notebook's parameters cell does not assign"
            if has_parameters_cell(nb)
            else "the notebook has no cell tagged 'parameters', so its own code may override"
        )
        warnings.warn(
            f"Injecting {', '.join(unknown)} although {where} them.", UserWarning, stacklevel=3
        )
        values.update({name: overrides[name] for name in unknown})
    return values


def _clean_version(nb: Any) -> Any:
    """The captured version without what capture added (history) and without old outputs."""
    meta = nb.get("metadata", {}).get("labtrack")
    if isinstance(meta, dict):
        meta.pop("history", None)
        meta.pop("saved", None)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def _working_folder(notebook_path: str, cwd: str | os.PathLike[str] | None) -> str:
    """The notebook's folder if it still exists (relative data files), else the current one."""
    if cwd is not None:
        return str(cwd)

    path = Path(notebook_path).expanduser()
    candidates = [path] if path.is_absolute() else [Path(r) / path for r in jupyter_roots()]
    candidates.append(Path.cwd() / path)
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate.parent)
    if path.is_absolute() and path.parent.is_dir():
        return str(path.parent)
    return str(Path.cwd())


def _store_executed_version(execution: Execution, client: TrackingClient) -> str:

    nb = json.loads(json.dumps(execution.notebook))
    history = [
        {"execution_count": c.get("execution_count"), "source": c.get("source", "")}
        for c in nb.get("cells", [])
        if c.get("cell_type") == "code" and c.get("execution_count")
    ]
    data = canonical(build_version(nb, history))
    digest: str = client.store.put_blob("notebook", data)
    return digest


def _top_level(runs: list[Run]) -> list[Run]:
    ids = {r.info.run_id for r in runs}
    return [r for r in runs if r.data.tags.get(_PARENT) not in ids]


def _pair_runs(original: Run | None, new: list[Run], client: TrackingClient) -> dict[str, str]:
    """new run id -> the original run it reproduces (the main one at least)."""
    if original is None or not new:
        return {}
    kid = original.data.tags.get(KERNEL_ID_TAG)
    before = kernel_runs(client, kid) if kid else [original]
    if len(before) == len(new) and any(r.info.run_id == original.info.run_id for r in before):
        return {n.info.run_id: o.info.run_id for o, n in zip(before, new, strict=True)}
    named = [r for r in new if r.info.run_name == original.info.run_name]
    if len(named) == 1:
        return {named[0].info.run_id: original.info.run_id}
    top = _top_level(new) or new
    return {top[0].info.run_id: original.info.run_id}


def _finish(
    execution: Execution,
    reproduced: Run | None,
    result_cls: type[NotebookRun],
    client: TrackingClient,
    **extra: Any,
) -> Any:
    original = reproduced
    pairs = _pair_runs(original, execution.runs, client)
    tags_for: dict[str, list[RunTag]] = {r.info.run_id: [] for r in execution.runs}
    if execution.runs:
        digest = _store_executed_version(execution, client)
        for run_id in tags_for:
            tags_for[run_id].append(RunTag(REVISION_TAG, digest))
    for new_id, old_id in pairs.items():
        tags_for[new_id].append(RunTag(REPRODUCED_FROM, old_id))
    for run_id, tags in tags_for.items():
        if tags:
            client.store.log_batch(run_id, tags=tags, allow_terminated=True)
    runs = [client.get_run(r.info.run_id) for r in execution.runs]
    main = None
    if original is not None:
        main = next((r for r in runs if pairs.get(r.info.run_id) == original.info.run_id), None)
    if main is None and runs:
        main = (_top_level(runs) or runs)[0]
    result = result_cls(
        notebook=execution.notebook,
        run=main,
        runs=runs,
        kernel_name=execution.kernel_name,
        failure=execution.failure,
        **extra,
    )
    if execution.failure is not None:
        where = f"; run {main.info.run_id} ended FAILED" if main is not None else ""
        raise ReproductionError(
            f"The notebook stopped at {execution.failure}{where}. The executed notebook, with "
            "the error, is on this error's .result.notebook.",
            result,
        )
    return result


def reproduce_run(
    run_id: str,
    params: Mapping[str, Any] | None = None,
    kernel_name: str | None = None,
    timeout: int | None = None,
    progress: bool | ProgressCallback = True,
    cwd: str | os.PathLike[str] | None = None,
    client: TrackingClient | None = None,
) -> Reproduction:
    """Execute the notebook version that produced ``run_id`` again, in a fresh kernel.

    ``params`` overrides parameters (``{"n_estimators": 200}``); the others keep the run's
    values. The new run goes to the same experiment, tagged ``labtrack.reproducedFrom``.
    ``timeout`` is per cell, in seconds (default: none). ``progress`` shows a progress bar, or
    is a callable taking (cells done, cells in all). ``cwd`` is the kernel's working folder
    (default: the notebook's folder, if it still exists). ``client`` is the store to read the
    run from and log the new runs into (default: the tracking URI set in this process).

    Returns a :class:`Reproduction` (``.run``, ``.notebook``, ``.drift``, ``.environment``);
    raises :class:`ReproductionError` when a cell fails (its ``.result`` holds the partial
    reproduction).

    >>> result = labtrack.reproduce_run(run_id, params={"n_estimators": 200})  # doctest: +SKIP
    >>> result.drift  # doctest: +SKIP
    """

    if params is not None and not isinstance(params, Mapping):
        raise InvalidParameterError(
            f"params must be a dict of parameter name -> value; got {type(params).__name__}."
        )
    overrides = dict(params or {})
    if client is None:
        _state.writer().flush(raise_errors=False)
        client = _state.client()
    else:
        pending = _state._writers.get(client.location)
        if pending is not None:
            pending.flush(raise_errors=False)
    original = client.get_run(run_id)
    nb = _clean_version(get_notebook_version(run_id, client))
    values = _resolve_values(nb, original.data.params, overrides)
    nb = inject_parameters(nb, values, f"Parameters injected by labtrack.reproduce_run({run_id!r})")
    environment = check_environment(run_id, client=client)
    notebook_path = original.data.tags.get(_SOURCE_NAME) or f"reproduce-{run_id}.ipynb"
    execution = execute_notebook(
        nb,
        client=client,
        notebook_path=notebook_path,
        cwd=_working_folder(notebook_path, cwd),
        kernel_name=kernel_name,
        experiment_id=original.info.experiment_id,
        timeout=timeout,
        progress=progress,
    )
    result: Reproduction = _finish(
        execution,
        original,
        Reproduction,
        client,
        parameters=values,
        original=original,
        overrides=overrides,
        environment=environment,
    )
    return result


def run_notebook(
    path: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    kernel_name: str | None = None,
    timeout: int | None = None,
    progress: bool | ProgressCallback = True,
    experiment_id: str | None = None,
) -> NotebookRun:
    """Execute a saved notebook in a fresh kernel with ``params`` injected (papermill style).

    Its runs are logged as if you had run it in JupyterLab: in the notebook's experiment (or
    ``experiment_id``), with the executed notebook as their version. The file is not changed.

    >>> first = run_notebook("train.ipynb", params={"n_estimators": 10})  # doctest: +SKIP
    >>> first.run.data.metrics  # doctest: +SKIP
    """
    import nbformat

    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise InvalidParameterError(f"run_notebook: no notebook at {str(file)!r}.")
    nb = nbformat.read(file, as_version=4)  # type: ignore[no-untyped-call]
    values = dict(params or {})
    defaults = parameters_from_notebook(nb)
    unknown = [name for name in values if name not in defaults]
    if unknown:
        warnings.warn(
            f"Injecting {', '.join(unknown)} although the notebook's parameters cell does not "
            "assign them.",
            UserWarning,
            stacklevel=2,
        )
    nb = inject_parameters(nb, values, "Parameters injected by labtrack.reproduce.run_notebook")
    client = _state.client()
    execution = execute_notebook(
        nb,
        client=client,
        notebook_path=str(file),
        cwd=str(file.parent),
        kernel_name=kernel_name,
        experiment_id=experiment_id,
        timeout=timeout,
        progress=progress,
    )
    result: NotebookRun = _finish(execution, None, NotebookRun, client, parameters=values)
    return result


def parse_param_overrides(run_id: str, pairs: Sequence[str]) -> dict[str, Any]:
    """``["n_estimators=200", "name=rf"]`` -> values typed like the parameters cell's defaults.

    >>> parse_param_overrides(run_id, ["n_estimators=200"])  # doctest: +SKIP
    {'n_estimators': 200}
    """
    if not pairs:
        return {}
    defaults = notebook_parameters(run_id)
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidParameterError(f"Write parameters as NAME=VALUE; got {pair!r}.")
        out[name] = typed_value(text, defaults.get(name), has_default=name in defaults)
    return out
