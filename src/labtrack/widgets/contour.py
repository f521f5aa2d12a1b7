"""Contour of a metric over two numeric params, interpolated with numpy alone.

The runs are scattered points (x, y, metric). They are interpolated onto a regular grid by
inverse-distance weighting (distances measured after scaling both params to 0..1, so a param in
thousands does not swamp one in thousandths); the grid is drawn as a ``bqplot.HeatMap``, iso
lines found by marching squares go on top as ONE ``Lines`` mark (one 2-point line per segment),
and the runs themselves as a ``Scatter`` whose tooltip names the run. IDW passes exactly through
every run and needs no extra dependency; it shows "bull's-eyes" around isolated points, which is
honest about where the data is.

>>> import numpy as np
>>> gx, gy, gz = idw_grid(np.array([0., 1, 0, 1]), np.array([0., 0, 1, 1]),
...                       np.array([0., 1, 1, 2]), size=3)
>>> gz.shape, float(gz[0, 0]), float(gz[2, 2])
((3, 3), 0.0, 2.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
from bqplot import (
    Axis,
    ColorAxis,
    ColorScale,
    Figure,
    HeatMap,
    LinearScale,
    Lines,
    Scatter,
    Tooltip,
)
from traitlets import Float, Int, List, Unicode, observe, validate

from labtrack.widgets import _common

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ContourView", "contour_segments", "idw_grid"]

# Marching squares: for each corner pattern (bit 1 bottom-left, 2 bottom-right, 4 top-right,
# 8 top-left at or above the level), the cell edges a segment joins (0 bottom, 1 right,
# 2 top, 3 left). Saddles (5, 10) take one of their two readings.
_CASES: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((3, 0),),
    2: ((0, 1),),
    3: ((3, 1),),
    4: ((1, 2),),
    5: ((3, 0), (1, 2)),
    6: ((0, 2),),
    7: ((3, 2),),
    8: ((2, 3),),
    9: ((0, 2),),
    10: ((0, 1), (2, 3)),
    11: ((1, 2),),
    12: ((1, 3),),
    13: ((0, 1),),
    14: ((0, 3),),
}


def idw_grid(
    x: np.ndarray, y: np.ndarray, z: np.ndarray, size: int = 40, power: float = 2.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid axes ``gx`` (size,), ``gy`` (size,) and values ``gz`` (size, size) with
    ``gz[i, j]`` at ``(gx[j], gy[i])``, by inverse-distance weighting of the points."""
    gx = np.linspace(x.min(), x.max(), size)
    gy = np.linspace(y.min(), y.max(), size)
    sx = (x.max() - x.min()) or 1.0
    sy = (y.max() - y.min()) or 1.0
    px, py = (x - x.min()) / sx, (y - y.min()) / sy
    qx, qy = np.meshgrid((gx - x.min()) / sx, (gy - y.min()) / sy)
    d2 = (qx.reshape(-1, 1) - px) ** 2 + (qy.reshape(-1, 1) - py) ** 2
    exact = d2 < 1e-18
    with np.errstate(divide="ignore"):
        w = 1.0 / d2 ** (power / 2)
    w[exact] = 0.0
    values = (w @ z) / w.sum(axis=1)
    hit = exact.any(axis=1)
    if hit.any():  # a grid node on a run takes that run's value (the mean, if several)
        values[hit] = (exact[hit] @ z) / exact[hit].sum(axis=1)
    return gx, gy, values.reshape(size, size)


def contour_segments(
    gx: np.ndarray, gy: np.ndarray, gz: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Iso-line segments of ``gz`` at ``levels``: x and y arrays of shape (segments, 2)."""
    z00, z01, z11, z10 = gz[:-1, :-1], gz[:-1, 1:], gz[1:, 1:], gz[1:, :-1]
    x0, x1 = np.meshgrid(gx[:-1], gy[:-1])[0], np.meshgrid(gx[1:], gy[:-1])[0]
    y0, y1 = np.meshgrid(gx[:-1], gy[:-1])[1], np.meshgrid(gx[:-1], gy[1:])[1]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for level in levels:
            case = (z00 >= level) * 1 + (z01 >= level) * 2 + (z11 >= level) * 4 + (z10 >= level) * 8
            t0, t1 = (level - z00) / (z01 - z00), (level - z01) / (z11 - z01)
            t2, t3 = (level - z10) / (z11 - z10), (level - z00) / (z10 - z00)
            edges = (
                (x0 + t0 * (x1 - x0), y0),  # bottom
                (x1, y0 + t1 * (y1 - y0)),  # right
                (x0 + t2 * (x1 - x0), y1),  # top
                (x0, y0 + t3 * (y1 - y0)),  # left
            )
            for code, pairs in _CASES.items():
                mask = case == code
                if not mask.any():
                    continue
                for a, b in pairs:
                    xs.append(np.stack([edges[a][0][mask], edges[b][0][mask]], axis=1))
                    ys.append(np.stack([edges[a][1][mask], edges[b][1][mask]], axis=1))
    if not xs:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(xs), np.concatenate(ys)


class ContourView(widgets.VBox):  # type: ignore[misc]
    """A metric over two numeric params: interpolated heat map, iso lines and the runs."""

    numeric_params = List(Unicode(), help="Param keys whose values are all numbers.")
    metrics = List(Unicode(), help="Metric keys available for the colour.")
    x_param = Unicode("", help="Param on the x axis.")
    y_param = Unicode("", help="Param on the y axis.")
    metric = Unicode("", help="Metric interpolated between the runs.")
    grid_size = Int(40, help="Grid nodes per side of the interpolation grid.")
    power = Float(2.0, help="Inverse-distance weighting power (higher: more local).")
    levels = Int(8, help="How many iso lines to draw.")
    message = Unicode("", help="Why nothing is drawn ('' when the plot is shown).")

    _updating = False

    def __init__(self, frame: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._frame = frame
        self.x_scale, self.y_scale = LinearScale(), LinearScale()
        self.color_scale = ColorScale(scheme="viridis")
        xy = {"x": self.x_scale, "y": self.y_scale}
        self.heatmap = HeatMap(
            x=np.arange(2.0),  # (1, 1) would be squeezed to a scalar and refused
            y=np.arange(2.0),
            color=np.zeros((2, 2)),
            scales={**xy, "color": self.color_scale},
        )
        self.iso_lines = Lines(
            x=np.zeros((0, 2)),
            y=np.zeros((0, 2)),
            scales=xy,
            colors=["white"],
            stroke_width=1,
            opacities=[0.8],
        )
        self.points = Scatter(
            x=[],
            y=[],
            scales=xy,
            colors=["black"],
            default_size=24,
            display_names=False,  # names in the tooltip: 1,000 labels would hide the plot
            tooltip=Tooltip(fields=["name", "x", "y"]),
        )
        self.x_axis = Axis(scale=self.x_scale, label="x")
        self.y_axis = Axis(scale=self.y_scale, side="left", label="y")
        self.color_axis = ColorAxis(scale=self.color_scale, side="right")
        self.figure = Figure(
            marks=[self.heatmap, self.iso_lines, self.points],
            axes=[self.x_axis, self.y_axis, self.color_axis],
            fig_margin={"top": 20, "bottom": 50, "left": 70, "right": 80},
            layout=widgets.Layout(width="100%", height="440px"),
        )
        self.x_dropdown = widgets.Dropdown(description="x param")
        self.y_dropdown = widgets.Dropdown(description="y param")
        self.metric_dropdown = widgets.Dropdown(description="Metric")
        for dropdown, trait in (
            (self.x_dropdown, "x_param"),
            (self.y_dropdown, "y_param"),
            (self.metric_dropdown, "metric"),
        ):
            _common.bind_choice(dropdown, self, trait)
        self.note = widgets.HTML()
        self.children = [
            widgets.HBox([self.x_dropdown, self.y_dropdown, self.metric_dropdown]),
            self.note,
            self.figure,
        ]
        self.set_data(frame)

    @validate("grid_size")
    def _check_grid_size(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 2 <= value <= 400:
            raise ValueError(f"grid_size must be 2 to 400; got {value}.")
        return value

    def set_data(self, frame: pd.DataFrame) -> None:
        """Use a new frame (``name``, ``params.*``, ``metrics.*``) and redraw."""
        self._frame = frame
        self.numeric_params = [
            c.split(".", 1)[1]
            for c in frame.columns
            if c.startswith("params.") and _common.numeric(frame[c]) is not None
        ]
        self.metrics = [c.split(".", 1)[1] for c in frame.columns if c.startswith("metrics.")]
        params = list(self.numeric_params)
        self._updating = True
        try:
            if self.x_param not in params:
                self.x_param = params[0] if params else ""
            if self.y_param not in params or self.y_param == self.x_param:
                others = [p for p in params if p != self.x_param]
                self.y_param = others[0] if others else ""
            if self.metric not in self.metrics:
                self.metric = self.metrics[0] if self.metrics else ""
            for dropdown, options, value in (
                (self.x_dropdown, params, self.x_param),
                (self.y_dropdown, params, self.y_param),
                (self.metric_dropdown, self.metrics, self.metric),
            ):
                dropdown.options = options
                dropdown.value = value or None
        finally:
            self._updating = False
        self.redraw()

    @observe("x_param", "y_param", "metric", "grid_size", "power", "levels")
    def _on_choice(self, change: Any) -> None:
        if hasattr(self, "figure") and not self._updating:
            self.redraw()

    def _points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]] | str:
        if len(self.numeric_params) < 2:
            return "A contour needs two params whose values are numbers in these runs."
        if not self.metrics:
            return "These runs have no metrics to draw."
        if self.x_param == self.y_param:
            return "Pick two different params for x and y."
        f = self._frame
        x = _common.numeric(f[f"params.{self.x_param}"])
        y = _common.numeric(f[f"params.{self.y_param}"])
        z = np.asarray(f[f"metrics.{self.metric}"], dtype="float64")
        assert x is not None and y is not None
        ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(z)
        if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
            return (
                f"Need at least 3 runs with {self.x_param}, {self.y_param} and "
                f"{self.metric}, spread over more than one value of each param."
            )
        names = [str(n) for n, keep in zip(f["name"], ok, strict=True) if keep]
        return x[ok], y[ok], z[ok], names

    def redraw(self) -> None:
        """Interpolate again for the chosen params and metric."""
        points = self._points()
        if isinstance(points, str):
            self.message = points
            return
        x, y, z, names = points
        gx, gy, gz = idw_grid(x, y, z, self.grid_size, self.power)
        steps = np.linspace(float(gz.min()), float(gz.max()), self.levels + 2)[1:-1]
        sx, sy = contour_segments(gx, gy, gz, steps)
        with self.heatmap.hold_sync():
            self.heatmap.x, self.heatmap.y, self.heatmap.color = gx, gy, gz
        with self.iso_lines.hold_sync():
            self.iso_lines.x, self.iso_lines.y = sx, sy
        with self.points.hold_sync():
            self.points.x, self.points.y, self.points.names = x, y, names
        self.x_axis.label, self.y_axis.label = self.x_param, self.y_param
        self.color_axis.label = self.metric
        self.message = ""

    @observe("message")
    def _on_message(self, change: Any) -> None:
        self.note.value = f"<i>{change['new']}</i>" if change["new"] else ""
        self.figure.layout.display = "none" if change["new"] else None
