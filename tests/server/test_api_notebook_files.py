"""A run's captured notebook version against notebook files under the Jupyter root: diff with
the file as it is now, restore as a new notebook; hostile paths refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from labtrack.entities import RunTag
from labtrack.notebook.capture import REVISION_TAG, canonical
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api

SOURCE = "exp/demo.ipynb"


def _notebook(source: str, output: str | None = None) -> Any:
    cell = nbformat.v4.new_code_cell(source)
    cell.id = "cell-0"
    if output is not None:
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["labtrack"] = {"notebook_id": "the-source-notebook", "history": ["x = 1"]}
    return nb


def _write(root: Path, path: str, nb: Any) -> Path:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(nbformat.writes(nb), encoding="utf-8")
    return file


@pytest.fixture
def notebook_run(labtrack_home: Path, jp_root_dir: Path) -> str:
    """A run named 'bright owl' whose captured version is `x = 1` printing 1, made from
    exp/demo.ipynb, which now holds `x = 2` printing 2."""
    client = TrackingClient(str(labtrack_home))
    rid = client.create_run("0", run_name="bright owl").info.run_id
    digest = client.store.put_blob("notebook", canonical(_notebook("x = 1", "1\n")))
    client.store.log_batch(
        rid, tags=[RunTag(REVISION_TAG, digest), RunTag("mlflow.source.name", SOURCE)]
    )
    _write(jp_root_dir, SOURCE, _notebook("x = 2", "2\n"))
    return rid


async def test_diff_with_the_notebook_on_disk(jp_fetch: Any, notebook_run: str) -> None:
    code, body = await api(jp_fetch, "GET", f"runs/{notebook_run}/notebook/diff", path=SOURCE)
    assert code == 200, body
    assert "x = 2" in body["text"] and "x = 1" in body["text"]
    (cells,) = body["diff"]
    (cell,) = cells["diff"]
    assert sorted(d["key"] for d in cell["diff"]) == ["outputs", "source"]
    assert "".join(body["remote"]["cells"][0]["source"]) == "x = 2"


async def test_diff_with_an_unchanged_notebook_is_empty(
    jp_fetch: Any, notebook_run: str, jp_root_dir: Path
) -> None:
    _write(jp_root_dir, "same.ipynb", _notebook("x = 1", "1\n"))
    code, body = await api(jp_fetch, "GET", f"runs/{notebook_run}/notebook/diff", path="same.ipynb")
    assert code == 200 and body["diff"] == []


async def test_diff_with_a_missing_notebook_is_404(jp_fetch: Any, notebook_run: str) -> None:
    code, body = await api(jp_fetch, "GET", f"runs/{notebook_run}/notebook/diff", path="gone.ipynb")
    assert code == 404 and "gone.ipynb" in body["message"]


async def test_diff_needs_exactly_one_of_other_and_path(jp_fetch: Any, notebook_run: str) -> None:
    route = f"runs/{notebook_run}/notebook/diff"
    code, body = await api(jp_fetch, "GET", route)
    assert code == 400 and "?path=" in body["message"]
    code, body = await api(jp_fetch, "GET", route, path=SOURCE, other=notebook_run)
    assert code == 400


HOSTILE = [
    "../outside.ipynb",
    "exp/../../outside.ipynb",
    "/etc/outside.ipynb",
    "%2e%2e/outside.ipynb",
    "%252e%252e/outside.ipynb",
    "..%2foutside.ipynb",
    "exp\\..\\..\\outside.ipynb",
    "~/outside.ipynb",
    "C:/outside.ipynb",
    "file:///etc/outside.ipynb",
    "exp/demo.ipynb\x00",
    "exp/notes.txt",
]


@pytest.mark.parametrize("bad", HOSTILE)
async def test_hostile_notebook_paths_are_refused(
    jp_fetch: Any, notebook_run: str, jp_root_dir: Path, bad: str
) -> None:
    _write(jp_root_dir.parent, "outside.ipynb", _notebook("secret = 1"))
    code, body = await api(jp_fetch, "GET", f"runs/{notebook_run}/notebook/diff", path=bad)
    assert code == 400 and "path" in body["message"], (bad, body)
    assert "secret" not in json.dumps(body)
    before = sorted(p.name for p in jp_root_dir.rglob("*"))
    code, body = await api(jp_fetch, "POST", f"runs/{notebook_run}/notebook/restore", {"path": bad})
    assert code == 400 and "Invalid notebook path" in body["message"], (bad, body)
    assert sorted(p.name for p in jp_root_dir.rglob("*")) == before


async def test_symlinks_out_of_the_root_are_refused(
    jp_fetch: Any, notebook_run: str, jp_root_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    _write(outside, "secret.ipynb", _notebook("secret = 1"))
    os.symlink(outside, jp_root_dir / "link")
    route = f"runs/{notebook_run}/notebook/diff"
    code, body = await api(jp_fetch, "GET", route, path="link/secret.ipynb")
    assert code == 400 and "leaves the Jupyter root" in body["message"]
    code, body = await api(
        jp_fetch, "POST", f"runs/{notebook_run}/notebook/restore", {"path": "link/secret.ipynb"}
    )
    assert code == 400
    assert sorted(p.name for p in outside.iterdir()) == ["secret.ipynb"]


async def test_restore_writes_a_new_notebook_next_to_the_source(
    jp_fetch: Any, notebook_run: str, jp_root_dir: Path
) -> None:
    route = f"runs/{notebook_run}/notebook/restore"
    # A user's file already holds the first name: it is kept as it is.
    mine = _write(jp_root_dir, "exp/demo-restored-bright-owl.ipynb", _notebook("mine = 1"))
    before = mine.read_bytes()
    code, body = await api(jp_fetch, "POST", route)
    assert code == 201, body
    assert body["path"] == "exp/demo-restored-bright-owl-2.ipynb"
    restored = nbformat.read(jp_root_dir / body["path"], as_version=4)
    assert [c.source for c in restored.cells] == ["x = 1"]
    assert restored.cells[0].outputs[0]["text"] == "1\n"
    # The copy is a notebook of its own: no capture history, not the source's experiment.
    assert "labtrack" not in restored.metadata
    assert mine.read_bytes() == before
    assert "x = 2" in (jp_root_dir / SOURCE).read_text()
    code, again = await api(jp_fetch, "POST", route)
    assert code == 201 and again["path"] == "exp/demo-restored-bright-owl-3.ipynb"


async def test_restore_next_to_a_given_path_or_in_the_root_when_the_folder_is_gone(
    jp_fetch: Any, notebook_run: str, jp_root_dir: Path
) -> None:
    route = f"runs/{notebook_run}/notebook/restore"
    (jp_root_dir / "other").mkdir()
    code, body = await api(jp_fetch, "POST", route, {"path": "other/x.ipynb"})
    assert code == 201 and body["path"] == "other/x-restored-bright-owl.ipynb"
    code, body = await api(jp_fetch, "POST", route, {"path": "moved/away/demo.ipynb"})
    assert code == 201 and body["path"] == "demo-restored-bright-owl.ipynb"
    assert (jp_root_dir / body["path"]).is_file()


async def test_restore_refuses_bad_bodies_and_runs_without_a_version(
    jp_fetch: Any, notebook_run: str, labtrack_home: Path, jp_root_dir: Path
) -> None:
    route = f"runs/{notebook_run}/notebook/restore"
    code, body = await api(jp_fetch, "POST", route, {"path": SOURCE, "overwrite": True})
    assert code == 400 and "overwrite" in body["message"]
    code, body = await api(jp_fetch, "POST", route, {"path": 3})
    assert code == 400
    bare = TrackingClient(str(labtrack_home)).create_run("0", run_name="bare").info.run_id
    before = sorted(p.name for p in jp_root_dir.rglob("*"))
    code, body = await api(jp_fetch, "POST", f"runs/{bare}/notebook/restore", {"path": SOURCE})
    assert code == 404 and "notebook version" in body["message"]
    assert sorted(p.name for p in jp_root_dir.rglob("*")) == before


async def test_restore_of_a_run_whose_source_is_outside_the_root_goes_to_the_root(
    jp_fetch: Any, labtrack_home: Path, jp_root_dir: Path
) -> None:
    client = TrackingClient(str(labtrack_home))
    rid = client.create_run("0", run_name="far").info.run_id
    digest = client.store.put_blob("notebook", canonical(_notebook("y = 1")))
    client.store.log_batch(
        rid,
        tags=[RunTag(REVISION_TAG, digest), RunTag("mlflow.source.name", "/elsewhere/far.ipynb")],
    )
    code, body = await api(jp_fetch, "POST", f"runs/{rid}/notebook/restore")
    assert code == 201 and body["path"] == "far-restored-far.ipynb"
    assert not Path("/elsewhere").exists()
    assert (jp_root_dir / body["path"]).is_file()
