"""A run's captured notebook version against the notebook files under the Jupyter root.

``GET runs/{run_id}/notebook/diff?path=`` diffs the version with a notebook as it is now, and
``POST runs/{run_id}/notebook/restore`` writes the version as a new notebook next to the source
notebook. Files are read and written as the server's contents manager does (``notebook_io``),
so what the user sees in the file browser is what is diffed and written; paths are
root-relative, checked like artifact paths, and refused when they (or a symlink on the way)
leave the root.
"""

from __future__ import annotations

import asyncio
import os
import posixpath
import re
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import ensure_async
from tornado import web

from labtrack.errors import InvalidParameterError, InvalidStateError, ResourceNotFoundError
from labtrack.notebook.capture import REVISION_TAG
from labtrack.notebook.versions import load_version
from labtrack.server.base import LabtrackHandler
from labtrack.server.notebook_io import read_notebook_file, save_notebook_file
from labtrack.store.artifacts.paths import PathKind, is_within, safe_relative_path
from labtrack.utils import mlflow_tags

__all__ = ["NotebookRestoreHandler", "notebook_path", "read_notebook", "restored_name"]

NOTEBOOK_PATHS = PathKind(
    "notebook path",
    "Give the notebook's path relative to the Jupyter root, with '/' between folders "
    "(for example 'experiments/demo.ipynb').",
)
SOURCE_TAG = mlflow_tags.SOURCE_NAME
MAX_ATTEMPTS = 1000
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# One restore at a time per server: the free name it picks stays free until it is written.
_restore_lock = asyncio.Lock()


def notebook_path(raw: str | None, what: str = "notebook") -> str:
    """A root-relative ``.ipynb`` path, checked; a clear 400 for anything else."""
    if not raw:
        raise InvalidParameterError(
            f"Give the {what}'s path relative to the Jupyter root: ?path=experiments/demo.ipynb"
        )
    path = safe_relative_path(raw, NOTEBOOK_PATHS)
    if not path.endswith(".ipynb"):
        raise InvalidParameterError(
            f"Invalid notebook path {raw!r}: it does not end in '.ipynb'. {NOTEBOOK_PATHS.rule}"
        )
    return path


def _os_path(cm: Any, path: str) -> str | None:
    """The file behind ``path`` when the contents manager keeps files on disk, else None."""
    root = getattr(cm, "root_dir", None)
    to_os = getattr(cm, "_get_os_path", None)
    if not root or to_os is None:
        return None
    try:
        return str(to_os(path))
    except web.HTTPError:
        raise _outside(path) from None


def _outside(path: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"Invalid notebook path {path!r}: it leaves the Jupyter root. {NOTEBOOK_PATHS.rule}"
    )


def _confine(cm: Any, path: str) -> None:
    """Refuse a path whose real location (symlinks resolved) is outside the Jupyter root."""
    os_path = _os_path(cm, path)
    if os_path is None:
        return
    real_root = os.path.realpath(cm.root_dir)
    if not is_within(os.path.realpath(os_path), real_root):
        raise _outside(path)


def _contents_error(err: web.HTTPError, path: str) -> Exception:
    if err.status_code == 404:
        return ResourceNotFoundError(
            f"No notebook at {path!r} under the Jupyter root: it was moved, renamed or deleted. "
            "Open the notebook's current path instead."
        )
    return InvalidParameterError(f"Cannot read {path!r} as a notebook: {err.log_message or err}")


async def read_notebook(cm: Any, path: str) -> Any:
    """The notebook at root-relative ``path`` as it is now (through the contents manager)."""
    _confine(cm, path)
    try:
        nb = await read_notebook_file(cm, path)  # parsed on a worker thread (notebook_io)
    except web.HTTPError as err:
        raise _contents_error(err, path) from None
    for cell in nb.cells:
        # The contents manager's trust marks are not in the file: never part of a diff.
        cell.metadata.pop("trusted", None)
    return nb


def restored_name(source_path: str, run_name: str, taken: int = 1) -> str:
    """``<folder>/<stem>-restored-<run name>[-N].ipynb`` for the ``taken``-th attempt.

    >>> restored_name("exp/demo.ipynb", "bright owl", 2)
    'exp/demo-restored-bright-owl-2.ipynb'
    """
    folder, name = posixpath.split(source_path)
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    label = _UNSAFE_NAME.sub("-", run_name).strip("-.") or "run"
    suffix = f"-{taken}" if taken > 1 else ""
    return posixpath.join(folder, f"{stem}-restored-{label[:60]}{suffix}.ipynb")


def _reserve(cm: Any, path: str) -> bool:
    """Create ``path`` empty if it does not exist; False when it does (never overwritten)."""
    os_path = _os_path(cm, path)
    if os_path is None:
        return True  # not a file-backed store: the existence check below is all there is
    try:
        fd = os.open(os_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    os.close(fd)
    return True


async def _free_path(cm: Any, source_path: str, run_name: str) -> str:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        path = restored_name(source_path, run_name, attempt)
        _confine(cm, path)
        if await ensure_async(cm.exists(path)):
            continue
        if _reserve(cm, path):
            return path
    raise InvalidParameterError(
        f"Found no free name for the restored notebook after {MAX_ATTEMPTS} tries next to "
        f"{source_path!r}: move or delete some '-restored-' notebooks there."
    )


def _source_of(tag: str | None, run_id: str) -> str:
    """The run's source notebook as a root-relative path; a source the root does not hold
    (an absolute path from a kernel that did not know the root) gives its file name."""
    fallback = f"run-{run_id[:8]}.ipynb"
    for candidate in (tag, posixpath.basename(tag or ""), fallback):
        try:
            return notebook_path(candidate)
        except InvalidParameterError:
            continue
    return fallback


def _editable_version(client: Any, run_id: str) -> Any:
    """The run's version without labtrack's capture metadata (history, the source's notebook
    id), so the new notebook starts its own experiment. Each read parses a fresh copy, so
    nothing else sees the change (no deep copy, which took seconds for 100,000 cells)."""
    nb = run_notebook_version(client, run_id)
    nb.metadata.pop("labtrack", None)
    return nb


class NotebookRestoreHandler(LabtrackHandler):
    """``POST runs/{run_id}/notebook/restore`` ``{"path"?}``: the captured version as a new
    notebook next to ``path`` (default: the run's source notebook); 201 ``{"path"}``.

    The name is free (``demo-restored-<run name>.ipynb``, then ``-2``, ``-3``...); no file is
    ever overwritten. When the source's folder is gone, or the source is not under the Jupyter
    root, the notebook goes to the root.
    """

    @web.authenticated
    @authorized
    async def post(self, run_id: str) -> None:
        body = self.read_json()
        unknown = sorted(set(body) - {"path"})
        if unknown:
            raise InvalidParameterError(
                f"Unknown field(s) {unknown}: the body takes only 'path' (the source notebook)."
            )
        if body.get("path") is not None and not isinstance(body["path"], str):
            raise InvalidParameterError("'path' must be a string: the source notebook's path.")
        run = await self.call(self.client.get_run, run_id)
        if body.get("path"):
            source = notebook_path(body["path"], "source notebook")
        else:
            source = _source_of(run.data.tags.get(SOURCE_TAG), run_id)
        nb = await self.call(_editable_version, self.client, run_id)
        cm: Any = self.contents_manager
        folder = posixpath.dirname(source)
        if folder and not await ensure_async(cm.dir_exists(folder)):
            source = posixpath.basename(source)
        async with _restore_lock:
            path = await _free_path(cm, source, run.info.run_name or run_id[:8])
            try:
                await save_notebook_file(cm, nb, path)  # written on a worker thread
            except BaseException:
                os_path = _os_path(cm, path)
                if os_path and os.path.exists(os_path) and os.path.getsize(os_path) == 0:
                    os.remove(os_path)
                raise
        self.write_json({"path": path}, status=201)


def run_notebook_version(client: Any, run_id: str) -> Any:
    """The notebook version captured for a run, as an nbformat node (404/400 if none/unreadable)."""
    import nbformat

    run = client.get_run(run_id)
    digest = run.data.tags.get(REVISION_TAG)
    if not digest:
        raise ResourceNotFoundError(
            f"Run {run_id} has no captured notebook version (it was not started in a notebook)."
        )
    try:
        return load_version(digest, client)
    except (ValueError, nbformat.ValidationError) as err:
        raise InvalidStateError(
            f"Run {run_id}'s notebook version {digest[:12]} is not a readable notebook ({err}). "
            f"Send the live notebook again (PUT runs/{run_id}/notebook) to replace it."
        ) from None
