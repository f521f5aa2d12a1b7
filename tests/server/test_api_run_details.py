"""Routes behind the run page and compare view: series, artifacts, notebooks, compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labtrack.entities import Metric, Param
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api


@pytest.fixture
def run_with_data(labtrack_home: Path) -> str:
    client = TrackingClient(str(labtrack_home))
    run = client.create_run("0", run_name="detailed")
    rid = run.info.run_id
    points = [(rid, "val/loss", 1.0, i, i) for i in range(5000)]
    points[2345] = (rid, "val/loss", 99.0, 2345, 2345)  # a spike
    points[4000] = (rid, "val/loss", -7.0, 4000, 4000)  # a dip
    client.store.log_metric_points(points)
    client.log_text(rid, "hello <b>there</b>", "notes/readme.md")
    client.log_dict(rid, {"a": 1}, "config.json")
    client.log_text(rid, "x,y\n1,2\n", "data/table.csv")
    return rid


async def test_metric_history_downsampling_keeps_extremes(jp_fetch: Any, run_with_data) -> None:
    code, body = await api(
        jp_fetch, "GET", f"runs/{run_with_data}/metrics/val/loss", max_points="100"
    )
    assert code == 200 and body["total"] == 5000 and body["downsampled"] is True
    values = [p["value"] for p in body["points"]]
    assert len(values) <= 100
    assert 99.0 in values and -7.0 in values
    steps = [p["step"] for p in body["points"]]
    assert steps == sorted(steps)
    code, whole = await api(
        jp_fetch, "GET", f"runs/{run_with_data}/metrics/val/loss", max_points="10000"
    )
    assert whole["downsampled"] is False and len(whole["points"]) == 5000


async def test_metrics_bulk_for_overlays(jp_fetch: Any, run_with_data, labtrack_home) -> None:
    client = TrackingClient(str(labtrack_home))
    other = client.create_run("0", run_name="other").info.run_id
    client.log_batch(other, metrics=[Metric("val/loss", 0.5, 1, 0)])
    code, body = await api(
        jp_fetch,
        "GET",
        "metrics-bulk",
        keys="val/loss",
        run_ids=f"{run_with_data},{other}",
        max_points="50",
    )
    assert code == 200
    by_run = {s["run_id"]: s for s in body["series"]}
    assert by_run[other]["points"] == [{"step": 0, "timestamp": 1, "value": 0.5}]
    assert by_run[run_with_data]["downsampled"] is True
    code, body = await api(jp_fetch, "GET", "metrics-bulk", keys="x")
    assert code == 400


async def test_artifact_listing_and_files_with_content_types(jp_fetch: Any, run_with_data) -> None:
    code, body = await api(jp_fetch, "GET", f"runs/{run_with_data}/artifacts")
    assert code == 200
    assert [(f["path"], f["is_dir"]) for f in body["files"]] == [
        ("config.json", False),
        ("data", True),
        ("notes", True),
    ]
    code, body = await api(jp_fetch, "GET", f"runs/{run_with_data}/artifacts", path="notes")
    assert [f["path"] for f in body["files"]] == ["notes/readme.md"]
    response = await jp_fetch(
        "labtrack",
        "api",
        "runs",
        run_with_data,
        "artifacts",
        "file",
        params={"path": "data/table.csv"},
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.body == b"x,y\n1,2\n"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response = await jp_fetch(
        "labtrack",
        "api",
        "runs",
        run_with_data,
        "artifacts",
        "file",
        params={"path": "config.json"},
    )
    assert json.loads(response.body) == {"a": 1}


@pytest.mark.parametrize(
    "bad",
    [
        "../../../etc/passwd",
        "/etc/passwd",
        "a\\..\\..\\x",
        "%2e%2e/%2e%2e/x",
        "%252e%252e/x",
        "notes;x=1/readme.md",
        "file:///etc/passwd",
        "s3://other/x",
    ],
)
async def test_hostile_artifact_paths_are_refused(jp_fetch: Any, run_with_data, bad) -> None:
    for route in ("artifacts", "artifacts/file"):
        code, body = await api(jp_fetch, "GET", f"runs/{run_with_data}/{route}", path=bad)
        assert code == 400, (route, bad, body)


async def test_missing_artifact_is_404(jp_fetch: Any, run_with_data) -> None:
    code, body = await api(jp_fetch, "GET", f"runs/{run_with_data}/artifacts/file", path="nope.txt")
    assert code == 404


async def test_notebook_version_and_diff(jp_fetch: Any, labtrack_home) -> None:
    import nbformat

    from labtrack.entities import RunTag
    from labtrack.notebook.capture import canonical

    client = TrackingClient(str(labtrack_home))
    ids = []
    for source in ("x = 1", "x = 2"):
        rid = client.create_run("0").info.run_id
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        digest = client.store.put_blob("notebook", canonical(nb))
        client.store.log_batch(rid, tags=[RunTag("labtrack.notebook.revision", digest)])
        ids.append(rid)
    response = await jp_fetch("labtrack", "api", "runs", ids[0], "notebook")
    assert "".join(json.loads(response.body)["cells"][0]["source"]) == "x = 1"
    code, body = await api(jp_fetch, "GET", f"runs/{ids[0]}/notebook/diff", other=ids[1])
    assert code == 200 and "x = 2" in body["text"] and body["diff"]
    assert response.headers["Content-Type"] == "application/x-ipynb+json"
    bare = client.create_run("0").info.run_id
    code, body = await api(jp_fetch, "GET", f"runs/{bare}/notebook")
    assert code == 404 and "notebook" in body["message"]


async def test_notebook_versions_come_from_the_servers_store(
    jp_fetch: Any, labtrack_home, tmp_path
) -> None:
    import nbformat

    import labtrack
    from labtrack.entities import RunTag
    from labtrack.notebook.capture import canonical

    client = TrackingClient(str(labtrack_home))
    rid = client.create_run("0").info.run_id
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("y = 3")])
    digest = client.store.put_blob("notebook", canonical(nb))
    client.store.log_batch(rid, tags=[RunTag("labtrack.notebook.revision", digest)])
    # The process's own tracking store (the kernel-side default) is another one.
    labtrack.set_tracking_uri(str(tmp_path / "elsewhere"))
    try:
        code, body = await api(jp_fetch, "GET", f"runs/{rid}/notebook/diff", other=rid)
    finally:
        labtrack.set_tracking_uri(None)

    assert code == 200, body
    assert "".join(body["base"]["cells"][0]["source"]) == "y = 3"


async def test_unreadable_notebook_version_is_a_400(jp_fetch: Any, labtrack_home) -> None:
    from labtrack.entities import RunTag

    client = TrackingClient(str(labtrack_home))
    rid = client.create_run("0").info.run_id
    digest = client.store.put_blob("notebook", b'{"cells": [{}], "nbformat": 4}')
    client.store.log_batch(rid, tags=[RunTag("labtrack.notebook.revision", digest)])

    for route, params in (
        (f"runs/{rid}/notebook", {}),
        (f"runs/{rid}/notebook/diff", {"other": rid}),
    ):
        code, body = await api(jp_fetch, "GET", route, **params)
        assert code == 400, body
        assert body["error_code"] == "INVALID_STATE"
        assert f"PUT runs/{rid}/notebook" in body["message"]


async def test_compare_lists_keys_and_differences(jp_fetch: Any, labtrack_home) -> None:
    client = TrackingClient(str(labtrack_home))
    ids = []
    for depth, rmse in ((3, 0.5), (3, 0.7), (5, 0.7)):
        rid = client.create_run("0").info.run_id
        client.log_batch(
            rid,
            metrics=[Metric("rmse", rmse, 1, 0)],
            params=[Param("depth", str(depth)), Param("model", "rf")],
        )
        ids.append(rid)
    code, body = await api(jp_fetch, "GET", "compare", run_ids=",".join(ids))
    assert code == 200 and [r["info"]["run_id"] for r in body["runs"]] == ids
    assert body["keys"]["params"] == ["depth", "model"]
    assert body["differing"]["params"] == ["depth"]
    assert body["differing"]["metrics"] == ["rmse"]
    code, body = await api(jp_fetch, "GET", "compare", run_ids="0" * 32)
    assert code == 404
