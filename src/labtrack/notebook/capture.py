"""Capture what produced a run: the notebook version and the environment.

A notebook version is an nbformat v4 notebook: the saved ``.ipynb`` (or, for a notebook never
saved, one code cell per executed input), with the code the kernel actually ran, numbered by
execution count, under ``metadata.labtrack.history``. It is serialized canonically and stored
content-addressed, so an unchanged notebook is stored once.

Capture never breaks a run: a failure is one warning and a tag ``labtrack.notebook.capture_error``.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from labtrack.notebook.identity import NotebookInfo, _ipython
from labtrack.tracking.context import git_state
from labtrack.utils import mlflow_tags

REVISION_TAG = mlflow_tags.NOTEBOOK_REVISION
ENVIRONMENT_TAG = mlflow_tags.ENVIRONMENT_REVISION
PYTHON_TAG = mlflow_tags.PYTHON_VERSION
GIT_DIRTY_TAG = mlflow_tags.GIT_DIRTY
CAPTURE_ERROR_TAG = mlflow_tags.NOTEBOOK_CAPTURE_ERROR
# Set when the JupyterLab frontend sent its live model: the kernel then keeps that version.
LIVE_TAG = mlflow_tags.NOTEBOOK_LIVE

_warned = False
_env_cache: tuple[tuple[float, ...], bytes] | None = None


def executed_history() -> list[dict[str, Any]]:
    """Inputs this kernel executed, with their execution counts."""
    ip = _ipython()
    hm = getattr(ip, "history_manager", None)
    if hm is None:
        return []
    raw = list(getattr(hm, "input_hist_raw", []) or [])
    return [
        {"execution_count": i, "source": src}
        for i, src in enumerate(raw)
        if i > 0 and isinstance(src, str) and src.strip()
    ]


def _empty_notebook() -> dict[str, Any]:
    return {
        "cells": [],
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": platform.python_version()},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def build_version(saved: dict[str, Any] | None, history: list[dict[str, Any]]) -> dict[str, Any]:
    """The notebook version to store: the saved notebook (or one rebuilt from history)."""
    if saved is None:
        nb = _empty_notebook()
        nb["cells"] = [
            {
                "cell_type": "code",
                "id": f"history-{h['execution_count']}",
                "execution_count": h["execution_count"],
                "metadata": {},
                "outputs": [],
                "source": h["source"],
            }
            for h in history
        ]
    else:
        nb = saved
    meta = nb.setdefault("metadata", {}).setdefault("labtrack", {})
    meta["history"] = history
    meta["saved"] = saved is not None
    return nb


def canonical(nb: dict[str, Any]) -> bytes:
    return json.dumps(nb, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def read_saved(abs_path: str | None) -> dict[str, Any] | None:
    if not abs_path:
        return None
    try:
        with open(abs_path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "cells" in data else None


def capture_notebook(info: NotebookInfo) -> bytes:
    return canonical(build_version(read_saved(info.abs_path), executed_history()))


def _site_mtimes() -> tuple[float, ...]:
    out = []
    for entry in sys.path:
        try:
            out.append(Path(entry).stat().st_mtime)
        except OSError:
            out.append(0.0)
    return tuple(out)


def capture_environment() -> bytes:
    """Python version and installed distributions (importlib.metadata; no subprocess)."""
    global _env_cache
    key = _site_mtimes()
    if _env_cache is not None and _env_cache[0] == key:
        return _env_cache[1]
    from importlib import metadata

    packages = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"] if dist.metadata else None
        if name:
            packages[name.lower().replace("_", "-")] = dist.version
    env = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": dict(sorted(packages.items())),
    }
    data = canonical(env)
    _env_cache = (key, data)
    return data


def git_dirty(start: Path) -> bool | None:
    """Whether the checkout holding ``start`` has uncommitted changes (None: unknown)."""
    try:
        proc = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=start,
            capture_output=True,
            text=True,
            timeout=2,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(proc.stdout.strip()) if proc.returncode == 0 else None


def _warn_once(exc: Exception) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            f"labtrack could not capture the notebook version ({type(exc).__name__}: {exc}). "
            f"The run goes on; see its tag {CAPTURE_ERROR_TAG}.",
            RuntimeWarning,
            stacklevel=3,
        )


def capture_tags(store: Any, info: NotebookInfo, with_environment: bool) -> dict[str, str]:
    """Capture and store the version (and environment); return the run tags that point at them."""
    tags: dict[str, str] = {}
    try:
        tags[REVISION_TAG] = store.put_blob("notebook", capture_notebook(info))
        if with_environment:
            tags[ENVIRONMENT_TAG] = store.put_blob("environment", capture_environment())
            tags[PYTHON_TAG] = platform.python_version()
            folder = Path(info.abs_path).parent if info.abs_path else Path.cwd()

            if git_state(folder) is not None:
                dirty = git_dirty(folder)
                if dirty is not None:
                    tags[GIT_DIRTY_TAG] = str(dirty).lower()
    except Exception as exc:  # capture must never break the user's run
        _warn_once(exc)
        tags[CAPTURE_ERROR_TAG] = f"{type(exc).__name__}: {exc}"[:1000]
    return tags
