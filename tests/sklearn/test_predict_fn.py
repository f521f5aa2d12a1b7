"""The pyfunc ``predict_fn`` an ``MLmodel`` names is one of MLflow's prediction methods
(issue 19, item 14). It comes from a file anyone who can write to the store can edit: it
could name ``fit``, ``set_params`` or a dunder, and loading called whatever it named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sklearn.linear_model import LogisticRegression

import labtrack.pyfunc
import labtrack.sklearn
from labtrack.errors import InvalidParameterError

X, Y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]


def test_a_predict_fn_outside_the_allow_list_is_refused_at_load(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    labtrack.sklearn.save_model(LogisticRegression().fit(X, Y), str(folder))
    mlmodel = folder / "MLmodel"
    meta = yaml.safe_load(mlmodel.read_text())
    meta["flavors"]["python_function"]["predict_fn"] = "fit"
    mlmodel.write_text(yaml.safe_dump(meta))
    with pytest.raises(InvalidParameterError, match="predict_fn 'fit'"):
        labtrack.pyfunc.load_model(str(folder))


def test_the_allowed_predict_fns_save_and_load(tmp_path: Path) -> None:
    folder = tmp_path / "proba"
    model = LogisticRegression().fit(X, Y)
    labtrack.sklearn.save_model(model, str(folder), pyfunc_predict_fn="predict_proba")
    assert labtrack.pyfunc.load_model(str(folder)).predict([[3.0]]).shape == (1, 2)
    with pytest.raises(InvalidParameterError, match="predict_proba"):
        labtrack.sklearn.save_model(model, str(tmp_path / "bad"), pyfunc_predict_fn="fit")
