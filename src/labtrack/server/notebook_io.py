"""Reading and writing big notebooks without stalling the server's event loop.

Jupyter's file contents managers parse and write a notebook's JSON on a worker thread, but
they check its cells' trust, compute its signature and validate it on the event loop: for a
100,000-cell notebook that stopped every other request for seconds (a restore's save about
10 s, a diff's read about 3 s). The notary keeps its signatures in a SQLite connection that
only the loop's thread may use, so the whole ``get`` / ``save`` cannot move to a thread.

For Jupyter's own file managers (and subclasses that keep their ``get`` / ``save``, with no
save hooks), the pure work runs here on a worker thread: parsing, validating, checking the
cells and computing the signature, and the atomic write. Only the notary's store write, the
checkpoint and the save event stay on the loop. Any other contents manager is called as it is.
"""

from __future__ import annotations

import asyncio
from typing import Any

import nbformat
from jupyter_server.services.contents.filemanager import (
    AsyncFileContentsManager,
    FileContentsManager,
)
from jupyter_server.services.contents.largefilemanager import (
    AsyncLargeFileManager,
    LargeFileManager,
)
from jupyter_server.utils import ensure_async
from tornado import web

__all__ = ["read_notebook_file", "save_notebook_file"]

_FILE_MANAGERS = (FileContentsManager, AsyncFileContentsManager)
_OWN_GETS = {FileContentsManager.get, AsyncFileContentsManager.get}
_OWN_SAVES = {
    FileContentsManager.save,
    AsyncFileContentsManager.save,
    LargeFileManager.save,
    AsyncLargeFileManager.save,
}


def _file_backed(cm: Any, method: str, own: set[Any]) -> bool:
    return isinstance(cm, _FILE_MANAGERS) and getattr(type(cm), method, None) in own


def _has_save_hooks(cm: Any) -> bool:
    return bool(
        cm.pre_save_hook
        or cm.post_save_hook
        or getattr(cm, "_pre_save_hooks", None)
        or getattr(cm, "_post_save_hooks", None)
    )


async def read_notebook_file(cm: Any, path: str) -> Any:
    """The notebook at root-relative ``path`` (an nbformat node, without trust marks).

    Raises tornado's ``HTTPError`` as the contents manager would: 404 when there is no such
    file (or it is hidden and hidden files are not served), 400 when it is not a notebook."""
    if not _file_backed(cm, "get", _OWN_GETS):
        model = await ensure_async(cm.get(path, content=True, type="notebook"))
        return model["content"]
    os_path = cm._get_os_path(path)
    hidden = await ensure_async(cm.is_hidden(path))
    if (hidden and not cm.allow_hidden) or not await ensure_async(cm.file_exists(path)):
        raise web.HTTPError(404, f"No such notebook: {path}")
    try:
        return await asyncio.to_thread(nbformat.read, os_path, as_version=4)
    except (ValueError, OSError, nbformat.ValidationError) as err:
        raise web.HTTPError(400, f"Unreadable Notebook: {path} {err!r}") from None


def _prepare(cm: Any, notary: Any, nb: Any, os_path: str) -> str | None:
    """On a worker thread: validate and write ``nb`` atomically; its signature when its cells
    are trusted (what ``check_and_sign`` would store), else None."""
    signature = notary.compute_signature(nb) if notary.check_cells(nb) else None
    with cm.atomic_writing(os_path, encoding="utf-8") as handle:
        nbformat.write(nb, handle, version=nbformat.NO_CONVERT)  # type: ignore[no-untyped-call]
    return str(signature) if signature else None


async def save_notebook_file(cm: Any, nb: Any, path: str) -> None:
    """Save the notebook ``nb`` at root-relative ``path`` as ``cm.save`` would: signed when its
    cells are trusted, with a first checkpoint, announced as a save."""
    model = {"type": "notebook", "format": "json", "content": nb}
    if not _file_backed(cm, "save", _OWN_SAVES) or _has_save_hooks(cm):
        await ensure_async(cm.save(model, path))
        return
    os_path = cm._get_os_path(path)
    # The notary and its store are made on first use, the store's SQLite connection bound to
    # the thread that made it: make them here, on the loop, where the signature is stored.
    notary = cm.notary
    store = notary.store
    signature = await asyncio.to_thread(_prepare, cm, notary, nb, os_path)
    if signature:
        store.store_signature(signature, notary.algorithm)
    else:
        cm.log.warning("Notebook %s is not trusted", path)
    if not await ensure_async(cm.checkpoints.list_checkpoints(path)):
        await ensure_async(cm.create_checkpoint(path))
    cm.emit(data={"action": "save", "path": path})
