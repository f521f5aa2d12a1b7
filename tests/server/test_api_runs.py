"""Run routes: search with filters, pages, columns, CSV, edit, delete, changes, live notebooks."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import pytest

from labtrack.entities import Metric, Param, RunTag
from labtrack.tracking.client import TrackingClient
from tests.server.helpers import api


@pytest.fixture
def runs(labtrack_home) -> dict[str, str]:  # type: ignore[no-untyped-def]
    client = TrackingClient(str(labtrack_home))
    ids = {}
    for i, (model, rmse) in enumerate([("rf", 0.3), ("lin", 0.9), ("rf", math.nan)]):
        system = {"mlflow.user": "ana", "mlflow.source.type": "LOCAL"}
        run = client.create_run("0", start_time=1_000 + i, run_name=f"r{i}", tags=system)
        rid = run.info.run_id
        client.log_batch(
            rid,
            metrics=[Metric("rmse", rmse, 1, 0), Metric("mae", 0.1, 1, 0)],
            params=[Param("model", model), Param("depth", str(i))],
            tags=[RunTag("note", "=1+1" if i == 1 else "ok")],
        )
        if i < 2:
            client.set_terminated(rid)
        ids[f"r{i}"] = rid
    return ids


async def test_search_with_filter_order_and_columns(jp_fetch: Any, runs) -> None:
    code, body = await api(
        jp_fetch,
        "GET",
        "runs",
        experiment_id="0",
        filter="params.model = 'rf'",
        order_by="params.depth DESC",
        columns="params.model,metrics.rmse",
    )
    assert code == 200
    assert [r["run_name"] for r in body["runs"]] == ["r2", "r0"]
    first = body["runs"][0]
    assert first["params"] == {"model": "rf"} and first["metrics"] == {"rmse": "NaN"}
    assert "mlflow.user" in first["tags"] and "note" not in first["tags"]
    assert body["keys"]["params"] == ["depth", "model"]
    assert body["keys"]["metrics"] == ["mae", "rmse"]
    assert body["marker"]


async def test_quick_filters_status_and_start_time(jp_fetch: Any, runs) -> None:
    _, body = await api(jp_fetch, "GET", "runs", experiment_id="0", status="RUNNING")
    assert [r["run_name"] for r in body["runs"]] == ["r2"]
    _, body = await api(jp_fetch, "GET", "runs", experiment_id="0", started_after="1001")
    assert {r["run_name"] for r in body["runs"]} == {"r1", "r2"}
    _, body = await api(jp_fetch, "GET", "runs", experiment_id="0", has_model="true")
    assert body["runs"] == []


async def test_pages(jp_fetch: Any, runs) -> None:
    _, first = await api(jp_fetch, "GET", "runs", experiment_id="0", max_results="2")
    assert len(first["runs"]) == 2 and first["next_page_token"]
    _, rest = await api(
        jp_fetch,
        "GET",
        "runs",
        experiment_id="0",
        max_results="2",
        page_token=first["next_page_token"],
    )
    assert len(rest["runs"]) == 1 and rest["next_page_token"] is None


async def test_malformed_filter_is_a_400_that_says_where(jp_fetch: Any, runs) -> None:
    code, body = await api(jp_fetch, "GET", "runs", experiment_id="0", filter="metrics.rmse <")
    assert code == 400 and "character" in body["message"] and "^" in body["message"]
    code, body = await api(jp_fetch, "GET", "runs")
    assert code == 400 and "experiment_id" in body["message"]
    code, body = await api(jp_fetch, "GET", "runs", experiment_id="0", status="DONE")
    assert code == 400 and "Unknown run status" in body["message"]
    code, body = await api(jp_fetch, "GET", "runs", experiment_id="0", max_results="0")
    assert code == 400


async def test_csv_has_mlflow_columns_and_escapes_formulas(jp_fetch: Any, runs) -> None:
    code, text = await api(jp_fetch, "GET", "runs.csv", experiment_id="0")
    assert code == 200
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:8] == [
        "Start Time",
        "Duration",
        "Run ID",
        "Name",
        "Source Type",
        "Source Name",
        "User",
        "Status",
    ]
    note = rows[0].index("note")
    by_name = {r[3]: r for r in rows[1:]}
    assert by_name["r1"][note] == "'=1+1"
    assert len(rows) == 4


async def test_get_patch_delete_restore_a_run(jp_fetch: Any, runs, labtrack_home) -> None:
    rid = runs["r0"]
    code, body = await api(jp_fetch, "GET", f"runs/{rid}")
    assert code == 200 and body["info"]["run_name"] == "r0"
    assert body["data"]["params"] == {"model": "rf", "depth": "0"}
    code, body = await api(
        jp_fetch,
        "PATCH",
        f"runs/{rid}",
        {"name": "best", "description": "**good**", "tags": {"k": "v"}, "delete_tags": ["note"]},
    )
    assert code == 200
    assert body["info"]["run_name"] == "best"
    assert body["data"]["tags"]["mlflow.note.content"] == "**good**"
    assert body["data"]["tags"]["k"] == "v" and "note" not in body["data"]["tags"]
    assert (await api(jp_fetch, "DELETE", f"runs/{rid}"))[0] == 204
    _, listed = await api(jp_fetch, "GET", "runs", experiment_id="0")
    assert rid not in [r["run_id"] for r in listed["runs"]]
    assert (await api(jp_fetch, "POST", f"runs/{rid}/restore"))[0] == 204
    code, body = await api(jp_fetch, "GET", f"runs/{'0' * 32}")
    assert code == 404


async def test_changes_marker_moves_only_when_something_changes(
    jp_fetch: Any, runs, labtrack_home
) -> None:
    _, first = await api(jp_fetch, "GET", "changes", experiment_id="0")
    _, same = await api(jp_fetch, "GET", "changes", experiment_id="0", since=first["marker"])
    assert same == {"marker": first["marker"], "changed": False}
    TrackingClient(str(labtrack_home)).log_metric(runs["r2"], "rmse", 0.5, step=1)
    _, moved = await api(jp_fetch, "GET", "changes", experiment_id="0", since=first["marker"])
    assert moved["changed"] is True and moved["marker"] != first["marker"]


async def test_live_notebook_model_becomes_the_runs_version(
    jp_fetch: Any, runs, labtrack_home
) -> None:
    import labtrack

    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": "c1",
                "source": "x = 1  # unsaved edit",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    code, _ = await api(
        jp_fetch, "PUT", f"runs/{runs['r2']}/notebook", {"path": "a.ipynb", "notebook": nb}
    )
    assert code == 204
    tags = TrackingClient(str(labtrack_home)).get_run(runs["r2"]).data.tags
    assert tags["labtrack.notebook.live"] == "true"
    labtrack.set_tracking_uri(str(labtrack_home))
    try:
        version = labtrack.get_notebook_version(runs["r2"])
    finally:
        labtrack.set_tracking_uri(None)
    assert version.cells[0].source == "x = 1  # unsaved edit" and version.cells[0].id == "c1"
    code, body = await api(jp_fetch, "PUT", f"runs/{runs['r2']}/notebook", {"notebook": []})
    assert code == 400


# The broken notebooks below lack cell ids on purpose; nbformat warns before refusing them.
@pytest.mark.filterwarnings("ignore::nbformat.validator.MissingIDFieldWarning")
@pytest.mark.parametrize(
    "notebook, says",
    [
        ({"cells": [], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}, "nbformat 4"),
        ({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": {}}, "nbformat 4"),
        ({"cells": [{}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, "cells/0"),
        (
            {
                "cells": [{"cell_type": "code", "id": "a", "source": 1, "metadata": {}}],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            },
            "cells/0",
        ),
    ],
)
async def test_a_notebook_that_could_not_be_read_back_is_refused(
    jp_fetch: Any, runs, labtrack_home, notebook: dict[str, Any], says: str
) -> None:
    code, body = await api(jp_fetch, "PUT", f"runs/{runs['r2']}/notebook", {"notebook": notebook})

    assert code == 400, body
    assert says in body["message"]
    tags = TrackingClient(str(labtrack_home)).get_run(runs["r2"]).data.tags
    assert "labtrack.notebook.revision" not in tags
