"""show_runs: the table holds the runs; filter, status, selection, CSV and compare work."""

from __future__ import annotations

from pathlib import Path

import pytest

import labtrack
from labtrack.errors import ResourceNotFoundError
from labtrack.tracking.runs_csv import runs_to_csv
from labtrack.widgets import compare, show_runs
from labtrack.widgets.compare import CompareView
from labtrack.widgets.runs_table import RunsTable, last_selection
from tests.widgets.conftest import make_run


@pytest.fixture
def three_runs() -> list[str]:
    return [
        make_run("a", {"model": "rf", "alpha": 0.1}, {"rmse": 0.9}),
        make_run("b", {"model": "gb", "alpha": 0.2}, {"rmse": 0.5}),
        make_run("c", {"model": "rf", "alpha": 0.3}, {"rmse": 0.7}),
    ]


def grid_ids(table: RunsTable) -> list[str]:
    """Run ids as the browser would receive them (from the grid's serialized state)."""
    return grid_column(table, "run_id")


def grid_column(table: RunsTable, name: str) -> list[str]:
    """A column as the browser would receive it (from the grid's serialized state)."""
    column = table.grid.get_state()["_data"]["data"][name]
    if isinstance(column, dict):  # an empty column goes out as an (empty) binary buffer
        assert tuple(column["shape"]) == (0,)
        return []
    return list(column)


def test_table_holds_the_runs_of_the_current_experiment(three_runs: list[str]) -> None:
    table = show_runs()
    assert isinstance(table, RunsTable)
    assert sorted(grid_ids(table)) == sorted(three_runs)
    assert set(table.run_ids) == set(three_runs)
    columns = list(table.frame.columns)
    # The name first, then what the runs measured, then how they were set up.
    assert columns == [
        "name",
        "metrics.rmse",
        "params.alpha",
        "params.model",
        "status",
        "start time",
        "duration (s)",
        "user",
    ]
    assert table.count_label.value == "3 runs"
    assert table.grid.selection_mode == "row"


def test_experiment_by_name_or_id(three_runs: list[str]) -> None:
    eid = labtrack.create_experiment("other")
    other = make_run("x", {"p": 1}, {"m": 1.0}, experiment_id=eid)
    assert show_runs("other").run_ids == [other]
    assert show_runs(eid).run_ids == [other]
    assert sorted(show_runs("0").run_ids) == sorted(three_runs)


def test_unknown_experiment_is_a_clear_error() -> None:
    with pytest.raises(ResourceNotFoundError, match="No experiment with name or id 'nope'"):
        show_runs("nope")


def test_filter_changes_rows(three_runs: list[str]) -> None:
    table = show_runs()
    table.filter_string = "metrics.rmse < 0.8"
    assert sorted(grid_ids(table)) == sorted([three_runs[1], three_runs[2]])
    table.filter_text.value = "params.model = 'gb'"  # the text box drives the same trait
    assert table.filter_string == "params.model = 'gb'"
    assert grid_ids(table) == [three_runs[1]]


def test_initial_filter_argument(three_runs: list[str]) -> None:
    table = show_runs(filter_string="params.model = 'rf'")
    assert table.filter_text.value == "params.model = 'rf'"
    assert sorted(table.run_ids) == sorted([three_runs[0], three_runs[2]])


def test_bad_filter_sets_the_error_label_and_keeps_the_rows(three_runs: list[str]) -> None:
    table = show_runs()
    table.filter_string = "metrics.rmse < 0.8"
    before = grid_ids(table)
    table.filter_string = "metrics.rmse <<< 0.8"
    assert "metrics.rmse <<< 0.8" in table.error  # the message points into the text
    assert "^" in table.error
    assert "color:#c62828" in table.error_label.value
    assert "Traceback" not in table.error_label.value
    assert grid_ids(table) == before
    table.filter_string = "metrics.rmse < 0.6"
    assert table.error == ""
    assert table.error_label.value == ""
    assert grid_ids(table) == [three_runs[1]]


def test_status_dropdown_filters_by_status(three_runs: list[str]) -> None:
    client = labtrack.TrackingClient()
    client.set_terminated(three_runs[0], "FAILED")
    table = show_runs()
    table.status_dropdown.value = "FAILED"
    assert table.status == "FAILED"
    assert grid_ids(table) == [three_runs[0]]
    table.filter_string = "metrics.rmse < 0.8"
    assert grid_ids(table) == []
    table.status = "FINISHED"
    assert sorted(grid_ids(table)) == sorted(three_runs[1:])


def test_bad_filter_with_a_status_points_into_the_typed_text(three_runs: list[str]) -> None:
    table = show_runs()
    table.status = "FINISHED"
    table.filter_string = "params.model = "
    assert table.error
    assert "attributes.status" not in table.error
    assert len(table.run_ids) == 3


def test_unknown_status_is_refused() -> None:
    table = show_runs()
    with pytest.raises(labtrack.errors.InvalidParameterError):
        table.status = "DONE"


def test_max_results_limits_rows(three_runs: list[str]) -> None:
    assert len(show_runs(max_results=2).run_ids) == 2


def test_row_selection_gives_run_ids(three_runs: list[str]) -> None:
    table = show_runs()
    order = list(table.frame.index)
    table.grid.selections = [{"r1": 0, "c1": 0, "r2": 1, "c2": 3}]
    assert table.selected_run_ids == order[:2]
    assert table.compare_button.disabled is False
    # Sorted in the browser: view row 0 is data row 2.
    table.grid._visible_rows = [2, 0, 1]
    assert table.selected_run_ids == [order[2], order[0]]
    table.grid.selections = []
    assert table.selected_run_ids == []
    assert table.compare_button.disabled is True


def test_select_runs_selects_their_rows(three_runs: list[str]) -> None:
    table = show_runs()
    table.select_runs([three_runs[2], three_runs[0], "not-a-run"])
    assert table.selected_run_ids == [three_runs[2], three_runs[0]]


def test_compare_without_ids_uses_the_last_tables_selection(three_runs: list[str]) -> None:
    show_runs().select_runs(three_runs[:1])
    table = show_runs()
    table.select_runs(three_runs[1:])
    assert last_selection() == three_runs[1:]
    view = compare()
    assert view.run_ids == three_runs[1:]


def test_compare_selected_shows_the_comparison_below(three_runs: list[str]) -> None:
    table = show_runs()
    table.select_runs(three_runs[:2])
    table.compare_button.click()
    (shown,) = table.compare_area.children
    assert isinstance(shown, CompareView)
    assert shown.run_ids == three_runs[:2]
    table.select_runs(three_runs[2:])
    again = table.compare_selected()
    assert table.compare_area.children == (again,)


def test_compare_selected_with_no_selection_shows_a_message(three_runs: list[str]) -> None:
    table = show_runs()
    assert table.compare_selected() is None
    (note,) = table.compare_area.children
    assert "No runs to compare" in note.value


def test_download_csv_writes_the_sidebar_layout(three_runs: list[str], tmp_path: Path) -> None:
    table = show_runs()
    table.csv_folder = str(tmp_path)
    table.csv_button.click()
    path = tmp_path / "labtrack-runs-0.csv"
    assert path.read_bytes().decode("utf-8") == runs_to_csv(table.runs)
    assert "href='data:text/csv;base64," in table.csv_link.value
    assert "download='labtrack-runs-0.csv'" in table.csv_link.value


def test_refresh_shows_new_runs_and_keeps_the_selection(three_runs: list[str]) -> None:
    table = show_runs()
    table.select_runs([three_runs[1]])
    new = make_run("d", {"model": "rf"}, {"rmse": 0.1})
    assert table.refresh() is False  # nothing running
    assert new in table.run_ids
    assert table.selected_run_ids == [three_runs[1]]
    assert grid_ids(table)[table.grid.selections[0]["r1"]] == three_runs[1]


def test_empty_experiment_shows_an_empty_table() -> None:
    table = show_runs()
    assert table.run_ids == []
    assert table.count_label.value == "0 runs"
    assert table.error == ""


def test_browser_sorts_survive_a_refresh_unless_their_column_is_gone(three_runs: list[str]) -> None:
    table = show_runs()
    table.grid.transform(
        [
            {"type": "sort", "column": "metrics.rmse", "desc": True},
            {"type": "sort", "column": "name", "desc": False},
        ]
    )
    table.filter_string = "params.model = 'gb'"  # same columns: both sorts stay
    assert len(table.grid._transforms) == 2
    eid = labtrack.create_experiment("bare")
    make_run("bare", experiment_id=eid)
    table.experiment_ids = [eid]  # no metrics column any more
    assert [t["column"] for t in table.grid._transforms] == ["name"]


def test_a_missing_metric_is_a_blank_not_nan(three_runs: list[str]) -> None:
    make_run("d", {"model": "rf"}, {})  # logged no rmse

    table = show_runs()

    frame = table.frame
    assert frame["metrics.rmse"].dtype == "float64"  # still sorts as numbers in the grid
    assert frame["metrics.rmse"].isna().sum() == 1
    # The grid draws NaN through the renderer's expression: a blank.
    renderer = table.grid.default_renderer
    assert renderer.text_value.value == "isNaN(cell.value) ? ' ' : default_value"


def test_rows_are_headed_by_the_run_name_and_the_id_stays_a_column(
    three_runs: list[str],
) -> None:
    make_run("a", {"model": "rf"}, {"rmse": 0.2})  # a second "a": told apart by its id prefix

    table = show_runs()

    state = table.grid.get_state()["_data"]
    fields = [f["name"] for f in state["schema"]["fields"] if f["name"] != "ipydguuid"]
    assert state["schema"]["primaryKey"][0] == "name"
    assert fields[-1] == "run_id" and "name" not in fields[1:]
    headers = grid_column(table, "name")
    ids = grid_column(table, "run_id")
    assert sorted(ids) == sorted(table.run_ids)
    by_id = dict(zip(ids, headers, strict=True))
    assert by_id[three_runs[1]] == "b"
    assert sorted(h for h in headers if h.startswith("a")) == sorted(
        f"a ({rid[:8]})" for rid, h in by_id.items() if h.startswith("a")
    )
    # The table's own frame stays keyed by run id (selection, compare, ``frame.loc``).
    assert list(table.frame.index) == table.run_ids
