"""Saving, logging and loading scikit-learn models, through the flavor and through pyfunc."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import labtrack
import labtrack.pyfunc
import labtrack.sklearn
from labtrack.errors import InvalidParameterError
from labtrack.models import ModelInfo, UnsafeModelError, UnsafeModelWarning


class MeanRegressor(RegressorMixin, BaseEstimator):
    """A custom estimator: skops does not trust it, so it needs cloudpickle."""

    def fit(self, X, y):  # type: ignore[no-untyped-def]
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):  # type: ignore[no-untyped-def]
        return np.full(len(X), self.mean_)


@pytest.fixture(scope="module")
def forest(diabetes):  # type: ignore[no-untyped-def]
    X_train, _, y_train, _ = diabetes
    return RandomForestRegressor(n_estimators=10, random_state=0).fit(X_train, y_train)


def test_log_model_round_trips_through_sklearn_and_pyfunc(forest, diabetes):
    _, X_test, _, _ = diabetes
    with labtrack.start_run() as run:
        info = labtrack.sklearn.log_model(forest, name="model", input_example=X_test.iloc[:5])
    assert isinstance(info, ModelInfo)
    assert info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == run.info.run_id and info.name == "model"
    assert info.artifact_path.endswith(f"/models/{info.model_id}/artifacts")
    assert set(info.flavors) == {"python_function", "sklearn"}
    loaded = labtrack.sklearn.load_model(info.model_uri)
    by_run = labtrack.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(by_run.predict(X_test), forest.predict(X_test))
    np.testing.assert_array_equal(loaded.predict(X_test), forest.predict(X_test))
    pyfunc = labtrack.pyfunc.load_model(info.model_uri)
    np.testing.assert_array_equal(pyfunc.predict(X_test), forest.predict(X_test))
    assert pyfunc.metadata.run_id == run.info.run_id
    assert pyfunc.get_raw_model().n_estimators == 10


def test_model_folder_holds_mlflows_files(forest, diabetes, tmp_path: Path):
    _, X_test, _, _ = diabetes
    path = tmp_path / "m"
    labtrack.sklearn.save_model(forest, path, input_example=X_test.iloc[:3])
    assert sorted(p.name for p in path.iterdir()) == [
        "MLmodel",
        "input_example.json",
        "model.skops",
        "python_env.yaml",
        "requirements.txt",
    ]
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    pyfunc = mlmodel["flavors"]["python_function"]
    assert pyfunc["loader_module"] == "labtrack.sklearn"
    assert pyfunc["model_path"] == "model.skops" and pyfunc["env"]["virtualenv"]
    assert pyfunc["python_version"]
    sk = mlmodel["flavors"]["sklearn"]
    assert sk["serialization_format"] == "skops" and sk["code"] is None and sk["sklearn_version"]
    inputs = json.loads(mlmodel["signature"]["inputs"])
    assert inputs[0] == {"type": "double", "name": "age", "required": True}
    assert mlmodel["saved_input_example_info"] == {
        "artifact_path": "input_example.json",
        "type": "dataframe",
        "pandas_orient": "split",
    }
    assert "utc_time_created" in mlmodel and "labtrack_version" in mlmodel
    example = json.loads((path / "input_example.json").read_text())
    assert example["columns"][0] == "age" and len(example["data"]) == 3
    reqs = (path / "requirements.txt").read_text().splitlines()
    assert any(r.startswith("scikit-learn==") for r in reqs)
    assert any(r.startswith("skops==") for r in reqs)
    assert any(r.startswith("numpy==") for r in reqs) and any(r.startswith("scipy==") for r in reqs)


def test_save_model_never_overwrites(forest, tmp_path: Path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    with pytest.raises(InvalidParameterError, match="already exists"):
        labtrack.sklearn.save_model(forest, tmp_path / "taken")


def test_pyfunc_predict_checks_the_signature(forest, diabetes, tmp_path: Path):
    _, X_test, _, _ = diabetes
    labtrack.sklearn.save_model(forest, tmp_path / "m", input_example=X_test.iloc[:3])
    model = labtrack.pyfunc.load_model(str(tmp_path / "m"))
    with pytest.raises(InvalidParameterError, match="missing column 's6' \\(double\\)"):
        model.predict(X_test.drop(columns=["s6"]))
    bad = X_test.assign(bmi="high")
    with pytest.raises(InvalidParameterError, match="Column 'bmi' has type string"):
        model.predict(bad)
    shuffled = X_test[list(reversed(X_test.columns))].assign(extra=1)
    np.testing.assert_array_equal(model.predict(shuffled), forest.predict(X_test))
    records = X_test.iloc[:2].to_dict(orient="records")
    np.testing.assert_array_equal(model.predict(records), forest.predict(X_test.iloc[:2]))


def test_pyfunc_reads_the_mlmodel_file_once(forest, tmp_path: Path, monkeypatch):
    from labtrack.models.model import Model

    labtrack.sklearn.save_model(forest, tmp_path / "m")
    reads: list[str] = []
    real_load = Model.load.__func__  # type: ignore[attr-defined]

    def counting_load(cls, path):  # type: ignore[no-untyped-def]
        reads.append(str(path))
        return real_load(cls, path)

    monkeypatch.setattr(Model, "load", classmethod(counting_load))
    model = labtrack.pyfunc.load_model(str(tmp_path / "m"))
    assert len(reads) == 1
    assert model.get_raw_model().n_estimators == 10


def test_pickle_formats_load_in_the_users_process_with_a_warning(
    diabetes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    X_train, _, y_train, _ = diabetes
    custom = MeanRegressor().fit(X_train, y_train)
    with pytest.raises(InvalidParameterError, match="serialization_format='cloudpickle'"):
        labtrack.sklearn.save_model(custom, tmp_path / "skops")
    with pytest.warns(UnsafeModelWarning, match="pickle or cloudpickle format"):
        labtrack.sklearn.save_model(custom, tmp_path / "pkl", serialization_format="cloudpickle")
    assert (tmp_path / "pkl" / "model.pkl").is_file()
    reqs = (tmp_path / "pkl" / "requirements.txt").read_text()
    assert "cloudpickle==" in reqs and "skops" not in reqs
    # An explicit call in the user's own process: the same trust as pickle.load, with a warning.
    with pytest.warns(UnsafeModelWarning, match="same trust as pickle.load"):
        loaded = labtrack.sklearn.load_model(str(tmp_path / "pkl"))
    assert loaded.mean_ == custom.mean_
    with pytest.warns(UnsafeModelWarning):
        assert labtrack.pyfunc.load_model(str(tmp_path / "pkl")).predict(X_train)[
            0
        ] == pytest.approx(custom.mean_)
    # Refused where the caller says so (serving does), or where the environment says so.
    with pytest.raises(UnsafeModelError, match="allow_unsafe=True") as err:
        labtrack.sklearn.load_model(str(tmp_path / "pkl"), allow_unsafe=False)
    assert "arbitrary code" in str(err.value)
    with pytest.raises(UnsafeModelError):
        labtrack.pyfunc.load_model(str(tmp_path / "pkl"), allow_unsafe=False)
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")
    with pytest.raises(UnsafeModelError, match="MLFLOW_ALLOW_PICKLE_DESERIALIZATION"):
        labtrack.sklearn.load_model(str(tmp_path / "pkl"))
    monkeypatch.setenv("LABTRACK_ALLOW_PICKLE_DESERIALIZATION", "true")  # labtrack's wins
    with pytest.warns(UnsafeModelWarning):
        labtrack.sklearn.load_model(str(tmp_path / "pkl"))
    loaded = labtrack.sklearn.load_model(str(tmp_path / "pkl"), allow_unsafe=True)
    assert loaded.mean_ == custom.mean_


def test_unknown_serialization_format_is_refused(forest, tmp_path: Path):
    with pytest.raises(InvalidParameterError, match="'joblib'"):
        labtrack.sklearn.save_model(forest, tmp_path / "m", serialization_format="joblib")


def test_pipelines_and_searches_round_trip(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    search = GridSearchCV(
        LogisticRegression(max_iter=500), {"C": [0.1, 1.0]}, cv=3, scoring="f1_macro"
    ).fit(X, y)
    with labtrack.start_run():
        uris = [
            labtrack.sklearn.log_model(m, name).model_uri
            for m, name in ((pipe, "pipe"), (search, "search"))
        ]
    np.testing.assert_array_equal(labtrack.sklearn.load_model(uris[0]).predict(X), pipe.predict(X))
    np.testing.assert_array_equal(
        labtrack.sklearn.load_model(uris[1]).predict(X), search.predict(X)
    )


def test_registered_model_name_registers_a_version(forest):
    with labtrack.start_run() as run:
        labtrack.sklearn.log_model(forest, "model", registered_model_name="diabetes")
    version = labtrack.MlflowClient().get_model_version("diabetes", "1")
    assert version.run_id == run.info.run_id
    loaded = labtrack.pyfunc.load_model("models:/diabetes/1")
    assert loaded is not None


def test_loading_a_model_without_the_sklearn_flavor_says_so(tmp_path: Path):
    (tmp_path / "MLmodel").write_text(yaml.safe_dump({"flavors": {"other": {}}}))
    with pytest.raises(InvalidParameterError, match="no 'sklearn' flavor"):
        labtrack.sklearn.load_model(str(tmp_path))
    with pytest.raises(InvalidParameterError, match="no python_function flavor"):
        labtrack.pyfunc.load_model(str(tmp_path))


def test_pyfunc_refuses_unknown_loaders(tmp_path: Path):
    flavors = {"python_function": {"loader_module": "os", "model_path": "x"}}
    (tmp_path / "MLmodel").write_text(yaml.safe_dump({"flavors": flavors}))
    with pytest.raises(InvalidParameterError, match="loader 'os'"):
        labtrack.pyfunc.load_model(str(tmp_path))


def test_model_file_outside_the_folder_is_refused(forest, tmp_path: Path):
    labtrack.sklearn.save_model(forest, tmp_path / "m")
    mlmodel = yaml.safe_load((tmp_path / "m" / "MLmodel").read_text())
    mlmodel["flavors"]["sklearn"]["pickled_model"] = "../elsewhere.skops"
    (tmp_path / "m" / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    with pytest.raises(InvalidParameterError, match="not a file inside the model folder"):
        labtrack.sklearn.load_model(str(tmp_path / "m"))


def test_numpy_models_get_tensor_signatures(iris, tmp_path: Path):
    X, y = iris
    model = LogisticRegression(max_iter=500).fit(X, y)
    labtrack.sklearn.save_model(model, tmp_path / "m", input_example=X[:2])
    loaded = labtrack.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.metadata.get_input_schema().is_tensor_spec()
    np.testing.assert_array_equal(loaded.predict(X.astype("float32")), model.predict(X))
    with pytest.raises(InvalidParameterError, match=r"shape \(-1, 4\)"):
        loaded.predict(X[:, :3])
    example = json.loads((tmp_path / "m" / "input_example.json").read_text())
    assert example == {"inputs": X[:2].tolist()}
    frame = pd.DataFrame(X)
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(X))
