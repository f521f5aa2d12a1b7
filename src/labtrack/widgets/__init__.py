"""Inline views that work in every Jupyter front end (JupyterLab, classic Notebook, VS Code).

They are ipywidgets: tables are ipydatagrid ``DataGrid`` s, plots are bqplot figures. Each
function returns the widget; as the last expression of a cell, Jupyter displays it.

>>> import labtrack
>>> labtrack.widgets.show_runs(filter_string="metrics.rmse < 1")  # doctest: +SKIP
>>> labtrack.widgets.compare(["4f1c...", "9a0b..."])              # doctest: +SKIP
>>> labtrack.widgets.show_run("4f1c...")                          # doctest: +SKIP

Importing this package is cheap: ipywidgets, bqplot and pandas load on the first call.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtrack.widgets.compare import CompareView
    from labtrack.widgets.run_view import RunView
    from labtrack.widgets.runs_table import RunsTable

__all__ = ["compare", "show_run", "show_runs"]


def show_runs(
    experiment: str | int | None = None, filter_string: str = "", max_results: int = 1000
) -> RunsTable:
    """A sortable, selectable table of an experiment's runs (by name or id; default: current).

    Filter box (the search filter language; errors show in red), status menu, "Download CSV",
    "Compare selected"; ``.selected_run_ids`` holds the selection. Refreshes while runs run.
    """
    from labtrack.widgets.runs_table import show_runs as _show_runs

    return _show_runs(experiment, filter_string, max_results)


def compare(run_ids: Sequence[str] | str | None = None) -> CompareView:
    """Runs side by side (differences highlighted) with parallel coordinates, scatter, contour.

    With no ids, compares the rows selected in the last ``show_runs`` table.
    """
    from labtrack.widgets.compare import compare as _compare

    return _compare(run_ids)


def show_run(run_id: str) -> RunView:
    """One run: overview, params, metrics, metric history chart, tags and artifacts."""
    from labtrack.widgets.run_view import show_run as _show_run

    return _show_run(run_id)


class _Package(types.ModuleType):
    """Keeps ``labtrack.widgets.compare`` the function once the ``compare`` module is imported.

    Importing a submodule sets it as an attribute of its package, which would replace the
    function of the same name. Import the module's contents with
    ``from labtrack.widgets.compare import CompareView``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in __all__ and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
