"""``compare``: runs side by side, with parallel coordinates, scatter and contour plots.

The table has one row per param and metric and one column per run; rows whose values differ
between the runs are marked ``≠`` and highlighted, and "Differences only" hides the others. It
is an ipydatagrid ``DataGrid`` like the runs table, so comparing 1,000 runs (1,000 columns) only
paints what is in view. The plots live in a ``Tab``: parallel coordinates
(:mod:`labtrack.widgets.parallel`), a scatter of any two params/metrics (tooltip: the run's name)
and a contour of a metric over two numeric params (:mod:`labtrack.widgets.contour`).

>>> view = compare(["4f1c...", "9a0b..."])  # doctest: +SKIP
>>> view.differences_only = True            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
from bqplot import Axis, Figure, LinearScale, OrdinalScale, Scatter, Tooltip
from ipydatagrid import DataGrid, TextRenderer, VegaExpr  # type: ignore[import-untyped,unused-ignore]
from traitlets import Bool, List, Unicode, observe

from labtrack.entities import Run
from labtrack.errors import InvalidParameterError
from labtrack.widgets import _common
from labtrack.widgets.contour import ContourView
from labtrack.widgets.live import LiveView
from labtrack.widgets.parallel import ParallelCoordinates

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CompareView", "ScatterView", "compare", "compare_frame"]

DIFFERS = "differs"
# Vega expression run by the grid per cell: the row's own "differs" cell decides the colour.
HIGHLIGHT = f"cell.metadata.data['{DIFFERS}'] ? '#fff1b8' : default_value"
_RESERVED = {DIFFERS, "key"}


def compare_frame(values: pd.DataFrame) -> pd.DataFrame:
    """Rows = ``params.*``/``metrics.*`` keys, first column ``differs`` ("≠" or ""), then one
    text column per run (titled by run name). ``values`` is one row per run, as
    ``_common.values_frame`` builds it."""
    import pandas as pd

    body = values.drop(columns="name")
    keys = list(body.columns)
    differs = body.nunique(dropna=False) > 1 if len(body) else pd.Series(False, index=keys)
    text = body.astype(object).where(body.notna(), None).map(_common.format_value)
    labels = [
        f"{label} ({rid[:8]})" if label in _RESERVED else str(label)
        for label, rid in zip(values["name"], values.index, strict=True)
    ]
    table = pd.DataFrame(
        text.to_numpy().T.reshape(len(keys), len(labels)),
        index=pd.Index(keys, name="key", dtype=object),
        columns=labels,
        dtype=object,
    )
    table.insert(0, DIFFERS, np.where(differs.reindex(keys).to_numpy(dtype=bool), "≠", ""))
    table[DIFFERS] = table[DIFFERS].astype(object)
    return table


class ScatterView(widgets.VBox):  # type: ignore[misc]
    """Any param or metric against any other, one point per run (tooltip: run name)."""

    columns = List(Unicode(), help="Columns to choose from: params.* and metrics.*.")
    x = Unicode("", help="Column on the x axis, e.g. 'params.alpha'.")
    y = Unicode("", help="Column on the y axis, e.g. 'metrics.rmse'.")

    _updating = False

    def __init__(self, frame: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._frame = frame
        self.x_axis = Axis(scale=LinearScale(), label="x")
        self.y_axis = Axis(scale=LinearScale(), side="left", label="y")
        self.points = Scatter(
            x=[],
            y=[],
            scales={"x": self.x_axis.scale, "y": self.y_axis.scale},
            default_size=40,
            colors=["#1565c0"],
            display_names=False,
            tooltip=Tooltip(fields=["name", "x", "y"], labels=["run", "x", "y"]),
        )
        self.figure = Figure(
            marks=[self.points],
            axes=[self.x_axis, self.y_axis],
            fig_margin={"top": 20, "bottom": 50, "left": 70, "right": 20},
            layout=widgets.Layout(width="100%", height="420px"),
        )
        self.x_dropdown = widgets.Dropdown(description="x")
        self.y_dropdown = widgets.Dropdown(description="y")
        _common.bind_choice(self.x_dropdown, self, "x")
        _common.bind_choice(self.y_dropdown, self, "y")
        self.children = [widgets.HBox([self.x_dropdown, self.y_dropdown]), self.figure]
        self.set_data(frame)

    def set_data(self, frame: pd.DataFrame) -> None:
        """Use a new frame (``name``, ``params.*``, ``metrics.*``) and redraw."""
        self._frame = frame
        cols = [c for c in frame.columns if c.startswith(("params.", "metrics."))]
        options = [(f"{c.split('.', 1)[1]} ({c.split('.', 1)[0][:-1]})", c) for c in cols]
        self._updating = True
        try:
            self.columns = cols
            metrics = [c for c in cols if c.startswith("metrics.")]
            if self.x not in cols:
                self.x = next((c for c in cols if c.startswith("params.")), cols[0] if cols else "")
            if self.y not in cols:
                self.y = metrics[0] if metrics else (cols[-1] if cols else "")
            for dropdown, value in ((self.x_dropdown, self.x), (self.y_dropdown, self.y)):
                dropdown.options = options
                dropdown.value = value or None
        finally:
            self._updating = False
        self.redraw()

    @observe("x", "y")
    def _on_axis(self, change: Any) -> None:
        if not self._updating and hasattr(self, "figure"):
            self.redraw()

    def _axis_values(self, col: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """(values, present mask, numeric?) for one column."""
        series = self._frame[col]
        values = _common.numeric(series)
        if values is not None:
            return values, np.isfinite(values), True
        text = np.array([None if v is None else str(v) for v in series], dtype=object)
        return text, series.notna().to_numpy(), False

    def redraw(self) -> None:
        if not self.x or not self.y:
            return
        xv, xok, xnum = self._axis_values(self.x)
        yv, yok, ynum = self._axis_values(self.y)
        ok = xok & yok
        names = [str(n) for n, keep in zip(self._frame["name"], ok, strict=True) if keep]
        xs = LinearScale() if xnum else OrdinalScale(domain=sorted(set(xv[ok])))
        ys = LinearScale() if ynum else OrdinalScale(domain=sorted(set(yv[ok])))
        with self.points.hold_sync():
            self.points.scales = {"x": xs, "y": ys}
            self.points.x, self.points.y, self.points.names = xv[ok], yv[ok], names
        self.x_axis.scale, self.y_axis.scale = xs, ys
        self.x_axis.label, self.y_axis.label = self.x, self.y
        self.points.tooltip.labels = ["run", self.x, self.y]


class CompareView(widgets.VBox, LiveView):  # type: ignore[misc]
    """Runs side by side: a params+metrics table and plots (parallel, scatter, contour)."""

    run_ids = List(Unicode(), help="The runs compared, in column order.")
    differences_only = Bool(False, help="Hide the rows whose value is the same in every run.")
    differing_keys = List(Unicode(), help="params.*/metrics.* keys whose values differ.")
    shown_keys = List(Unicode(), help="Keys of the rows the table shows now.")

    def __init__(self, run_ids: Sequence[str], **kwargs: Any) -> None:
        self._init_live()
        self._runs = _common.fetch_runs(run_ids)  # unknown ids raise before any widget exists
        super().__init__(**kwargs)
        self.run_ids = [r.info.run_id for r in self._runs]
        self._values = _common.values_frame(self._runs)
        self._table = compare_frame(self._values)
        self.header = widgets.HTML()
        self.diff_checkbox = widgets.Checkbox(description="Differences only", indent=False)
        widgets.link((self.diff_checkbox, "value"), (self, "differences_only"))
        renderer = TextRenderer(background_color=VegaExpr(HIGHLIGHT))
        self.grid = DataGrid(
            self._table,
            default_renderer=renderer,
            base_column_size=120,
            column_widths={DIFFERS: 72},
            base_row_header_size=160,
            layout=widgets.Layout(height="200px"),
        )
        self.parallel = ParallelCoordinates(self._values)
        self.scatter = ScatterView(self._values)
        self.contour = ContourView(self._values)
        self.tabs = widgets.Tab(children=[self.parallel, self.scatter, self.contour])
        self.tabs.titles = ("Parallel coordinates", "Scatter", "Contour")
        self.children = [self.header, self.diff_checkbox, self.grid, self.tabs]
        self._show_table()
        self._keep_live(_common.any_running(self._runs))

    @property
    def runs(self) -> list[Run]:
        return list(self._runs)

    @property
    def table(self) -> pd.DataFrame:
        """The full comparison table (all rows, whatever ``differences_only`` says)."""
        return self._table.copy()

    @observe("differences_only")
    def _on_differences_only(self, change: Any) -> None:
        if hasattr(self, "grid"):
            self._show_table()

    def _show_table(self) -> None:
        table = self._table
        self.differing_keys = [str(k) for k in table.index[table[DIFFERS] != ""]]
        if self.differences_only:
            table = table[table[DIFFERS] != ""]
        self.shown_keys = [str(k) for k in table.index]
        self.grid.data = table
        self.grid.layout.height = f"{min(480, 32 + 21 * (len(table) + 1))}px"
        n = len(self._runs)
        self.header.value = (
            f"<b>Comparing {n} run{'s' if n != 1 else ''}</b> · "
            f"{len(self.differing_keys)} of {len(self._table)} values differ"
        )

    def refresh(self) -> bool:
        """Re-read the runs; returns True while one of them is running."""
        with self._refresh_lock:
            runs = _common.fetch_runs(self.run_ids)
            values = _common.values_frame(runs)
            self._runs = runs
            if not (
                values.equals(self._values) and list(values.columns) == list(self._values.columns)
            ):
                self._values = values
                self._table = compare_frame(values)
                self._show_table()
                for view in (self.parallel, self.scatter, self.contour):
                    view.set_data(values)
            running = _common.any_running(runs)
        self._keep_live(running)
        return running

    def close(self) -> None:
        self._stop_live()
        for name in ("parallel", "scatter", "contour"):
            view = getattr(self, name, None)
            if view is not None:
                view.close()
        super().close()


def compare(run_ids: Sequence[str] | str | None = None) -> CompareView:
    """Compare runs; with no ids, the rows selected in the last ``show_runs`` table.

    Unknown ids raise :class:`labtrack.errors.ResourceNotFoundError` naming them.

    >>> compare(["4f1c...", "9a0b..."])  # doctest: +SKIP
    """
    if run_ids is None:
        run_ids = _common.last_selection()
        if not run_ids:
            raise InvalidParameterError(
                "No runs to compare: pass run ids, or select rows in a show_runs() table first."
            )
    if isinstance(run_ids, str):
        run_ids = [run_ids]
    return CompareView(list(run_ids))
