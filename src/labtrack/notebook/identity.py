"""Which notebook is this kernel serving? Asked in order, the first answer wins:

1. ``server``: the labtrack server extension records each kernel's current notebook in the
   shared store (it follows renames); the kernel looks itself up by kernel id, no token needed.
2. ``JPY_SESSION_NAME`` / ``__session__``: set by jupyter_server when it started the kernel,
   absolute or root-relative; never updated after a rename.
3. ``vscode``: VS Code's ``__vsc_ipynb_file__`` global.
4. ``LABTRACK_NOTEBOOK``: set by hand (or by ``labtrack.reproduce_run``).

The answer names its source (run tag ``labtrack.notebook.source``) so a wrong one can be traced.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "NotebookInfo",
    "current_notebook",
    "is_placeholder_path",
    "jupyter_roots",
    "kernel_id",
    "read_notebook_id",
]

_KERNEL_FILE = re.compile(r"kernel-(?P<id>[0-9a-fA-F-]{8,64})\.json$")
_UUID_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_CACHE_SECONDS = 1.0
_cache: tuple[float, Any, NotebookInfo | None] | None = None
_id_cache: dict[str, tuple[float, str | None]] = {}


@dataclass(frozen=True)
class NotebookInfo:
    """A notebook as the kernel knows it.

    ``path`` is relative to the Jupyter root when the root is known (``sub/demo.ipynb``), else
    absolute; ``abs_path`` is the file on disk when it can be located.
    """

    path: str
    abs_path: str | None
    notebook_id: str | None
    source: str
    kernel_id: str | None


def _ipython() -> Any:
    if "IPython" not in sys.modules:
        return None
    try:
        from IPython import get_ipython

        return get_ipython()
    except Exception:
        return None


def is_placeholder_path(path: str) -> bool:
    """True for the ``<folder>/<uuid4>`` path JupyterLab gives a session while its kernel starts.

    JupyterLab starts a notebook's session under a random path and moves it to the notebook's
    path a moment later; a record taken in between names no notebook.
    """
    return _UUID_NAME.fullmatch(path.rstrip("/").rsplit("/", 1)[-1]) is not None


def kernel_id() -> str | None:
    """This kernel's id, from its connection file name (``kernel-<id>.json``)."""
    if "ipykernel" not in sys.modules:
        return None
    try:
        from ipykernel.connect import get_connection_file

        match = _KERNEL_FILE.search(get_connection_file())
    except Exception:
        return None
    return match.group("id") if match else None


def jupyter_roots() -> list[str]:
    """Root folders of the Jupyter servers running on this machine (from their runtime files)."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        runtime = Path(jupyter_runtime_dir())
    except Exception:
        return []
    roots = []
    for info in [*runtime.glob("jpserver-*.json"), *runtime.glob("nbserver-*.json")]:
        try:
            data = json.loads(info.read_text())
        except (OSError, ValueError):
            continue
        root = data.get("root_dir") or data.get("notebook_dir")
        if root:
            roots.append(str(Path(root).expanduser().resolve()))
    return sorted(set(roots), key=len, reverse=True)


def _normalize(path: str, root_hint: str | None = None) -> tuple[str, str | None]:
    """(root-relative path, absolute path or None) for an absolute or root-relative path."""
    roots = [root_hint] if root_hint else []
    roots += jupyter_roots()
    p = Path(path).expanduser()
    if p.is_absolute():
        resolved = p.resolve()
        for root in roots:
            try:
                return resolved.relative_to(root).as_posix(), str(resolved)
            except ValueError:
                continue
        return str(resolved), str(resolved)
    rel = p.as_posix().lstrip("/")
    for root in roots:
        candidate = Path(root) / rel
        if candidate.exists():
            return rel, str(candidate)
    cwd_guess = Path.cwd() / Path(rel).name
    return rel, str(cwd_guess) if cwd_guess.exists() else None


def read_notebook_id(abs_path: str | None) -> str | None:
    """``metadata.labtrack.notebook_id`` of a saved notebook (cached by modification time)."""
    if not abs_path:
        return None
    try:
        mtime = os.stat(abs_path).st_mtime
    except OSError:
        return None
    cached = _id_cache.get(abs_path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        with open(abs_path, encoding="utf-8") as f:
            meta = json.load(f).get("metadata", {})
        value = meta.get("labtrack", {}).get("notebook_id")
        nid = str(value) if value else None
    except (OSError, ValueError, AttributeError):
        nid = None
    _id_cache[abs_path] = (mtime, nid)
    return nid


def _from_server(store: Any, kid: str | None) -> NotebookInfo | None:
    if store is None or kid is None:
        return None
    try:
        session = store.get_notebook_session(kid)
    except Exception:
        return None
    if session is None or is_placeholder_path(session.notebook_path):
        return None
    abs_path = None
    if session.root_dir:
        abs_path = str(Path(session.root_dir) / session.notebook_path)
    nid = session.notebook_id or read_notebook_id(abs_path)
    return NotebookInfo(session.notebook_path, abs_path, nid, "server", kid)


def _candidates() -> list[tuple[str, str]]:
    ip = _ipython()
    user_ns = getattr(ip, "user_ns", {}) or {}
    found = []
    if os.environ.get("JPY_SESSION_NAME"):
        found.append(("JPY_SESSION_NAME", os.environ["JPY_SESSION_NAME"]))
    if isinstance(user_ns.get("__session__"), str) and user_ns["__session__"]:
        found.append(("__session__", user_ns["__session__"]))
    if isinstance(user_ns.get("__vsc_ipynb_file__"), str):
        found.append(("vscode", user_ns["__vsc_ipynb_file__"]))
    if os.environ.get("LABTRACK_NOTEBOOK"):
        found.append(("LABTRACK_NOTEBOOK", os.environ["LABTRACK_NOTEBOOK"]))
    return found


def _lookup(store: Any) -> NotebookInfo | None:
    kid = kernel_id()
    info = _from_server(store, kid)
    if info is not None:
        return info
    for source, raw in _candidates():
        if not raw.endswith(".ipynb") and source != "LABTRACK_NOTEBOOK":
            continue
        rel, abs_path = _normalize(raw)
        return NotebookInfo(rel, abs_path, read_notebook_id(abs_path), source, kid)
    return None


def current_notebook(store: Any = None, fresh: bool = False) -> NotebookInfo | None:
    """The notebook this process serves, or ``None`` outside notebooks.

    Cached for a moment so one ``start_run`` asks once; ``start_run`` calls :func:`forget`
    first, so each new run sees renames the server recorded.
    """
    global _cache
    now = time.monotonic()
    if not fresh and _cache is not None and now - _cache[0] < _CACHE_SECONDS and _cache[1] is store:
        return _cache[2]
    info = _lookup(store)
    _cache = (now, store, info)
    return info


def forget() -> None:
    """Drop the cached answer (the next lookup asks the server's record again)."""
    global _cache
    _cache = None
