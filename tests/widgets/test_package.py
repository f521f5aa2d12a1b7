"""The widgets package: light to import, explicit API, every trait documented."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types

import pytest
from traitlets import HasTraits

import labtrack.widgets as package
from labtrack.widgets.compare import CompareView, ScatterView
from labtrack.widgets.contour import ContourView
from labtrack.widgets.live import Poller
from labtrack.widgets.parallel import ParallelCoordinates
from labtrack.widgets.run_view import ArtifactFolder, RunView
from labtrack.widgets.runs_table import RunsTable


def test_importing_the_package_loads_no_widget_library() -> None:
    code = (
        "import sys, json, labtrack, labtrack.widgets;"
        "print(json.dumps([m for m in ('ipywidgets', 'bqplot', 'ipydatagrid', 'pandas')"
        " if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_public_names_stay_functions_after_their_modules_load() -> None:
    importlib.import_module("labtrack.widgets.compare")  # shares the function's name

    assert package.__all__ == ["compare", "show_run", "show_runs"]
    for name in package.__all__:
        assert isinstance(getattr(package, name), types.FunctionType), name


@pytest.mark.parametrize(
    "cls",
    [
        RunsTable,
        CompareView,
        ScatterView,
        ParallelCoordinates,
        ContourView,
        RunView,
        ArtifactFolder,
        Poller,
    ],
)
def test_every_trait_has_help(cls: type[HasTraits]) -> None:
    own = cls.class_own_traits()
    assert own, f"{cls.__name__} declares no traits"
    undocumented = [name for name, trait in own.items() if not trait.help]
    assert undocumented == []
