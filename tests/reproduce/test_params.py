"""Reading a notebook's parameters cell and injecting new values (papermill's conventions)."""

from __future__ import annotations

import math

import nbformat
import pytest

from labtrack.errors import InvalidParameterError
from labtrack.reproduce.params import (
    INJECTED_TAG,
    inject_parameters,
    parameters_from_notebook,
    typed_value,
)
from labtrack.reproduce.reproduction import _resolve_values


def notebook(*cells: tuple[str, list[str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for src, tags in cells]
    return nb


PARAMS = (
    "n_estimators = 100\n"
    "max_depth: int | None = None\n"
    "name = 'rf'\n"
    "a, b = 1, [2, 3]\n"
    "path = os.path.join('x', 'y')  # code, not a parameter\n"
    "%matplotlib inline\n",
    ["parameters"],
)


def test_parameters_cell_literals_are_read():
    nb = notebook(("import os", []), PARAMS, ("print(n_estimators)", []))
    assert parameters_from_notebook(nb) == {
        "n_estimators": 100,
        "max_depth": None,
        "name": "rf",
        "a": 1,
        "b": [2, 3],
    }


def test_no_parameters_cell_means_no_parameters():
    assert parameters_from_notebook(notebook(("x = 1", []))) == {}


def test_an_earlier_injected_cell_wins_over_the_defaults():
    nb = notebook(("n = 1\nm = 2", ["parameters"]), ("n = 5", [INJECTED_TAG]))
    assert parameters_from_notebook(nb) == {"n": 5, "m": 2}


def test_a_cell_that_does_not_parse_gives_no_parameters():
    assert parameters_from_notebook(notebook(("n = (", ["parameters"]))) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("200", 200), ("0.5", 0.5), ("True", True), ("None", None), ("[1, 2]", [1, 2]), ("rf", "rf")],
)
def test_logged_params_are_typed_back(text, expected):
    assert typed_value(text) == expected


def test_a_string_default_keeps_the_value_a_string():
    assert typed_value("100", default="rf", has_default=True) == "100"
    assert typed_value("100", default=5, has_default=True) == 100


def test_injected_cell_goes_right_after_the_parameters_cell():
    nb = notebook(("import os", []), ("n = 1", ["parameters"]), ("print(n)", []))
    out = inject_parameters(nb, {"n": 2, "x": float("nan")}, "from test")
    sources = [c.source for c in out.cells]
    assert sources[2] == "# from test\nn = 2\nx = float('nan')\n"
    assert out.cells[2].metadata.tags == [INJECTED_TAG]
    assert len(nb.cells) == 3  # the input is not changed
    namespace: dict[str, object] = {}
    exec(out.cells[2].source, namespace)
    assert namespace["n"] == 2 and math.isnan(namespace["x"])  # type: ignore[arg-type]


def test_injection_replaces_an_earlier_injected_cell():
    nb = notebook(("n = 1", ["parameters"]), ("n = 5", [INJECTED_TAG]), ("print(n)", []))
    out = inject_parameters(nb, {"n": 7})
    assert [c.source.splitlines()[-1] for c in out.cells] == ["n = 1", "n = 7", "print(n)"]


def test_without_a_parameters_cell_values_go_first():
    out = inject_parameters(notebook(("print(n)", [])), {"n": 7})
    assert out.cells[0].metadata.tags == [INJECTED_TAG]


def test_names_must_be_identifiers():
    with pytest.raises(InvalidParameterError, match="identifiers"):
        inject_parameters(notebook(("n = 1", ["parameters"])), {"model.depth": 3})


def test_values_come_from_overrides_then_run_params_then_nothing():
    nb = notebook(("n = 3\nname = 'rf'\nalpha = 0.1", ["parameters"]))
    values = _resolve_values(nb, {"n": "4", "name": "100", "unrelated": "x"}, {"alpha": 0.2})
    # alpha: the override; n: the run's param typed back; name: a string like its default;
    # "unrelated" (an autologged estimator param, say) is not a notebook variable.
    assert values == {"n": 4, "name": "100", "alpha": 0.2}


def test_overriding_a_name_the_cell_does_not_assign_warns():
    nb = notebook(("n = 3", ["parameters"]))
    with pytest.warns(UserWarning, match="does not assign"):
        assert _resolve_values(nb, {}, {"m": 1}) == {"m": 1}
