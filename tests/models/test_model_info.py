"""get_model_info and set_signature read and change a saved model's MLmodel only."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import labtrack as mlflow
import labtrack.sklearn
from labtrack.errors import InvalidParameterError
from labtrack.models import get_model_info, infer_signature, set_signature


@pytest.fixture
def logged():
    X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])
    model = LinearRegression().fit(X, X.sum(axis=1))
    with mlflow.start_run() as run:
        info = labtrack.sklearn.log_model(model, "linreg", input_example=X[:2])
    return run.info.run_id, info, X


def test_get_model_info_reads_what_log_model_returned(logged, tmp_path):
    run_id, info, X = logged
    same = get_model_info(f"runs:/{run_id}/linreg")
    assert sorted(same.flavors) == ["python_function", "sklearn"]
    assert same.model_uuid == info.model_uuid and same.run_id == run_id
    assert same.signature == info.signature
    labtrack.sklearn.save_model(LinearRegression().fit(X, X[:, 0]), tmp_path / "m")
    assert get_model_info(str(tmp_path / "m")).flavors["sklearn"]["serialization_format"] == "skops"


def test_set_signature_on_a_run_model_and_a_folder(logged, tmp_path):
    run_id, _, X = logged
    uri = f"runs:/{run_id}/linreg"
    new = infer_signature(X, np.zeros(3), params={"scale": 1.0})
    set_signature(uri, new)
    assert get_model_info(uri).signature == new
    assert mlflow.pyfunc.load_model(uri).metadata.signature.params is not None
    labtrack.sklearn.save_model(LinearRegression().fit(X, X[:, 0]), tmp_path / "m")
    set_signature(str(tmp_path / "m"), new)
    assert get_model_info(str(tmp_path / "m")).signature == new
    with pytest.raises(InvalidParameterError, match="registered model version"):
        set_signature("models:/m/1", new)
    with pytest.raises(InvalidParameterError, match="ModelSignature"):
        set_signature(uri, {"inputs": []})  # type: ignore[arg-type]
