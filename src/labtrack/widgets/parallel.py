"""Parallel coordinates from bqplot marks (bqplot has no such mark).

Each chosen param and metric is a vertical axis (params left, metrics right). By default the
axes are the params whose values differ between the runs and the metrics most runs have (at
most ``MAX_DEFAULT_AXES``; the "Axes" chooser adds others): autologged runs carry ~20 params,
most of them equal everywhere. Values are scaled to 0..1 per axis: numbers linearly between
their min and max; categorical params (any value that is not a number) at evenly spaced
positions, one per category in sorted order, labelled with the category. A run without a value
on an axis sits on its "(none)" tick below it: a NaN would break its whole line (bqplot draws
nothing for it), and runs logged by hand beside autologged ones lack most params.

Every run is one polyline, and all of them are ONE ``bqplot.Lines`` mark whose ``y`` is a 2-D
array (runs x axes), so 1,000 runs cost one mark, not 1,000. The axes are a second ``Lines`` mark
and their ticks and titles are ``Label`` marks; lines are coloured by a metric every run has
through a ``ColorScale``.

>>> import pandas as pd
>>> frame = pd.DataFrame({"name": ["a", "b"], "params.model": ["rf", "gb"],
...                       "metrics.rmse": [0.5, 0.7]})
>>> view = ParallelCoordinates(frame)
>>> view.dimensions
['params.model', 'metrics.rmse']
>>> view.lines.y.tolist()
[[1.0, 0.0], [0.0, 1.0]]
>>> view.color_by = "rmse"
>>> view.lines.color.tolist()
[0.5, 0.7]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
from bqplot import ColorAxis, ColorScale, Figure, Label, LinearScale, Lines, Tooltip
from traitlets import List, Unicode, observe, validate

from labtrack.widgets import _common

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ParallelCoordinates", "default_dimensions", "scale_columns"]

MAX_CATEGORY_LABELS = 25  # past this, label every n-th category so the text stays legible
MAX_DEFAULT_AXES = 8
MAX_DEFAULT_METRIC_AXES = 3
FEW_PARAMS = 5
MISSING = "(none)"
MISSING_Y = -0.12  # where a run without a value sits, below the axis (0..1)


def default_dimensions(frame: pd.DataFrame) -> list[str]:
    """The axes drawn by default: params that differ between runs, then the commonest metrics.

    A param only some runs have does not differ by its absence (autologged params beside runs
    logged by hand); at most ``MAX_DEFAULT_AXES`` axes, ``MAX_DEFAULT_METRIC_AXES`` of them metrics.
    """
    params = [c for c in frame.columns if c.startswith("params.")]
    metrics = [c for c in frame.columns if c.startswith("metrics.")]
    varying = [c for c in params if frame[c].dropna().astype(str).nunique() > 1]
    if len(frame) < 2:  # one run: nothing varies; show its first params
        varying = params[:FEW_PARAMS]
    present = [c for c in metrics if frame[c].notna().any()]
    present.sort(key=lambda c: -int(frame[c].notna().sum()))  # stable: name order on ties
    chosen = present[:MAX_DEFAULT_METRIC_AXES]
    return varying[: MAX_DEFAULT_AXES - max(len(chosen), 1)] + chosen


def colorable_metrics(frame: pd.DataFrame) -> list[str]:
    """Metric keys every run has a finite value for: only they can colour every line."""
    keys = []
    for col in (c for c in frame.columns if c.startswith("metrics.")):
        values = np.asarray(frame[col], dtype="float64")
        if values.size and np.isfinite(values).all():
            keys.append(col.split(".", 1)[1])
    return keys


MAX_TITLE = 18  # longer keys are cut (the chooser lists them whole)


def _title(column: str) -> str:
    key = column.split(".", 1)[1]
    return key if len(key) <= MAX_TITLE else key[: MAX_TITLE - 1] + "…"


def _tick(value: float) -> str:
    return f"{value:.4g}"  # short: tick labels sit beside the axis, between two axes


def _numeric_ticks(lo: float, hi: float) -> list[tuple[float, str]]:
    if hi > lo:
        return [(0.0, _tick(lo)), (0.5, _tick((lo + hi) / 2)), (1.0, _tick(hi))]
    return [(0.5, _tick(lo))]


def scale_columns(
    frame: pd.DataFrame, columns: list[str]
) -> tuple[np.ndarray, list[tuple[int, float, str]]]:
    """Each column scaled to 0..1 (runs x columns), and the ticks (axis, position, text).

    A missing value (or NaN) sits at ``MISSING_Y``, on the axis's "(none)" tick: the result
    holds no NaN, so every run's line is drawn whole.
    """
    out = np.full((len(frame), len(columns)), MISSING_Y)
    ticks: list[tuple[int, float, str]] = []
    for j, col in enumerate(columns):
        values = _common.numeric(frame[col])
        if values is not None:
            values = np.where(np.isfinite(values), values, np.nan)
            missing = np.isnan(values)
            if not missing.all():
                lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
                scaled = (values - lo) / (hi - lo) if hi > lo else np.full(len(values), 0.5)
                out[:, j] = np.where(missing, MISSING_Y, scaled)
                ticks += [(j, pos, text) for pos, text in _numeric_ticks(lo, hi)]
        else:
            codes, names = _common.categories(frame[col])
            missing = np.isnan(codes)
            k = len(names)
            scaled = codes / (k - 1) if k > 1 else np.full(len(codes), 0.5)
            out[:, j] = np.where(missing, MISSING_Y, scaled)
            step = max(1, -(-k // MAX_CATEGORY_LABELS))
            ticks += [
                (j, i / (k - 1) if k > 1 else 0.5, name)
                for i, name in enumerate(names)
                if i % step == 0
            ]
        if missing.any():
            ticks.append((j, MISSING_Y, MISSING))
    return out, ticks


class ParallelCoordinates(widgets.VBox):  # type: ignore[misc]
    """One polyline per run across param and metric axes, coloured by ``color_by``."""

    dimensions = List(
        Unicode(),
        help="Columns drawn as axes, params.* before metrics.* (default: the keys that vary).",
    )
    columns = List(Unicode(), help="Every column that can be an axis: params.*, then metrics.*.")
    metrics = List(Unicode(), help="Metric keys every run has: they can colour every line.")
    color_by = Unicode("", help="Metric key whose value colours each line ('' for none).")

    _updating = False

    def __init__(self, frame: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._frame = frame
        self.x_scale = LinearScale(min=-0.25, max=1.25)
        self.y_scale = LinearScale(min=MISSING_Y - 0.06, max=1.1)
        self.color_scale = ColorScale(scheme="viridis")
        scales = {"x": self.x_scale, "y": self.y_scale}
        self.lines = Lines(
            x=np.zeros(0),
            y=np.zeros((0, 0)),
            color=None,
            scales={**scales, "color": self.color_scale},
            stroke_width=1.2,
            opacities=[0.7],
            tooltip=Tooltip(fields=["name"]),
        )
        self.axis_lines = Lines(
            x=np.zeros((0, 2)),
            y=np.zeros((0, 2)),
            scales=scales,
            colors=["#888888"],
            stroke_width=1.5,
        )
        self.tick_labels = Label(
            x=[],
            y=[],
            text=[],
            scales=scales,
            default_size=11,
            align="start",
            x_offset=4,
            y_offset=4,
            colors=["#444444"],
        )
        self.titles = Label(
            x=[],
            y=[],
            text=[],
            scales=scales,
            default_size=12,
            align="middle",
            font_weight="bold",
            colors=["#222222"],
        )
        self.color_axis = ColorAxis(scale=self.color_scale, side="right")
        self.figure = Figure(
            marks=[self.axis_lines, self.lines, self.tick_labels, self.titles],
            axes=[self.color_axis],
            fig_margin={"top": 20, "bottom": 20, "left": 30, "right": 80},
            layout=widgets.Layout(width="100%", height="420px"),
        )
        self.color_dropdown = widgets.Dropdown(description="Colour by")
        self.axes_chooser = widgets.SelectMultiple(
            description="Axes", rows=6, layout=widgets.Layout(width="420px")
        )
        self.axes_chooser.observe(self._on_axes_chosen, names="value")
        self.note = widgets.HTML()
        _common.bind_choice(self.color_dropdown, self, "color_by")
        self.children = [
            widgets.HBox([self.color_dropdown, self.axes_chooser]),
            self.note,
            self.figure,
        ]
        self.set_data(frame)

    def set_data(self, frame: pd.DataFrame) -> None:
        """Redraw for a new frame (``name``, ``params.*``, ``metrics.*``; one row per run).

        The axes go back to the default (the keys that vary) unless the ones chosen all
        still exist.
        """
        self._frame = frame
        columns = [c for c in frame.columns if c.startswith(("params.", "metrics."))]
        keep = self.dimensions and all(c in columns for c in self.dimensions)
        dims = list(self.dimensions) if keep else default_dimensions(frame)
        self._updating = True
        try:
            self.columns = columns
            self.axes_chooser.options = columns
            self.axes_chooser.value = tuple(dims)
        finally:
            self._updating = False
        if dims == self.dimensions:
            self._draw()
        else:
            self.dimensions = dims

    @observe("dimensions")
    def _on_dimensions(self, change: Any) -> None:
        if not self._updating:
            self._draw()

    def _on_axes_chosen(self, change: Any) -> None:
        if self._updating:
            return
        chosen = set(change["new"])
        self.dimensions = [c for c in self.columns if c in chosen]

    def _draw(self) -> None:
        frame = self._frame
        dims = [c for c in self.dimensions if c in frame.columns]
        y, ticks = scale_columns(frame, dims)
        d = len(dims)
        n_params = sum(1 for c in dims if c.startswith("params."))
        with self.hold_sync(), self.lines.hold_sync():
            self.x_scale.min, self.x_scale.max = -0.25, max(d - 1, 1) + 0.4  # room for ticks
            if d == 1:
                # bqplot squeezes a (runs x 1) array into a flat one: give each line two
                # points on the one axis.
                self.lines.x = np.zeros(2)
                self.lines.y = np.repeat(y, 2, axis=1)
            else:
                self.lines.x = np.arange(d, dtype="float64")
                self.lines.y = y
            self.lines.labels = [str(n) for n in frame["name"]]
            self.axis_lines.x = np.repeat(np.arange(d, dtype="float64")[:, None], 2, axis=1)
            self.axis_lines.y = np.tile(np.array([0.0, 1.0]), (d, 1))
            self.tick_labels.x = np.array([t[0] for t in ticks], dtype="float64")
            self.tick_labels.y = np.array([t[1] for t in ticks], dtype="float64")
            self.tick_labels.text = [t[2] for t in ticks]
            self.titles.x = np.arange(d, dtype="float64")
            self.titles.y = np.full(d, 1.05)
            self.titles.text = [_title(c) for c in dims]
            self.titles.colors = ["#444444"] * n_params + ["#1565c0"] * (d - n_params)
            keys = colorable_metrics(frame)
            self.metrics = keys
            self._updating = True
            try:
                if self.color_by not in keys:
                    self.color_by = keys[0] if keys else ""
                self.color_dropdown.options = keys
                self.color_dropdown.value = self.color_by or None
            finally:
                self._updating = False
            self._recolor()
        self.note.value = (
            "" if d else "<i>No axis: these runs have no params or metrics, or none is chosen.</i>"
        )
        self.figure.layout.display = None if d else "none"

    @validate("color_by")
    def _check_color_by(self, proposal: Any) -> str:
        value = str(proposal["value"])
        if value and value not in self.metrics:
            raise ValueError(f"color_by must be one of {self.metrics}; got {value!r}.")
        return value

    @observe("color_by")
    def _on_color_by(self, change: Any) -> None:
        self._recolor()

    def _recolor(self) -> None:
        col = f"metrics.{self.color_by}"
        if self.color_by and col in self._frame.columns:
            values = np.asarray(self._frame[col], dtype="float64")
            self.lines.color = values
            finite = values[np.isfinite(values)]
            if finite.size:
                self.color_scale.min = float(finite.min())
                self.color_scale.max = float(finite.max())
            self.color_axis.label = self.color_by
        else:
            self.lines.color = None
            self.color_axis.label = ""
