"""The artifact proxy (``mlflow-artifacts/``): files go up and come down through the server, paths
are confined to the artifact root exactly as everywhere else (the same hostile paths as
``tests/artifacts/test_paths.py``, symlinks out of the root), uploads are checked for a token
before their body is read, and multipart uploads join their parts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from labtrack.tracking.client import TrackingClient
from tests.artifacts.test_paths import HOSTILE
from tests.mlflow_protocol.wire import ARTIFACTS, Fetch

FILES = ARTIFACTS + "artifacts"


@pytest.fixture
def fetch(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Fetch:
    return Fetch(http_server_client, jp_base_url, jp_auth_header)


@pytest.fixture
def run_path(labtrack_home: Path) -> str:
    """The proxy path of a new run's artifact folder (``0/<run>/artifacts``)."""
    run = TrackingClient(str(labtrack_home)).create_run("0")
    return f"0/{run.info.run_id}/artifacts"


def files_outside(home: Path) -> set[str]:
    """Every file around the store except the store's database and artifact root."""
    artifacts = home / "artifacts"
    return {
        str(p)
        for p in home.parent.rglob("*")
        if not p.name.startswith("labtrack.db") and artifacts not in p.parents and p != artifacts
    }


async def test_upload_list_download_delete(
    fetch: Fetch, run_path: str, labtrack_home: Path
) -> None:
    data = bytes(range(256)) * 1000
    answer = await fetch.raw("PUT", f"{FILES}/{run_path}/model/weights.bin", data)
    assert answer.code == 200
    status, listing = await fetch("GET", FILES, path=f"{run_path}/model")
    assert listing == {"files": [{"path": "weights.bin", "is_dir": False, "file_size": len(data)}]}
    status, folder = await fetch("GET", FILES, path=run_path)
    assert folder == {"files": [{"path": "model", "is_dir": True}]}

    got = await fetch.raw("GET", f"{FILES}/{run_path}/model/weights.bin")
    assert (got.code, got.body) == (200, data)
    assert got.headers["Content-Disposition"] == 'attachment; filename="weights.bin"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"

    # The run's own artifacts, read by labtrack, are the same file.
    client = TrackingClient(str(labtrack_home))
    run_id = run_path.split("/")[1]
    with client._repo(run_id).open("model/weights.bin") as f:
        assert f.read() == data

    assert (await fetch.raw("GET", f"{FILES}/{run_path}/model")).code == 400  # a folder
    assert (await fetch.raw("GET", f"{FILES}/{run_path}/nope.txt")).code == 404
    assert await fetch("GET", FILES, path=f"{run_path}/nope") == (200, {})
    assert (await fetch.raw("DELETE", f"{FILES}/{run_path}/model")).code == 200
    assert await fetch("GET", FILES, path=run_path) == (200, {})


async def test_html_is_never_served_as_a_page(fetch: Fetch, run_path: str) -> None:
    await fetch.raw("PUT", f"{FILES}/{run_path}/x.html", b"<script>alert(1)</script>")
    got = await fetch.raw("GET", f"{FILES}/{run_path}/x.html")
    assert got.headers["Content-Type"].startswith("text/plain")
    assert "sandbox" in got.headers["Content-Security-Policy"]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_paths_are_refused_everywhere(
    fetch: Fetch, labtrack_home: Path, hostile: str
) -> None:
    TrackingClient(str(labtrack_home)).get_experiment("0")  # the store exists before
    before = files_outside(labtrack_home)
    in_url = quote(hostile, safe="/")
    for method, path, body in [
        ("GET", f"{FILES}/{in_url}", None),
        ("PUT", f"{FILES}/{in_url}", b"owned"),
        ("DELETE", f"{FILES}/{in_url}", None),
        ("POST", f"{ARTIFACTS}mpu/create/{in_url}", b'{"num_parts": 1}'),
        ("GET", f"{FILES}?path={quote(hostile, safe='')}", None),
    ]:
        headers = {"Content-Type": "application/json"} if method == "POST" else {}
        answer = await fetch.raw(method, path, body, headers)
        # 400 for the path itself; 404 where the router finds no route for it (an empty
        # segment pattern), never a file.
        assert answer.code in (400, 404), (method, hostile, answer.code, answer.body[:200])
    assert files_outside(labtrack_home) == before


async def test_symlinks_out_of_the_root_are_refused(
    fetch: Fetch, run_path: str, labtrack_home: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "secret.txt").write_text("keep out")
    folder = labtrack_home / "artifacts" / run_path
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, folder / "link")

    assert (await fetch.raw("GET", f"{FILES}/{run_path}/link/secret.txt")).code == 400
    assert (await fetch.raw("PUT", f"{FILES}/{run_path}/link/new.txt", b"x")).code == 400
    assert (await fetch.raw("DELETE", f"{FILES}/{run_path}/link/secret.txt")).code == 400
    assert sorted(os.listdir(secret)) == ["secret.txt"]


async def test_uploads_without_a_token_are_refused_before_the_body(
    fetch: Fetch, run_path: str, labtrack_home: Path
) -> None:
    answer = await fetch.raw("PUT", f"{FILES}/{run_path}/big.bin", b"x" * 1_000_000, token=False)
    assert answer.code == 403
    assert await fetch("GET", FILES, path=run_path) == (200, {})


async def test_multipart_upload_joins_its_parts(fetch: Fetch, run_path: str) -> None:
    parts = [b"a" * 1000, b"b" * 1000, b"c" * 10]
    status, created = await fetch(
        "POST", f"{ARTIFACTS}mpu/create/{run_path}/big.bin", {"path": "big.bin", "num_parts": 3}
    )
    assert status == 200
    assert [c["part_number"] for c in created["credentials"]] == [1, 2, 3]
    sent = []
    for credential, data in zip(created["credentials"], parts, strict=True):
        url = urlsplit(credential["url"])
        path = url.path.split("/labtrack/", 1)[1]
        answer = await fetch.raw(
            "PUT", f"labtrack/{path}?{url.query}", data, credential["headers"], token=False
        )
        assert answer.code == 200, answer.body
        sent.append({"part_number": credential["part_number"], "etag": answer.headers["ETag"]})
    done = {"path": "big.bin", "upload_id": created["upload_id"], "parts": sent}
    status, _ = await fetch("POST", f"{ARTIFACTS}mpu/complete/{run_path}/big.bin", done)
    assert status == 200
    got = await fetch.raw("GET", f"{FILES}/{run_path}/big.bin")
    assert got.body == b"".join(parts)


async def test_an_aborted_upload_is_gone(fetch: Fetch, run_path: str) -> None:
    status, created = await fetch(
        "POST", f"{ARTIFACTS}mpu/create/{run_path}/x.bin", {"path": "x.bin", "num_parts": 2}
    )
    upload = {"path": "x.bin", "upload_id": created["upload_id"]}
    assert (await fetch("POST", f"{ARTIFACTS}mpu/abort/{run_path}/x.bin", upload))[0] == 200
    status, body = await fetch(
        "POST", f"{ARTIFACTS}mpu/complete/{run_path}/x.bin", {**upload, "parts": []}
    )
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")
