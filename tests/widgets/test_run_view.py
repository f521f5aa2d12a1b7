"""show_run: overview, params, metrics with last/min/max, history chart, tags, artifacts."""

from __future__ import annotations

import numpy as np
import pytest

import labtrack
from labtrack.entities import Metric
from labtrack.errors import ResourceNotFoundError
from labtrack.widgets import show_run
from labtrack.widgets.run_view import REVISION_TAG, ArtifactFolder, RunView
from tests.widgets.conftest import make_run


@pytest.fixture
def run_id() -> str:
    client = labtrack.TrackingClient()
    rid = make_run(
        "train",
        {"alpha": 0.5, "model": "rf"},
        {},
        finish=False,
        tags={"mlflow.source.name": "notebooks/train.ipynb", "team": "vision"},
    )
    client.log_batch(
        rid,
        metrics=[Metric("loss", v, 1000 + i, i) for i, v in enumerate([0.9, 0.4, 0.6, 0.3])]
        + [Metric("acc", 0.8, 1000, 0)],
    )
    client.log_text(rid, "hello", "notes/readme.md")
    client.log_text(rid, "{}", "model/sub/weights.json")
    client.log_text(rid, "x", "summary.txt")
    client.set_terminated(rid)
    return rid


def test_overview_shows_the_run(run_id: str) -> None:
    view = show_run(run_id)
    assert isinstance(view, RunView)
    text = view.overview.value
    for expected in ("train", run_id, "FINISHED", "notebooks/train.ipynb", " UTC", " s<"):
        assert expected in text
    assert "Notebook revision" not in text
    assert view.status == "FINISHED"


def test_overview_shows_the_notebook_revision_when_tagged() -> None:
    rid = make_run("r", tags={REVISION_TAG: "3f9a2c1"})
    assert "Notebook revision" in show_run(rid).overview.value
    assert "3f9a2c1" in show_run(rid).overview.value


def test_params_metrics_and_tags_tables(run_id: str) -> None:
    view = show_run(run_id)
    assert "<td>alpha</td><td>0.5</td>" in view.params_html.value
    assert "<td>model</td><td>rf</td>" in view.params_html.value
    # loss: last (highest step) 0.3, min 0.3, max 0.9, four points.
    assert "<td>loss</td><td>0.3</td><td>0.3</td><td>0.9</td><td>4</td>" in view.metrics_html.value
    assert "<td>acc</td><td>0.8</td><td>0.8</td><td>0.8</td><td>1</td>" in view.metrics_html.value
    assert "<td>team</td><td>vision</td>" in view.tags_html.value


def test_values_are_escaped() -> None:
    rid = make_run("<b>x</b>", {"p": "<script>"})
    view = show_run(rid)
    assert "<script>" not in view.params_html.value
    assert "&lt;script&gt;" in view.params_html.value
    assert "<b>x</b>" not in view.overview.value


def test_chart_holds_the_metric_history(run_id: str) -> None:
    view = show_run(run_id)
    assert view.metric_keys == ["acc", "loss"]
    assert view.metric == "loss"  # the longest history is charted first
    view.metric_dropdown.value = "acc"
    np.testing.assert_allclose(view.line.y, [0.8])
    view.metric_dropdown.value = "loss"
    assert view.metric == "loss"
    np.testing.assert_allclose(view.line.x, [0, 1, 2, 3])
    np.testing.assert_allclose(view.line.y, [0.9, 0.4, 0.6, 0.3])
    assert view.line.get_state()["y"]["shape"] == (4,)
    assert (view.x_axis.label, view.y_axis.label) == ("step", "loss")
    assert [m.value for m in view.history("loss")] == [0.9, 0.4, 0.6, 0.3]


def test_points_without_steps_are_drawn_against_time() -> None:
    client = labtrack.TrackingClient()
    rid = make_run("t", finish=False)
    client.log_batch(rid, metrics=[Metric("m", v, 1000 + 500 * i, 0) for i, v in enumerate([3, 2])])
    client.set_terminated(rid)
    view = show_run(rid)
    np.testing.assert_allclose(view.line.x, [0.0, 0.5])
    assert view.x_axis.label == "seconds since first point"


def test_artifacts_list_the_top_level_and_open_folders_on_demand(run_id: str) -> None:
    view = show_run(run_id)
    top = view.artifacts
    assert sorted(top.entries) == ["model", "notes", "summary.txt"]
    assert "summary.txt" in top.files_html.value
    assert top.folders.titles == ("📁 model", "📁 notes")
    model = top.folders.children[0]
    assert isinstance(model, ArtifactFolder)
    assert model.loaded == 0  # nothing listed before it is opened
    top.folders.selected_index = 0
    assert model.entries == ["model/sub"]
    model.folders.selected_index = 0
    assert model.folders.children[0].entries == ["model/sub/weights.json"]
    assert "weights.json" in model.folders.children[0].files_html.value


def test_a_run_without_artifacts_says_so() -> None:
    view = show_run(make_run("empty"))
    assert "No artifacts" in view.artifacts.files_html.value
    assert view.metric == ""
    assert len(view.line.y) == 0


def test_unknown_run_id_is_a_clear_error() -> None:
    with pytest.raises(ResourceNotFoundError):
        show_run("0123456789abcdef0123456789abcdef")
