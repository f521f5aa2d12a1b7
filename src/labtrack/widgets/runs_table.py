"""``show_runs``: the runs of an experiment as an inline, sortable, selectable table.

The table is an ipydatagrid ``DataGrid``. It renders on a canvas and only paints the rows in
view, so thousands of runs scroll smoothly; sorting and filtering by column happen in the
browser (column header menu) without a round trip; row selection is synced back as
``selections``. A table of plain ipywidgets would need one widget (or one HTML row) per cell and
a kernel round trip per sort. DataGrid is a regular Jupyter widget, so it works in JupyterLab,
classic Notebook and VS Code alike.

"Download CSV" is a button: it writes the CSV (the sidebar's column layout) into the working
folder, which every front end can open, VS Code included, and then also offers a ``data:`` link
for browsers that allow it. Building the link only on click keeps live refreshes cheap.

>>> import labtrack
>>> table = labtrack.widgets.show_runs(filter_string="metrics.rmse < 1")  # doctest: +SKIP
>>> table.status = "FINISHED"                      # doctest: +SKIP
>>> table.selected_run_ids                         # doctest: +SKIP
['4f1c...', '9a0b...']
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
from ipydatagrid import (  # type: ignore[import-untyped,unused-ignore]
    DataGrid,
    TextRenderer,
    VegaExpr,
)
from traitlets import Int, List, Unicode, link, observe, validate

from labtrack.entities import RUN_STATUSES, Run
from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.store.search_filter import parse_filter
from labtrack.tracking.runs_csv import runs_to_csv
from labtrack.tracking.search_frame import search_runs
from labtrack.widgets import _common
from labtrack.widgets.live import LiveView

if TYPE_CHECKING:
    import pandas as pd

    from labtrack.widgets.compare import CompareView

__all__ = ["RunsTable", "last_selection", "show_runs"]

STATUS_OPTIONS = [_common.ALL_STATUSES, *RUN_STATUSES]
# A run without a metric has NaN in that column (the column stays numeric, so the grid sorts
# it as numbers); the grid would print "NaN": draw a blank instead. A space, not '': the grid
# takes an empty result for "no text given" and prints its own text; default_value is the
# formatted value it would have printed.
BLANK_NAN = "isNaN(cell.value) ? ' ' : default_value"


def grid_frame(frame: pd.DataFrame, runs: Sequence[Run]) -> pd.DataFrame:
    """What the grid shows of :func:`_common.table_frame`: the run's name as the row header
    (names are what people know runs by; a repeated name gets its id prefix) and the id as the
    last column, where it can still be read, sorted and copied."""
    import pandas as pd

    shown = frame.drop(columns="name")
    shown.index = pd.Index(_common.unique_labels(runs), name="name", dtype=object)
    shown["run_id"] = list(frame.index)
    return shown


# The table show_runs() built last: `%compare` with no ids compares its selection.


class RunsTable(widgets.VBox, LiveView):  # type: ignore[misc]
    """Runs of one or more experiments: filter box, status menu, table, CSV and compare."""

    experiment_ids = List(Unicode(), help="Experiments whose runs the table shows.")
    filter_string = Unicode("", help="Search filter, e.g. \"metrics.rmse < 1\"; '' shows all.")
    status = Unicode(_common.ALL_STATUSES, help="Only runs with this status; 'ALL' for any.")
    max_results = Int(1000, help="At most this many runs are loaded (newest first).")
    run_ids = List(Unicode(), help="Ids of the rows in the table, in store order.")
    selected_run_ids = List(Unicode(), help="Ids of the selected rows, in selection order.")
    error = Unicode("", help="Why the last search failed ('' when it worked).")
    csv_folder = Unicode("", help="Folder 'Download CSV' writes into; '' is the working folder.")

    def __init__(
        self,
        experiment_ids: Sequence[str],
        filter_string: str = "",
        max_results: int = 1000,
        **kwargs: Any,
    ) -> None:
        self._ready = False
        self._runs: list[Run] = []
        self._frame: pd.DataFrame = _common.table_frame([])
        self._init_live()
        super().__init__(**kwargs)
        self.filter_text = widgets.Text(
            placeholder="metrics.rmse < 1 and params.model = 'rf'",
            description="Filter",
            continuous_update=False,  # search on Enter / leaving the box, not per key
            layout=widgets.Layout(width="60%"),
        )
        self.status_dropdown = widgets.Dropdown(
            options=STATUS_OPTIONS, description="Status", layout=widgets.Layout(width="220px")
        )
        self.refresh_button = widgets.Button(
            icon="refresh", tooltip="Reload the runs", layout=widgets.Layout(width="40px")
        )
        self.error_label = widgets.HTML()
        self.grid = DataGrid(
            grid_frame(self._frame, []),
            selection_mode="row",
            default_renderer=TextRenderer(text_value=VegaExpr(BLANK_NAN)),
            base_column_size=110,
            base_row_header_size=140,  # the run's name (drag the border for more)
            column_widths={"start time": 150, "run_id": 260},
            layout=widgets.Layout(height="120px"),
        )
        self.count_label = widgets.Label("0 runs")
        self.csv_button = widgets.Button(description="Download CSV", icon="download")
        self.csv_link = widgets.HTML()
        self.compare_button = widgets.Button(
            description="Compare selected",
            icon="columns",
            disabled=True,
            layout=widgets.Layout(width="auto"),
        )
        self.compare_area = widgets.VBox()
        link((self.filter_text, "value"), (self, "filter_string"))
        link((self.status_dropdown, "value"), (self, "status"))
        self.refresh_button.on_click(lambda _: self.refresh())
        self.csv_button.on_click(lambda _: self.download_csv())
        self.compare_button.on_click(lambda _: self.compare_selected())
        self.grid.observe(self._on_grid_selection, names=["selections", "_visible_rows"])
        self.children = [
            widgets.HBox([self.filter_text, self.status_dropdown, self.refresh_button]),
            self.error_label,
            self.grid,
            widgets.HBox([self.count_label, self.csv_button, self.compare_button, self.csv_link]),
            self.compare_area,
        ]
        self.experiment_ids = [str(e) for e in experiment_ids]
        self.filter_string = filter_string
        self.max_results = max_results
        self._ready = True
        self.refresh()

    # -- traits --------------------------------------------------------------------------
    @validate("status")
    def _check_status(self, proposal: Any) -> str:
        value = str(proposal["value"]).upper()
        if value not in STATUS_OPTIONS:
            raise InvalidParameterError(
                f"status must be one of {', '.join(STATUS_OPTIONS)}; got {proposal['value']!r}."
            )
        return value

    @validate("max_results")
    def _check_max_results(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 0 < value <= 100_000:
            raise InvalidParameterError(f"max_results must be 1 to 100000; got {value}.")
        return value

    @observe("filter_string", "status", "max_results", "experiment_ids")
    def _on_query_change(self, change: Any) -> None:
        if self._ready:
            self.refresh()

    @observe("error")
    def _on_error(self, change: Any) -> None:
        self.error_label.value = _common.error_html(change["new"])

    @observe("selected_run_ids")
    def _on_selected(self, change: Any) -> None:
        self.compare_button.disabled = len(change["new"]) < 1

    # -- data ----------------------------------------------------------------------------
    def _query(self) -> str:
        text = self.filter_string.strip()
        if self.status == _common.ALL_STATUSES:
            return text
        # Check the user's text alone first, so an error points into what they typed.

        parse_filter(text)
        status = f"attributes.status = '{self.status}'"
        return f"({text}) AND {status}" if text else status

    def refresh(self) -> bool:
        """Search again and update the rows; returns True while a shown run is running.

        A bad filter sets ``error`` (shown in red under the box) and keeps the rows shown.
        """

        with self._refresh_lock:
            try:
                runs = search_runs(
                    experiment_ids=list(self.experiment_ids),
                    filter_string=self._query(),
                    max_results=self.max_results,
                    output_format="list",
                )
            except LabtrackError as exc:
                self.error = exc.message
                return _common.any_running(self._runs)
            assert isinstance(runs, list)
            self.error = ""
            self._show(runs)
            running = _common.any_running(runs)
        self._keep_live(running)
        return running

    def _show(self, runs: list[Run]) -> None:
        frame = _common.table_frame(runs)
        old = self._frame
        self._runs = runs
        self.count_label.value = f"{len(frame)} run{'s' if len(frame) != 1 else ''}"
        if frame.equals(old) and list(frame.columns) == list(old.columns):
            return  # nothing changed: do not resend the table
        keep = list(self.selected_run_ids)
        self._frame = frame
        shown = grid_frame(frame, runs)
        # Keep the browser's sorts and filters, except those on columns that are gone.
        names = {shown.index.name, *shown.columns}
        kept = [t for t in self.grid._transforms if t.get("column") in names]
        if len(kept) != len(self.grid._transforms):
            self.grid.transform(kept)
        self.grid.data = shown
        self.grid.layout.height = f"{min(420, 32 + 21 * (len(frame) + 1))}px"
        self.run_ids = list(frame.index)
        if keep and list(frame.index) != list(old.index):
            self.select_runs(keep)

    @property
    def frame(self) -> pd.DataFrame:
        """The table's data (a copy): run_id index, name, metrics.*, params.*, status ... user."""
        return self._frame.copy()

    @property
    def runs(self) -> list[Run]:
        return list(self._runs)

    # -- selection -----------------------------------------------------------------------
    def _on_grid_selection(self, change: Any) -> None:
        visible = list(self.grid._visible_rows)
        n = len(self._frame)
        rows: list[int] = []
        for rect in self.grid.selections:
            for r in range(int(rect["r1"]), int(rect["r2"]) + 1):
                idx = visible[r] if visible and r < len(visible) else r
                if 0 <= idx < n and idx not in rows:
                    rows.append(idx)
        ids = [str(self._frame.index[i]) for i in rows]
        if ids != list(self.selected_run_ids):
            self.selected_run_ids = ids

    def select_runs(self, run_ids: Sequence[str]) -> None:
        """Select these runs' rows (ids not in the table are ignored)."""
        position = {rid: i for i, rid in enumerate(self._frame.index)}
        visible = list(self.grid._visible_rows)
        if visible:
            where = {orig: view for view, orig in enumerate(visible)}
            position = {rid: where[i] for rid, i in position.items() if i in where}
        last = len(self._frame.columns) - 1
        self.grid.selections = [
            {"r1": position[r], "c1": 0, "r2": position[r], "c2": last}
            for r in run_ids
            if r in position
        ]

    # -- actions -------------------------------------------------------------------------
    def download_csv(self) -> Path:
        """Write the shown runs as CSV into ``csv_folder`` and offer a download link."""

        text = runs_to_csv(self._runs)
        folder = Path(self.csv_folder or os.getcwd())
        path = folder / f"labtrack-runs-{'-'.join(self.experiment_ids)}.csv"
        path.write_bytes(text.encode("utf-8"))  # bytes: keep the CSV's \r\n line ends
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        self.csv_link.value = (
            f"Saved <code>{html.escape(str(path))}</code> ({len(self._runs)} runs) · "
            f"<a download='{html.escape(path.name)}' href='data:text/csv;base64,{data}'>"
            "download</a>"
        )
        return path

    def compare_selected(self) -> CompareView | None:
        """Show ``compare(selected_run_ids)`` under the table (and return it)."""
        from labtrack.widgets.compare import compare

        for old in self.compare_area.children:
            old.close()
        try:
            view = compare(list(self.selected_run_ids))
        except LabtrackError as exc:
            self.compare_area.children = [widgets.HTML(_common.error_html(exc.message))]
            return None
        self.compare_area.children = [view]
        return view

    def close(self) -> None:
        self._stop_live()
        area = getattr(self, "compare_area", None)
        for child in area.children if area is not None else ():
            child.close()
        super().close()


def show_runs(
    experiment: str | int | None = None, filter_string: str = "", max_results: int = 1000
) -> RunsTable:
    """A table of an experiment's runs (by name or id; default: the current experiment).

    >>> show_runs("fraud-model", "params.model = 'rf'")  # doctest: +SKIP
    """
    table = RunsTable(
        _common.resolve_experiment_ids(experiment),
        filter_string=filter_string,
        max_results=max_results,
    )
    _common.last_table = table
    return table


def last_selection() -> list[str]:
    """The run ids selected in the table ``show_runs`` built last (``[]`` if none)."""
    return _common.last_selection()
