"""``show_run``: one run inline: overview, params, metrics, a metric chart, tags, artifacts.

The chart is a ``bqplot.Lines`` of the chosen metric's history (by step; by seconds since the
first point when every point has the same step). Artifacts list the top level; each folder is an
``Accordion`` entry whose contents are listed when it is first opened, so a run with large
artifact trees costs nothing until asked. While the run is RUNNING the view re-reads it about
once a second (:mod:`labtrack.widgets.live`); a metric's history is fetched again only when its
latest value changed, or when it is the one on the chart.

>>> view = show_run(run.info.run_id)  # doctest: +SKIP
>>> view.metric = "loss"              # doctest: +SKIP
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
from bqplot import Axis, Figure, LinearScale, Lines
from traitlets import Int, List, Unicode, observe

from labtrack.entities import Metric, Run
from labtrack.utils.mlflow_tags import NOTEBOOK_REVISION, SOURCE_NAME, USER
from labtrack.widgets import _common
from labtrack.widgets.live import LiveView

if TYPE_CHECKING:
    from labtrack.store.artifacts import FileInfo

__all__ = ["ArtifactFolder", "RunView", "show_run", "REVISION_TAG"]

REVISION_TAG = NOTEBOOK_REVISION
MAX_LISTED = 500  # entries shown per artifact folder


def _size(n: int | None) -> str:
    if n is None:
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n = n / 1024  # type: ignore[assignment]
    return ""


class ArtifactFolder(widgets.VBox):  # type: ignore[misc]
    """One artifact folder: its files, and its sub-folders as lazily opened entries."""

    run_id = Unicode(help="Run whose artifacts are listed.")
    path = Unicode("", help="Folder inside the run's artifacts ('' is the top level).")
    entries = List(Unicode(), help="Paths listed so far (files and folders), once loaded.")
    loaded = Int(0, help="How many times the folder was listed (0: not opened yet).")

    def __init__(self, run_id: str, path: str = "", **kwargs: Any) -> None:
        super().__init__(run_id=run_id, path=path, **kwargs)
        self.files_html = widgets.HTML()
        self.folders = widgets.Accordion()
        self.folders.observe(self._on_open, names="selected_index")
        self.children = [self.files_html, self.folders]

    def load(self) -> None:
        """List the folder (again); sub-folders stay closed until opened."""
        infos: list[FileInfo] = _common.client().list_artifacts(self.run_id, self.path or None)
        names = [i.path for i in infos]
        if self.loaded and names == list(self.entries):
            self.loaded += 1
            return  # unchanged: keep the open folders as they are
        self.loaded += 1
        self.entries = names
        files = [i for i in infos if not i.is_dir][:MAX_LISTED]
        dirs = [i for i in infos if i.is_dir][:MAX_LISTED]
        rows = "".join(
            f"<tr><td>📄 {html.escape(i.path.rsplit('/', 1)[-1])}</td>"
            f"<td style='text-align:right'>{_size(i.file_size)}</td></tr>"
            for i in files
        )
        more = len(infos) - len(files) - len(dirs)
        tail = f"<i>… {more} more</i>" if more > 0 else ""
        empty = "<i>No artifacts.</i>" if not infos and not self.path else ""
        self.files_html.value = (f"<table>{rows}</table>" if rows else "") + tail + empty
        self.folders.children = [ArtifactFolder(self.run_id, d.path) for d in dirs]
        self.folders.titles = tuple(f"📁 {d.path.rsplit('/', 1)[-1]}" for d in dirs)

    def _on_open(self, change: Any) -> None:
        index = change["new"]
        if index is not None:
            folder = self.folders.children[index]
            if not folder.loaded:
                folder.load()


class RunView(widgets.VBox, LiveView):  # type: ignore[misc]
    """One run: overview, params, metrics (last/min/max), metric chart, tags, artifacts."""

    run_id = Unicode(help="The run shown.")
    status = Unicode("", help="The run's status at the last refresh.")
    metric_keys = List(Unicode(), help="Metrics the run has logged, sorted.")
    metric = Unicode("", help="Metric drawn on the chart.")

    _updating = False

    def __init__(self, run_id: str, **kwargs: Any) -> None:
        self._init_live()
        _common.flush_pending()
        self._run: Run = _common.client().get_run(run_id)  # unknown ids raise here
        self._history: dict[str, list[Metric]] = {}
        super().__init__(run_id=self._run.info.run_id, **kwargs)
        self.overview = widgets.HTML()
        self.params_html = widgets.HTML()
        self.metrics_html = widgets.HTML()
        self.tags_html = widgets.HTML()
        self.x_scale, self.y_scale = LinearScale(), LinearScale()
        self.line = Lines(
            x=np.zeros(0),
            y=np.zeros(0),
            colors=["#1565c0"],
            scales={"x": self.x_scale, "y": self.y_scale},
            marker="circle",
            marker_size=16,
        )
        self.x_axis = Axis(scale=self.x_scale, label="step")
        self.y_axis = Axis(scale=self.y_scale, side="left", label="")
        self.figure = Figure(
            marks=[self.line],
            axes=[self.x_axis, self.y_axis],
            fig_margin={"top": 20, "bottom": 50, "left": 70, "right": 20},
            layout=widgets.Layout(width="100%", height="340px"),
        )
        self.metric_dropdown = widgets.Dropdown(description="Metric")
        _common.bind_choice(self.metric_dropdown, self, "metric")
        self.artifacts = ArtifactFolder(self.run_id)

        def section(title: str) -> widgets.HTML:
            return widgets.HTML(f"<h4 style='margin:10px 0 2px'>{html.escape(title)}</h4>")

        self.children = [
            self.overview,
            widgets.HBox(
                [
                    widgets.VBox([section("Parameters"), self.params_html]),
                    widgets.VBox(
                        [section("Metrics"), self.metrics_html],
                        layout=widgets.Layout(margin="0 0 0 32px"),
                    ),
                ]
            ),
            section("Metric history"),
            self.metric_dropdown,
            self.figure,
            section("Tags"),
            self.tags_html,
            section("Artifacts"),
            self.artifacts,
        ]
        self._render(self._run)

    @property
    def run(self) -> Run:
        return self._run

    def history(self, key: str) -> list[Metric]:
        """The metric's points as of the last refresh."""
        return list(self._history.get(key, []))

    def refresh(self) -> bool:
        """Re-read the run; returns True while it is running."""
        with self._refresh_lock:
            _common.flush_pending()
            run = _common.client().get_run(self.run_id)
            self._render(run)
        return self.status == "RUNNING"

    def _render(self, run: Run) -> None:
        old = self._run.data.metrics if self._history else {}
        self._run = run
        self.status = run.info.status
        keys = sorted(run.data.metrics)
        for key in keys:
            if (
                key not in self._history
                or old.get(key) != run.data.metrics[key]
                or (key == self.metric and self.status == "RUNNING")
            ):
                self._history[key] = _common.client().get_metric_history(self.run_id, key)
        self.overview.value = self._overview_html(run)
        self.params_html.value = _common.html_table(
            sorted(run.data.params.items()), ["Name", "Value"]
        )
        self.metrics_html.value = _common.html_table(
            self._metric_rows(keys, run), ["Name", "Last", "Min", "Max", "Points"]
        )
        self.tags_html.value = _common.html_table(sorted(run.data.tags.items()), ["Tag", "Value"])
        self._updating = True
        try:
            self.metric_keys = keys
            if self.metric not in keys:
                # The metric with the longest history makes the most useful first chart.
                self.metric = max(keys, key=lambda k: len(self._history[k])) if keys else ""
            self.metric_dropdown.options = keys
            self.metric_dropdown.value = self.metric or None
        finally:
            self._updating = False
        self._draw()
        self.artifacts.load()
        self._keep_live(self.status == "RUNNING")

    def _metric_rows(self, keys: list[str], run: Run) -> list[list[Any]]:
        rows: list[list[Any]] = []
        for key in keys:
            values = np.array([m.value for m in self._history.get(key, [])], dtype="float64")
            finite = values[~np.isnan(values)]
            lo = float(finite.min()) if finite.size else None
            hi = float(finite.max()) if finite.size else None
            rows.append([key, run.data.metrics[key], lo, hi, len(values)])
        return rows

    def _overview_html(self, run: Run) -> str:
        info, tags = run.info, run.data.tags
        now = int(time.time() * 1000)
        seconds = _common.duration_seconds(run, now)
        rows: list[tuple[str, Any]] = [
            ("Run", f"{info.run_name}  ({info.run_id})"),
            ("Status", info.status),
            ("Start", _common.format_time(info.start_time) + " UTC"),
            ("Duration", "" if seconds != seconds else f"{seconds:.1f} s"),
            ("User", tags.get(USER, info.user_id)),
            ("Experiment", info.experiment_id),
            ("Source notebook", tags.get(SOURCE_NAME, "")),
        ]
        if REVISION_TAG in tags:
            rows.append(("Notebook revision", tags[REVISION_TAG]))
        colour = {"RUNNING": "#1565c0", "FINISHED": "#2e7d32", "FAILED": "#c62828"}.get(
            info.status, "#555"
        )
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:12px'>{html.escape(k)}</th>"
            + (f"<td style='color:{colour};font-weight:bold'>" if k == "Status" else "<td>")
            + f"{html.escape(_common.format_value(v))}</td></tr>"
            for k, v in rows
        )
        return f"<table class='labtrack-run-overview'>{body}</table>"

    @observe("metric")
    def _on_metric(self, change: Any) -> None:
        if not self._updating and hasattr(self, "line"):
            if change["new"] and change["new"] not in self._history:
                self._history[change["new"]] = _common.client().get_metric_history(
                    self.run_id, change["new"]
                )
            self._draw()

    def _draw(self) -> None:
        points = sorted(self._history.get(self.metric, []), key=lambda m: (m.step, m.timestamp))
        steps = np.array([m.step for m in points], dtype="float64")
        values = np.array([m.value for m in points], dtype="float64")
        if len(points) > 1 and np.ptp(steps) == 0:
            stamps = np.array([m.timestamp for m in points], dtype="float64")
            x, label = (stamps - stamps.min()) / 1000, "seconds since first point"
        else:
            x, label = steps, "step"
        with self.line.hold_sync():
            self.line.x, self.line.y = x, values
        self.x_axis.label, self.y_axis.label = label, self.metric

    def close(self) -> None:
        self._stop_live()
        super().close()


def show_run(run_id: str) -> RunView:
    """The inline view of one run (refreshes itself while the run is running).

    >>> show_run("4f1c2d...")  # doctest: +SKIP
    """
    return RunView(run_id)
