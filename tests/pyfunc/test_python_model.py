"""Custom PythonModels: save, log, load, artifacts, context, params, the pickle rule."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.linear_model import LinearRegression

import labtrack as mlflow
import labtrack.pyfunc
from labtrack.errors import InvalidParameterError, UnsafeModelError
from labtrack.models import UnsafeModelWarning


class AddN(labtrack.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


class Scaled(labtrack.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["model"], "rb") as f:
            self.model = pickle.load(f)
        self.offset = context.model_config.get("offset", 0.0)

    def predict(self, model_input, params=None):  # MLflow 3's form: no context
        return self.model.predict(model_input.values) * (params or {}).get("scale", 1.0) + (
            self.offset
        )


def test_save_load_predict_and_the_mlmodel_mlflow_writes(tmp_path):
    path = tmp_path / "add_n"
    labtrack.pyfunc.save_model(path=str(path), python_model=AddN(n=5))
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    conf = mlmodel["flavors"]["python_function"]
    assert conf["loader_module"] == "labtrack.pyfunc.model"
    assert conf["python_model"] == "python_model.pkl" and conf["cloudpickle_version"]
    assert "cloudpickle==" in (path / "requirements.txt").read_text()
    with pytest.warns(UnsafeModelWarning, match="same trust as pickle.load"):
        loaded = labtrack.pyfunc.load_model(str(path))
    out = loaded.predict(pd.DataFrame([range(10)]))
    assert out.equals(pd.DataFrame([range(5, 15)]))
    assert isinstance(loaded.unwrap_python_model(), AddN)


def test_log_model_with_artifacts_config_example_and_params(tmp_path):
    X = np.arange(10, dtype=float).reshape(-1, 1)
    with open(tmp_path / "linreg.pkl", "wb") as f:
        pickle.dump(LinearRegression().fit(X, 2 * X.ravel() + 1), f)
    with mlflow.start_run() as run:
        info = labtrack.pyfunc.log_model(
            artifact_path="scaled",
            python_model=Scaled(),
            artifacts={"model": str(tmp_path / "linreg.pkl")},
            model_config={"offset": 0.5},
            input_example=pd.DataFrame({"x": [1.0, 2.0]}),
        )
    assert info.model_uri == f"models:/{info.model_id}"  # MLflow 3: the logged model
    assert info.run_id == run.info.run_id
    assert info.signature is not None and info.signature.outputs is not None
    files = [f.path for f in mlflow.MlflowClient().list_logged_model_artifacts(info.model_id)]
    assert "artifacts" in files and "input_example.json" in files
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsafeModelWarning)
        loaded = labtrack.pyfunc.load_model(info.model_uri)
    data = pd.DataFrame({"x": [3.0, 4.0]})
    assert loaded.predict(data).tolist() == [7.5, 9.5]
    assert loaded.predict(data, params={"scale": 2.0}).tolist() == [14.5, 18.5]


def test_signature_params_fill_defaults_and_drop_unknown_names(tmp_path):
    sig = labtrack.models.infer_signature(
        pd.DataFrame({"x": [1.0]}), np.zeros(1), params={"scale": 3.0}
    )
    X = np.arange(4, dtype=float).reshape(-1, 1)
    with open(tmp_path / "m.pkl", "wb") as f:
        pickle.dump(LinearRegression().fit(X, X.ravel()), f)
    path = tmp_path / "model"
    labtrack.pyfunc.save_model(
        path, python_model=Scaled(), artifacts={"model": str(tmp_path / "m.pkl")}, signature=sig
    )
    loaded = labtrack.pyfunc.load_model(str(path), allow_unsafe=True)
    assert loaded.predict(pd.DataFrame({"x": [1.0]})).tolist() == pytest.approx([3.0])
    with pytest.warns(UserWarning, match="Unrecognized params 'other'"):
        loaded.predict(pd.DataFrame({"x": [1.0]}), params={"other": 1})


def test_pickled_models_are_refused_where_the_caller_says_so(tmp_path, monkeypatch):
    path = tmp_path / "add_n"
    labtrack.pyfunc.save_model(path=str(path), python_model=AddN(n=1))
    with pytest.raises(UnsafeModelError, match="allow_unsafe=True"):
        labtrack.pyfunc.load_model(str(path), allow_unsafe=False)
    monkeypatch.setenv("LABTRACK_ALLOW_PICKLE_DESERIALIZATION", "false")
    with pytest.raises(UnsafeModelError, match="LABTRACK_ALLOW_PICKLE_DESERIALIZATION"):
        labtrack.pyfunc.load_model(str(path))


def test_bad_arguments_say_what_to_give(tmp_path):
    with pytest.raises(InvalidParameterError, match="PythonModel subclass"):
        labtrack.pyfunc.save_model(tmp_path / "a", python_model=lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="loader_module"):
        labtrack.pyfunc.save_model(tmp_path / "b", loader_module="my_loader", data_path="d")
    with pytest.raises(InvalidParameterError, match="does not exist"):
        labtrack.pyfunc.save_model(
            tmp_path / "c", python_model=AddN(1), artifacts={"m": str(tmp_path / "nope")}
        )
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match="not both"):
        labtrack.pyfunc.log_model(artifact_path="a", name="b", python_model=AddN(1))
