"""Signatures: inference from data, MLflow's JSON form, and the checks predict runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labtrack.errors import InvalidParameterError
from labtrack.models import ColSpec, DataType, ModelSignature, Schema, TensorSpec, infer_signature
from labtrack.models.schema_check import enforce_schema


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": np.array([31, 45], dtype="int64"),
            "weight": np.array([61.5, 80.25], dtype="float32"),
            "bmi": [22.5, 27.1],
            "city": ["Lyon", "Oslo"],
            "smoker": [True, False],
            "seen": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "code": np.array([1, 2], dtype="int32"),
            "blob": [b"a", b"b"],
        }
    )


def test_dataframe_columns_get_mlflow_type_names():
    sig = infer_signature(frame())
    assert [(c["name"], c["type"]) for c in sig.inputs.to_dict()] == [
        ("age", "long"),
        ("weight", "float"),
        ("bmi", "double"),
        ("city", "string"),
        ("smoker", "boolean"),
        ("seen", "datetime"),
        ("code", "integer"),
        ("blob", "binary"),
    ]
    assert sig.outputs is None


def test_signature_json_is_mlflows_form():
    sig = infer_signature(pd.DataFrame({"x": [1.0]}), np.array([1, 2]))
    d = sig.to_dict()
    assert json.loads(d["inputs"]) == [{"type": "double", "name": "x", "required": True}]
    assert json.loads(d["outputs"]) == [
        {"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}
    ]
    assert d["params"] is None
    assert ModelSignature.from_dict(d) == sig


def test_numpy_input_is_a_tensor_spec_with_free_first_dimension():
    sig = infer_signature(np.zeros((3, 4), dtype="float32"))
    assert sig.inputs.is_tensor_spec()
    spec = sig.inputs.inputs[0]
    assert isinstance(spec, TensorSpec)
    assert spec.shape == (-1, 4) and spec.dtype == np.dtype("float32")


def test_list_of_records_and_dict_of_columns_are_column_schemas():
    records = infer_signature([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    columns = infer_signature({"a": [1, 2], "b": ["x", "y"]})
    assert records.inputs == columns.inputs
    assert records.inputs.input_names() == ["a", "b"]


def test_series_output_keeps_its_name():
    sig = infer_signature(frame()[["bmi"]], pd.Series([0.1, 0.2], name="risk"))
    assert sig.outputs is not None
    assert sig.outputs.to_dict() == [{"type": "double", "name": "risk", "required": True}]


def test_a_mixed_column_is_refused_by_name():
    with pytest.raises(InvalidParameterError, match="'mixed'"):
        infer_signature(pd.DataFrame({"mixed": [1, "a"]}))


def test_schema_refuses_columns_and_tensors_together():
    with pytest.raises(InvalidParameterError, match="not both"):
        Schema([ColSpec(DataType.double, "x"), TensorSpec(np.dtype("float64"), (-1,))])


# -- enforcement ---------------------------------------------------------------------------
def schema() -> Schema:
    return infer_signature(frame()[["age", "bmi", "city"]]).inputs


def test_missing_column_is_named_with_its_type():
    with pytest.raises(InvalidParameterError) as err:
        enforce_schema(pd.DataFrame({"age": [1], "city": ["x"]}), schema())
    assert "missing column 'bmi' (double)" in str(err.value)


def test_extra_columns_are_named_in_the_missing_hint_and_otherwise_ignored():
    with pytest.raises(InvalidParameterError, match=r"extra columns \['bmI'\]"):
        enforce_schema(pd.DataFrame({"age": [1], "bmI": [1.0], "city": ["x"]}), schema())
    out = enforce_schema(
        pd.DataFrame({"zzz": [0], "city": ["x"], "bmi": [1.5], "age": [3]}), schema()
    )
    assert list(out.columns) == ["age", "bmi", "city"]


def test_wrong_type_is_named_with_a_fix():
    data = pd.DataFrame({"age": ["old"], "bmi": [1.0], "city": ["x"]})
    with pytest.raises(InvalidParameterError) as err:
        enforce_schema(data, schema())
    message = str(err.value)
    assert "Column 'age' has type string" in message and "expects long" in message
    assert "astype('int64')" in message


def test_integer_column_with_missing_values_gets_a_hint():
    data = pd.DataFrame({"age": [1.0, np.nan], "bmi": [1.0, 2.0], "city": ["x", "y"]})
    with pytest.raises(InvalidParameterError, match="missing values becomes float"):
        enforce_schema(data, schema())


def test_safe_casts_are_applied():
    out = enforce_schema(pd.DataFrame({"age": [1], "bmi": [2], "city": ["x"]}), schema())
    assert out["bmi"].dtype == np.dtype("float64")
    narrow = infer_signature(pd.DataFrame({"n": np.array([1], dtype="int32")})).inputs
    assert narrow.inputs[0].type == DataType.integer
    wide = infer_signature(pd.DataFrame({"n": [1.0]})).inputs
    assert (
        enforce_schema(pd.DataFrame({"n": np.array([7], dtype="int32")}), wide)["n"].iloc[0] == 7.0
    )


def test_lists_of_records_and_arrays_are_accepted():
    out = enforce_schema([{"age": 1, "bmi": 2.0, "city": "x"}], schema())
    assert out.shape == (1, 3)
    strings = infer_signature(pd.DataFrame({"a": ["p"], "b": ["q"], "c": ["r"]})).inputs
    arr = enforce_schema(np.array([["x", "y", "z"]], dtype=object), strings)
    assert list(arr.columns) == ["a", "b", "c"]
    with pytest.raises(InvalidParameterError, match="expects 3 columns"):
        enforce_schema(np.array([["x", "y"]], dtype=object), strings)


def test_tensor_shape_and_dtype_are_checked():
    spec = infer_signature(np.zeros((2, 4))).inputs
    assert enforce_schema(np.ones((5, 4), dtype="int64"), spec).dtype == np.dtype("float64")
    with pytest.raises(InvalidParameterError, match=r"shape \(-1, 4\); got \(5, 3\)"):
        enforce_schema(np.ones((5, 3)), spec)
    with pytest.raises(InvalidParameterError, match="dtype <U1"):
        enforce_schema(np.array([["a"] * 4]), spec)
    assert enforce_schema(pd.DataFrame(np.ones((2, 4))), spec).shape == (2, 4)


def test_a_frame_that_already_conforms_is_passed_through_and_others_are_rebuilt():
    numeric = Schema([ColSpec(DataType.double, "a"), ColSpec(DataType.long, "b")])
    exact = pd.DataFrame({"a": [1.5], "b": np.array([2], dtype="int64")})
    assert enforce_schema(exact, numeric) is exact
    # Another order, a narrower type or an extra column: a new frame in the signature's form.
    for frame in (
        exact[["b", "a"]],
        pd.DataFrame({"a": np.array([1.5], dtype="float32"), "b": [2]}),
        exact.assign(c=3),
    ):
        out = enforce_schema(frame, numeric)
        assert out is not frame
        assert list(out.columns) == ["a", "b"] and list(out.dtypes) == ["float64", "int64"]
    # Strings always get the full check (it looks at the values).
    strings = Schema([ColSpec(DataType.string, "s")])
    with pytest.raises(InvalidParameterError, match="'s'"):
        enforce_schema(pd.DataFrame({"s": [1, "x"]}), strings)


def test_schema_reports_types_names_and_required_inputs_as_mlflow_does():
    sig = infer_signature(frame()[["age", "bmi", "city"]], np.zeros(2))
    assert [str(t) for t in sig.inputs.input_types()] == [
        "DataType.long",
        "DataType.double",
        "DataType.string",
    ]
    assert sig.inputs.required_input_names() == ["age", "bmi", "city"]
    assert sig.inputs.optional_input_names() == []
    assert list(sig.inputs.input_dict()) == ["age", "bmi", "city"]
    assert sig.inputs.numpy_types()[0] == np.dtype("int64")
    tensors = infer_signature(np.zeros((3, 4)))
    assert tensors.inputs.input_types() == [np.dtype("float64")]


def test_params_are_inferred_stored_and_read_back_in_mlflows_form():
    import datetime

    params = {"max_depth": 7, "lr": 0.1, "name": "x", "flag": True, "lst": [1, 2]}
    params["dt"] = datetime.datetime(2020, 1, 1)
    sig = infer_signature(np.zeros((2, 3)), np.zeros(2), params=params)
    stored = json.loads(sig.to_dict()["params"])
    assert stored[0] == {"name": "max_depth", "default": 7, "shape": None, "type": "long"}
    assert stored[4] == {"name": "lst", "default": [1, 2], "shape": [-1], "type": "long"}
    assert stored[5]["default"] == "2020-01-01T00:00:00" and stored[5]["type"] == "datetime"
    assert [p["type"] for p in stored[1:4]] == ["double", "string", "boolean"]
    again = ModelSignature.from_dict(sig.to_dict())
    assert again.params is not None and [p.name for p in again.params.params][:2] == [
        "max_depth",
        "lr",
    ]
    with pytest.raises(InvalidParameterError, match="object"):
        infer_signature(np.zeros((2, 3)), params={"bad": object()})
