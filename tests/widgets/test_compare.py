"""compare: side-by-side table with differences, parallel coordinates, scatter, contour."""

from __future__ import annotations

import numpy as np
import pytest
from bqplot import Lines, OrdinalScale

from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.widgets import compare
from labtrack.widgets.compare import DIFFERS, HIGHLIGHT, CompareView
from tests.widgets.conftest import make_run


@pytest.fixture
def runs() -> list[str]:
    return [
        make_run("a", {"model": "rf", "alpha": 0.1, "seed": 1, "depth": 3}, {"rmse": 0.9, "r2": 1}),
        make_run("b", {"model": "gb", "alpha": 0.2, "seed": 1, "depth": 5}, {"rmse": 0.5, "r2": 1}),
        make_run("c", {"model": "rf", "alpha": 0.3, "seed": 1, "depth": 4}, {"rmse": 0.7, "r2": 1}),
        make_run("d", {"model": "lr", "alpha": 0.4, "seed": 1, "depth": 8}, {"rmse": 0.2, "r2": 1}),
    ]


def test_table_puts_runs_side_by_side(runs: list[str]) -> None:
    view = compare(runs)
    assert isinstance(view, CompareView)
    table = view.grid.data  # what the grid holds (and sends to the browser)
    assert list(table.columns) == [DIFFERS, "a", "b", "c", "d"]
    assert list(table.index) == [
        "params.alpha",
        "params.depth",
        "params.model",
        "params.seed",
        "metrics.r2",
        "metrics.rmse",
    ]
    assert list(table.loc["params.model", ["a", "b", "c", "d"]]) == ["rf", "gb", "rf", "lr"]
    assert list(table.loc["metrics.rmse", ["a", "b"]]) == ["0.9", "0.5"]
    assert view.grid.get_state()["_data"]["data"]["key"][0] == "params.alpha"


def test_rows_that_differ_are_marked_and_highlighted(runs: list[str]) -> None:
    view = compare(runs)
    assert set(view.differing_keys) == {
        "params.alpha",
        "params.depth",
        "params.model",
        "metrics.rmse",
    }
    assert view.table.loc["params.seed", DIFFERS] == ""
    assert view.table.loc["params.model", DIFFERS] == "≠"
    assert view.grid.default_renderer.background_color.value == HIGHLIGHT
    assert f"['{DIFFERS}']" in HIGHLIGHT


def test_differences_only_hides_equal_rows(runs: list[str]) -> None:
    view = compare(runs)
    assert "params.seed" in view.grid.data.index
    view.diff_checkbox.value = True
    assert view.differences_only is True
    assert "params.seed" not in view.grid.data.index
    assert "metrics.r2" not in view.grid.data.index
    assert view.shown_keys == list(view.grid.data.index)
    assert set(view.shown_keys) == set(view.differing_keys)
    view.differences_only = False
    assert len(view.grid.data) == 6


def test_a_missing_value_counts_as_a_difference() -> None:
    a = make_run("a", {"p": 1}, {"m": 1.0})
    b = make_run("b", {}, {"m": 1.0})
    view = compare([a, b])
    assert view.differing_keys == ["params.p"]
    assert view.table.loc["params.p", "b"] == ""


def test_unknown_run_ids_are_a_clear_error(runs: list[str]) -> None:
    with pytest.raises(ResourceNotFoundError, match=r"Unknown run id\(s\): 'nope', \"x'y\""):
        compare([runs[0], "nope", "x'y"])


def test_no_ids_and_no_selection_is_a_clear_error() -> None:
    with pytest.raises(InvalidParameterError, match="select rows in a show_runs"):
        compare()


def test_one_id_as_a_string(runs: list[str]) -> None:
    assert compare(runs[0]).run_ids == [runs[0]]


def test_repeated_names_get_distinct_columns() -> None:
    a = make_run("same", {"p": 1}, {"m": 1.0})
    b = make_run("same", {"p": 2}, {"m": 2.0})
    columns = list(compare([a, b]).grid.data.columns)
    assert columns == [DIFFERS, f"same ({a[:8]})", f"same ({b[:8]})"]


# -- parallel coordinates ---------------------------------------------------------------------
def test_parallel_axes_are_params_that_vary_then_metrics(runs: list[str]) -> None:
    pc = compare(runs).parallel
    # seed is 1 in every run: not an axis by default, but the chooser offers it.
    assert pc.dimensions == [
        "params.alpha",
        "params.depth",
        "params.model",
        "metrics.r2",
        "metrics.rmse",
    ]
    assert "params.seed" in pc.axes_chooser.options
    assert list(pc.titles.text) == ["alpha", "depth", "model", "r2", "rmse"]
    y = pc.lines.y
    assert y.shape == (4, 5)  # one row per run, one column per axis
    np.testing.assert_allclose(y[:, 0], [0, 1 / 3, 2 / 3, 1])  # alpha 0.1..0.4
    np.testing.assert_allclose(y[:, 3], [0.5] * 4)  # a constant sits mid-axis

    pc.axes_chooser.value = ("params.seed", "metrics.rmse")
    assert pc.dimensions == ["params.seed", "metrics.rmse"]
    assert pc.lines.y.shape == (4, 2)


def test_parallel_draws_every_run_when_most_params_are_missing() -> None:
    # Regression: an autologged run beside one logged by hand drew 1 of the 2 lines
    # (a NaN in a run's y breaks its whole line) and coloured by a metric one run had.
    autolog = {f"min_weight_fraction_leaf_{i}": 0.0 for i in range(18)}
    a = make_run("auto", {**autolog, "bootstrap": True, "n_estimators": 5}, {"score": 0.8, "t": 1})
    b = make_run("hand", {"n_estimators": 20}, {"score": 0.3})
    pc = compare([a, b]).parallel
    assert pc.dimensions == ["params.n_estimators", "metrics.score", "metrics.t"]
    assert np.isfinite(pc.lines.y).all()
    assert pc.color_by == "score" and pc.metrics == ["score"]
    t = pc.dimensions.index("metrics.t")
    assert pc.lines.y[1, t] < 0  # below the axis, on its (none) tick
    ticks = {
        str(text) for x, text in zip(pc.tick_labels.x, pc.tick_labels.text, strict=True) if x == t
    }
    assert "(none)" in ticks
    pc.axes_chooser.value = ("params.bootstrap",)
    labels = [str(text) for text in pc.tick_labels.text]
    assert labels == ["True", "(none)"]  # a category axis: no number ticks
    assert list(pc.titles.text) == ["bootstrap"]
    long = compare([a, b]).parallel
    long.axes_chooser.value = ("params.min_weight_fraction_leaf_1",)
    assert list(long.titles.text) == ["min_weight_fracti…"]


def test_parallel_categorical_params_sit_on_evenly_spaced_labelled_positions(
    runs: list[str],
) -> None:
    pc = compare(runs).parallel
    column = pc.dimensions.index("params.model")
    # Sorted categories gb, lr, rf at 0, 0.5, 1.
    np.testing.assert_allclose(pc.lines.y[:, column], [1.0, 0.0, 1.0, 0.5])
    ticks = [
        (float(y), str(t))
        for x, y, t in zip(pc.tick_labels.x, pc.tick_labels.y, pc.tick_labels.text, strict=True)
        if x == column
    ]
    assert ticks == [(0.0, "gb"), (0.5, "lr"), (1.0, "rf")]


def test_parallel_is_one_lines_mark_for_all_runs(runs: list[str]) -> None:
    pc = compare(runs).parallel
    run_marks = [m for m in pc.figure.marks if isinstance(m, Lines) and m is not pc.axis_lines]
    assert run_marks == [pc.lines]
    assert list(pc.lines.labels) == ["a", "b", "c", "d"]


def test_colour_by_changes_the_lines_color_array(runs: list[str]) -> None:
    pc = compare(runs).parallel
    assert pc.color_by == "r2"  # first metric every run has, sorted
    pc.color_dropdown.value = "rmse"
    assert pc.color_by == "rmse"
    np.testing.assert_allclose(pc.lines.color, [0.9, 0.5, 0.7, 0.2])
    assert pc.color_axis.label == "rmse"
    assert (pc.color_scale.min, pc.color_scale.max) == (0.2, 0.9)
    state = pc.lines.get_state()
    assert state["color"]["shape"] == (4,)
    with pytest.raises(Exception, match="color_by must be one of"):
        pc.color_by = "nope"


# -- scatter ----------------------------------------------------------------------------------
def test_scatter_plots_the_chosen_columns_with_run_names(runs: list[str]) -> None:
    sc = compare(runs).scatter
    assert (sc.x, sc.y) == ("params.alpha", "metrics.r2")
    sc.y_dropdown.value = "metrics.rmse"
    assert sc.y == "metrics.rmse"
    np.testing.assert_allclose(sc.points.x, [0.1, 0.2, 0.3, 0.4])
    np.testing.assert_allclose(sc.points.y, [0.9, 0.5, 0.7, 0.2])
    assert list(sc.points.names) == ["a", "b", "c", "d"]
    assert "name" in sc.points.tooltip.fields
    assert sc.points.tooltip.labels == ["run", "params.alpha", "metrics.rmse"]


def test_scatter_of_a_categorical_param_uses_an_ordinal_axis(runs: list[str]) -> None:
    sc = compare(runs).scatter
    sc.x = "params.model"
    assert isinstance(sc.points.scales["x"], OrdinalScale)
    assert sc.x_axis.scale is sc.points.scales["x"]
    assert list(sc.points.x) == ["rf", "gb", "rf", "lr"]


# -- contour ----------------------------------------------------------------------------------
def test_contour_grid_over_two_numeric_params(runs: list[str]) -> None:
    ct = compare(runs).contour
    assert ct.numeric_params == ["alpha", "depth", "seed"]  # model is text
    assert (ct.x_param, ct.y_param, ct.metric) == ("alpha", "depth", "r2")
    ct.metric_dropdown.value = "rmse"
    assert ct.message == ""
    assert ct.heatmap.color.shape == (40, 40)
    assert ct.heatmap.get_state()["color"]["shape"] == (40, 40)
    ct.grid_size = 25
    assert ct.heatmap.color.shape == (25, 25)
    assert len(ct.heatmap.x) == 25 and len(ct.heatmap.y) == 25
    assert ct.iso_lines.x.shape[1] == 2 and ct.iso_lines.x.shape[0] > 0
    assert list(ct.points.names) == ["a", "b", "c", "d"]
    np.testing.assert_allclose(ct.points.x, [0.1, 0.2, 0.3, 0.4])


def test_contour_explains_when_it_cannot_draw(runs: list[str]) -> None:
    ct = compare(runs).contour
    ct.y_dropdown.value = "seed"  # one value only
    assert "more than one value" in ct.message
    assert ct.figure.layout.display == "none"
    ct.y_param = "depth"
    assert ct.message == ""
    only_text = compare([make_run("x", {"m": "a"}, {"r": 1.0}), make_run("y", {"m": "b"}, {})])
    assert "two params whose values are numbers" in only_text.contour.message


def test_refresh_picks_up_changed_runs(runs: list[str]) -> None:
    import labtrack

    running = make_run("e", {"model": "rf"}, {"rmse": 0.3}, finish=False)
    view = compare([runs[0], running])
    client = labtrack.TrackingClient()
    client.log_metric(running, "new", 3.0)
    client.set_terminated(running)
    assert view.refresh() is False
    assert "metrics.new" in view.table.index
    assert "metrics.new" in view.parallel.columns  # one run has it: no colour
