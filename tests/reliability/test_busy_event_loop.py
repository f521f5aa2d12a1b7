"""A big JSON reply (a notebook diff) is encoded off the server's event loop, so other
requests are answered meanwhile: encoding a 100,000-cell notebook diff took seconds, during
which the server answered nobody.

The test holds the encoding at its start until a cheap request has been answered. Off the
loop, the cheap request gets through and the heavy one then finishes: the cheap one completes
first. On the loop, the hold blocks the loop itself, the cheap request cannot be answered
until the hold gives up (after a minute, so a regression fails instead of hanging), and the
order is reversed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_server.utils import ensure_async

import labtrack.server.base as base
import labtrack.server.notebook_io as notebook_io
from labtrack.entities import RunTag
from labtrack.notebook.capture import REVISION_TAG, canonical
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api

CELLS = 300
GIVE_UP_S = 60.0


def _notebook(tag: str) -> Any:
    cells = [nbformat.v4.new_code_cell(f"x{i} = {i}  # {tag}") for i in range(CELLS)]
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i}"
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture
def big_run(labtrack_home: Path) -> str:
    """A run whose captured version is a notebook of CELLS cells."""
    client = TrackingClient(str(labtrack_home))
    rid = client.create_run("0", run_name="big").info.run_id
    digest = client.store.put_blob("notebook", canonical(_notebook("captured")))
    client.store.log_batch(rid, tags=[RunTag(REVISION_TAG, digest)])
    return rid


class Hold:
    """Wraps a function so its first call waits until :meth:`release` (or GIVE_UP_S)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.entered = threading.Event()
        self.released = threading.Event()
        self.on_loop_thread: bool | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.entered.is_set():
            self.on_loop_thread = threading.current_thread() is threading.main_thread()
            self.entered.set()
            self.released.wait(GIVE_UP_S)
        return self.fn(*args, **kwargs)

    def release(self) -> None:
        self.released.set()


async def _order(jp_fetch: Any, hold: Hold, method: str, route: str, **kw: Any) -> list[str]:
    """Which of (the held request, a cheap one sent while it is held) completed first."""
    done: list[str] = []

    async def heavy() -> None:
        code, body = await api(jp_fetch, method, route, **kw)
        assert code in (200, 201), body
        done.append("heavy")

    task = asyncio.ensure_future(heavy())
    while not hold.entered.is_set() and not task.done():
        await asyncio.sleep(0.01)
    code, _ = await api(jp_fetch, "GET", "experiments")
    assert code == 200
    done.append("cheap")
    hold.release()
    await task
    return done


async def test_a_big_diff_reply_is_encoded_off_the_loop(
    jp_fetch: Any, big_run: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = Hold(base.json.dumps)
    monkeypatch.setattr(base, "encode_json", lambda payload: hold(payload).encode())

    order = await _order(jp_fetch, hold, "GET", f"runs/{big_run}/notebook/diff", other=big_run)

    assert order == ["cheap", "heavy"] and hold.on_loop_thread is False


@pytest.mark.parametrize(
    "payload",
    [
        _notebook("encoded"),
        {"runs": [{"id": i, "tags": {"a": "é"}} for i in range(100)], "next": None},
        [[1.5, float("nan")] * 40],
        {1: list(range(100))},  # a key json turns into text: encoded in one piece
        [],
        "text",
    ],
)
def test_a_reply_encoded_in_pieces_is_what_json_dumps_gives(payload: Any) -> None:
    assert base.encode_json(payload) == base.json.dumps(payload).encode()


# -- the notebook files: a diff with a file on disk, a restore ----------------------------------
# Jupyter's file managers check trust, sign and validate a notebook on the event loop (a
# 100,000-cell notebook's save stopped the server for about 10 s); labtrack does that work on a
# worker thread (server/notebook_io.py).


async def test_a_diff_with_a_file_reads_it_off_the_loop(
    jp_fetch: Any, jp_root_dir: Path, big_run: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (jp_root_dir / "now.ipynb").write_text(nbformat.writes(_notebook("now")), encoding="utf-8")
    hold = Hold(notebook_io.nbformat.read)
    monkeypatch.setattr(notebook_io.nbformat, "read", hold)

    order = await _order(jp_fetch, hold, "GET", f"runs/{big_run}/notebook/diff", path="now.ipynb")

    assert order == ["cheap", "heavy"] and hold.on_loop_thread is False


async def test_a_restore_signs_off_the_loop(
    jp_fetch: Any, jp_serverapp: Any, big_run: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jupyter's managers already write the file on a thread; signing it was on the loop.
    notary = jp_serverapp.contents_manager.notary
    hold = Hold(notary.compute_signature)
    monkeypatch.setattr(notary, "compute_signature", hold)

    order = await _order(
        jp_fetch, hold, "POST", f"runs/{big_run}/notebook/restore", body={"path": "big.ipynb"}
    )

    assert order == ["cheap", "heavy"] and hold.on_loop_thread is False


async def test_a_restored_notebook_is_saved_as_the_contents_manager_saves(
    jp_fetch: Any, jp_root_dir: Path, jp_serverapp: Any, big_run: str
) -> None:
    """Signed (its cells are trusted: no outputs), with a first checkpoint, a valid file."""
    code, body = await api(
        jp_fetch, "POST", f"runs/{big_run}/notebook/restore", body={"path": "big.ipynb"}
    )
    assert code == 201, body
    cm = jp_serverapp.contents_manager
    on_disk = nbformat.read(jp_root_dir / body["path"], as_version=4)
    nbformat.validate(on_disk)
    assert len(on_disk.cells) == CELLS
    assert cm.notary.check_signature(on_disk)
    assert await ensure_async(cm.checkpoints.list_checkpoints(body["path"]))
    model = await ensure_async(cm.get(body["path"]))
    assert model["content"].cells[0].metadata.get("trusted") is True
