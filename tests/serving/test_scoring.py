"""MLflow's scoring protocol without HTTP: what each input format becomes, what is refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from labtrack.serving.scoring import ScoringError, parse_request, predictions_json


def _json(payload: object) -> bytes:
    return json.dumps(payload).encode()


def test_dataframe_split_keeps_columns_and_index() -> None:
    body = _json({"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2]], "index": [7]}})

    data, params = parse_request(body, "application/json")

    assert list(data.columns) == ["a", "b"] and list(data.index) == [7] and params is None


def test_dataframe_records_and_params() -> None:
    body = _json({"dataframe_records": [{"a": 1}, {"a": 2}], "params": {"k": 1}})

    data, params = parse_request(body, "application/json; charset=utf-8")

    assert data["a"].tolist() == [1, 2] and params == {"k": 1}


@pytest.mark.parametrize("key", ["instances", "inputs"])
def test_tensor_inputs_as_arrays_records_or_columns(key: str) -> None:
    array, _ = parse_request(_json({key: [[1.0, 2.0], [3.0, 4.0]]}), "application/json")
    records, _ = parse_request(_json({key: [{"a": 1}, {"a": 2}]}), "application/json")
    columns, _ = parse_request(_json({key: {"a": [1, 2], "b": [3, 4]}}), "application/json")

    assert isinstance(array, np.ndarray) and array.shape == (2, 2)
    assert isinstance(records, pd.DataFrame) and records["a"].tolist() == [1, 2]
    assert list(columns.columns) == ["a", "b"]


def test_csv_body_with_a_header() -> None:
    data, _ = parse_request(b"a,b\n1,2\n3,4\n", "text/csv")

    assert data.to_dict("list") == {"a": [1, 3], "b": [2, 4]}


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_bodies_a_web_page_can_send_cross_site_are_refused(content_type: str | None) -> None:
    # curl's default form type used to be read as JSON; so was a page's form post (issue 19).
    with pytest.raises(ScoringError) as refused:
        parse_request(_json({"inputs": [[1]]}), content_type)

    assert refused.value.status == 415 and "Content-Type: application/json" in str(refused.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (_json({}), "exactly one of"),
        (_json({"inputs": [[1]], "instances": [[1]]}), "it has instances, inputs"),
        (_json({"inputs": [[1]], "extra": 1}), "extra"),
        (_json({"dataframe_split": [[1]]}), "dataframe_split must be an object"),
        (_json({"dataframe_split": {"data": [[1]], "bogus": 1}}), "unknown fields"),
        (_json({"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}}), "does not form"),
        (_json({"dataframe_records": [1, 2]}), "list of objects"),
        (_json({"inputs": [[1, 2], [3]]}), "rectangular"),
        (_json({"inputs": 3}), "must be a list"),
        (_json({"inputs": [[1]], "params": [1]}), "params must be"),
    ],
)
def test_malformed_json_bodies_name_the_problem(body: bytes, message: str) -> None:
    with pytest.raises(ScoringError, match=message) as caught:
        parse_request(body, "application/json")
    assert caught.value.status == 400


def test_bad_csv_and_other_content_types() -> None:
    with pytest.raises(ScoringError, match="CSV body is empty"):
        parse_request(b"  \n", "text/csv")
    with pytest.raises(ScoringError, match="could not be read"):
        parse_request(b'a,b\n"1,2\n', "text/csv")
    with pytest.raises(ScoringError, match="text/csv") as caught:
        parse_request(b"x", "application/xml")
    assert caught.value.status == 415


def test_predictions_become_json_with_nan_as_null() -> None:
    assert json.loads(predictions_json(np.array([1.5, np.nan, np.inf]))) == {
        "predictions": [1.5, None, None]
    }
    assert json.loads(predictions_json(pd.Series([1, 2]))) == {"predictions": [1, 2]}
    assert json.loads(predictions_json(pd.DataFrame({"a": [1]}))) == {"predictions": [{"a": 1}]}
    assert json.loads(predictions_json([np.int64(3), "x"])) == {"predictions": [3, "x"]}


@pytest.mark.parametrize(
    "data",
    [
        [[1.5, 2.0], [3.0, -4.25]],
        [[1, 2], [3, 4]],
        [[1, 2.5], [3, 4]],  # mixed: pandas' own path
        [[1, True], [0, False]],
        [[2**70, 1], [3, 4]],
        [["a", 1.0], ["b", 2.0]],
        [[1.0, None], [2.0, 3.0]],
    ],
)
def test_dataframe_split_matches_pandas_for_every_kind_of_row(data: list[list[object]]) -> None:
    body = json.dumps({"dataframe_split": {"columns": ["a", "b"], "data": data}})

    frame, _ = parse_request(body.encode(), "application/json")

    pd.testing.assert_frame_equal(frame, pd.DataFrame(data, columns=["a", "b"]))


def test_column_names_of_every_type_keep_their_own_index() -> None:
    for columns in (["a", "b"], [1, 2], [1.0, 2.0], [True, False], ["a", "b"], [1, 2]):
        body = json.dumps({"dataframe_split": {"columns": columns, "data": [[1.5, 2.5]]}})

        frame, _ = parse_request(body.encode(), "application/json")

        pd.testing.assert_frame_equal(frame, pd.DataFrame([[1.5, 2.5]], columns=columns))


@pytest.mark.parametrize("opener", ["[", '{"inputs": '])
def test_json_nested_past_the_parser_is_a_400_not_a_crash(opener: str) -> None:
    # A RecursionError here used to escape as a 500 from the model endpoint (issue 19).
    body = (opener * 100_000).encode()
    with pytest.raises(ScoringError) as refused:
        parse_request(body, "application/json")
    assert refused.value.status == 400 and "nested" in refused.value.message
