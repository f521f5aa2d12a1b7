"""The search filter parser: what each filter means, and how malformed ones are reported."""

from __future__ import annotations

import math

import pytest

from labtrack.errors import FilterSyntaxError, InvalidParameterError
from labtrack.store.search_filter import (
    And,
    Comparison,
    Not,
    Or,
    OrderKey,
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_filter,
    parse_order_by,
)
from labtrack.store.search_filter_lexer import tokenize


def metric(key: str, op: str, value: object) -> Comparison:
    return Comparison("metric", key, op, value)


def param(key: str, op: str, value: object) -> Comparison:
    return Comparison("param", key, op, value)


def tag(key: str, op: str, value: object) -> Comparison:
    return Comparison("tag", key, op, value)


def attr(key: str, op: str, value: object) -> Comparison:
    return Comparison("attribute", key, op, value)


VALID = [
    ("metrics.acc > 0.9", metric("acc", ">", 0.9)),
    ("metric.acc >= 1", metric("acc", ">=", 1)),
    ("metrics.acc<=-2.5e-3", metric("acc", "<=", -0.0025)),
    ("metrics.acc != .5", metric("acc", "!=", 0.5)),
    ("metrics.acc <> 1", metric("acc", "!=", 1)),
    ("metrics.loss < -inf", metric("loss", "<", -math.inf)),
    ("metrics.loss = Infinity", metric("loss", "=", math.inf)),
    ('metrics."my metric" = 1', metric("my metric", "=", 1)),
    ("metrics.`val/loss` = 1", metric("val/loss", "=", 1)),
    ("metrics.val/loss-2 = 1", metric("val/loss-2", "=", 1)),
    ("metrics.1st < 3", metric("1st", "<", 3)),
    ("metrics.acc IS NULL", metric("acc", "IS NULL", None)),
    ("metrics.acc is not null", metric("acc", "IS NOT NULL", None)),
    ("params.model = 'tree'", param("model", "=", "tree")),
    ('param.model = "tree"', param("model", "=", "tree")),
    ("parameters.model != ''", param("model", "!=", "")),
    ("params.model.depth = '3'", param("model.depth", "=", "3")),
    ("params.`a.b` LIKE 'x%'", param("a.b", "LIKE", "x%")),
    ("params.\"a b\" ilike '%X'", param("a b", "ILIKE", "%X")),
    ("params.lr IN ('0.1', \"0.2\")", param("lr", "IN", ("0.1", "0.2"))),
    ("params.note = 'it''s'", param("note", "=", "it's")),
    ("params.path = 'C:\\tmp'", param("path", "=", "C:\\tmp")),
    ("tags.team = 'vision'", tag("team", "=", "vision")),
    ("tag.mlflow.note LIKE 'a%'", tag("mlflow.note", "LIKE", "a%")),
    ("tags.mlflow.runName LIKE 'a%'", attr("run_name", "LIKE", "a%")),
    ("tags.`mlflow.runName` = 'a'", attr("run_name", "=", "a")),
    ("tags.'quoted key' IS NULL", tag("quoted key", "IS NULL", None)),
    ("attributes.status = 'FINISHED'", attr("status", "=", "FINISHED")),
    ("attr.status != 'FAILED'", attr("status", "!=", "FAILED")),
    ("run.user_id = 'ana'", attr("user_id", "=", "ana")),
    ("status IN ('RUNNING', 'SCHEDULED')", attr("status", "IN", ("RUNNING", "SCHEDULED"))),
    ("run_name ILIKE '%sweep%'", attr("run_name", "ILIKE", "%sweep%")),
    ("attributes.`Run name` = 'a'", attr("run_name", "=", "a")),
    ("name = 'a'", attr("run_name", "=", "a")),
    ("run_id = 'abc'", attr("run_id", "=", "abc")),
    ("attributes.run_uuid NOT IN ('a')", attr("run_id", "NOT IN", ("a",))),
    ("created > 1700000000000", attr("start_time", ">", 1700000000000)),
    ("Created < 5", attr("start_time", "<", 5)),
    ("end_time IS NULL", attr("end_time", "IS NULL", None)),
    ("start_time >= 123456789012345678901", attr("start_time", ">=", 1.2345678901234568e20)),
    ("artifact_uri LIKE 's3://%'", attr("artifact_uri", "LIKE", "s3://%")),
    ("lifecycle_stage = 'deleted'", attr("lifecycle_stage", "=", "deleted")),
    ("experiment_id = '7'", attr("experiment_id", "=", "7")),
    ("experiment_id IN (1, '02')", attr("experiment_id", "IN", ("1", "2"))),
    ("params.a = 'x'' OR 1=1 --'", param("a", "=", "x' OR 1=1 --")),
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_parses_one_comparison(text: str, expected: Comparison) -> None:
    assert parse_filter(text) == expected


def test_nan_literal_is_a_float_nan() -> None:
    node = parse_filter("metrics.loss = NaN")
    assert isinstance(node, Comparison) and math.isnan(node.value)  # type: ignore[arg-type]
    node = parse_filter("metrics.loss != -nan")
    assert isinstance(node, Comparison) and math.isnan(node.value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_no_filter_is_none(text: str | None) -> None:
    assert parse_filter(text) is None


A = metric("a", ">", 1)
B = param("b", "=", "x")
C = tag("c", "=", "y")

STRUCTURE = [
    ("metrics.a > 1 and params.b = 'x'", And((A, B))),
    ("metrics.a > 1 AND params.b = 'x' And tags.c = 'y'", And((A, B, C))),
    ("metrics.a > 1 or params.b = 'x'", Or((A, B))),
    # AND binds tighter than OR
    ("metrics.a > 1 OR params.b = 'x' AND tags.c = 'y'", Or((A, And((B, C))))),
    ("(metrics.a > 1 OR params.b = 'x') AND tags.c = 'y'", And((Or((A, B)), C))),
    ("NOT metrics.a > 1", Not(A)),
    ("not not metrics.a > 1", Not(Not(A))),
    ("NOT (metrics.a > 1 AND params.b = 'x')", Not(And((A, B)))),
    ("NOT metrics.a > 1 AND params.b = 'x'", And((Not(A), B))),
    ("((metrics.a > 1))", A),
    ("metrics.a > 1 AND (params.b = 'x' AND tags.c = 'y')", And((A, B, C))),
    ("(metrics.a>1)or(params.b='x')", Or((A, B))),
]


@pytest.mark.parametrize(("text", "expected"), STRUCTURE)
def test_boolean_structure(text: str, expected: object) -> None:
    assert parse_filter(text) == expected


# (filter, 0-based error position, fragment of the message)
MALFORMED = [
    ("params.alpha = 0.5", 15, "params are strings: quote the value, like params.alpha = '0.5'"),
    ("params.alpha = abc", 15, "quote the value, like params.alpha = 'abc'"),
    ("tags.team = 3", 12, "Tags are strings: quote the value"),
    ("status = FINISHED", 9, "status is a string: quote the value, like status = 'FINISHED'"),
    (
        "metrics.acc > 'high'",
        14,
        "Metrics are numbers: compare with a number, like metrics.acc > 0.5",
    ),
    # Regression: two operators in a row used to say "write the number without quotes".
    (
        "metrics.mse << 4000",
        13,
        "Two operators in a row ('<<'): write one, like metrics.mse < 4000",
    ),
    ("metrics.mse =< 4000", 13, "like metrics.mse <= 4000"),
    ("metrics.mse < = 4", 14, "Two operators in a row ('< ='): write one, like metrics.mse <= 4"),
    ("params.a = = 'x'", 11, "Two operators in a row ('= ='): write one, like params.a = 'x'"),
    ("metrics.acc > abc", 14, "compare with a number, like metrics.acc > 0.5 (found 'abc')"),
    ("metrics.acc > '0.3'", 14, "like metrics.acc > 0.3"),
    ("metrics.acc >", 13, "Expected a value after >"),
    ("params.a = 'abc", 11, "Unterminated string: add a closing '"),
    ('params.a = "abc', 11, 'Unterminated string: add a closing "'),
    ("params.`abc = 'x'", 7, "Unterminated string: add a closing `"),
    ("metrics.acc > 1 AND", 19, "Expected a comparison like metrics.loss < 0.5, found nothing"),
    ("AND metrics.acc > 1", 0, "found 'AND'"),
    ("metrics.acc > 1 AND AND metrics.x < 2", 20, "found 'AND'"),
    ("metrics.acc > 1 OR", 18, "Expected a comparison"),
    ("NOT", 3, "Expected a comparison"),
    ("(metrics.acc > 1", 16, "Expected ')' to close the '(' at character 1"),
    ("((metrics.acc > 1)", 18, "Expected ')' to close the '(' at character 1"),
    ("metrics.acc > 1)", 15, "Unmatched ')'"),
    ("()", 1, "Expected a comparison"),
    ("params.a = 'x' AND (", 20, "Expected a comparison"),
    ("metrics.acc > 1 metrics.loss < 2", 16, "join comparisons with AND or OR"),
    ("tags.team = 'vision' or 1=1", 24, "found '1'"),
    ("tags.x = 'a'; DROP TABLE runs", 12, "Unexpected character ';'"),
    ("params.a LIKE x%", 15, "Unexpected character '%'"),
    ("foo = 'x'", 0, "Unknown attribute 'foo': runs have the attributes artifact_uri, end_time"),
    ("attributes.bogus = 'x'", 0, "Unknown attribute 'bogus'"),
    ("model.depth = '3'", 0, "Unknown prefix 'model.': runs are filtered by metrics., params."),
    ("metrics > 1", 0, "'metrics' needs a key: write it like metrics.my_key"),
    ("metrics. > 1", 8, "Expected a name after 'metrics.'"),
    ("metrics.acc LIKE '1'", 12, "Metrics are numbers, so LIKE does not apply"),
    ("metrics.acc IN (1, 2)", 12, "so IN does not apply"),
    ("params.a > '1'", 9, "Params are strings, so > does not apply: use one of =, !=, LIKE"),
    ("status > 'A'", 7, "status is a string, so > does not apply"),
    ("start_time LIKE '1%'", 11, "start_time is a number (milliseconds), so LIKE does not apply"),
    (
        "start_time > 'yesterday'",
        13,
        "start_time is a number (milliseconds): compare with a number",
    ),
    ("start_time > inf", 13, "finite number"),
    ("metrics.acc > NaN", 14, "NaN can only be compared with = or !="),
    ("metrics.acc == 1", 12, "Use a single '='"),
    ("metrics.acc ! 1", 12, "Use '!=' for 'not equal'"),
    ("metrics.acc = 1.2.3", 14, "Malformed number"),
    ("metrics.acc = 12abc", 14, "Malformed number"),
    ("metrics.acc = - 1", 14, "Unexpected character '-'"),
    ("params.a IN 'x'", 12, "IN takes a parenthesised list, like params.a IN ('a', 'b')"),
    ("params.a IN ()", 13, "IN needs at least one value"),
    ("params.a IN ('x' 'y')", 17, "Expected ',' or ')' in the IN list"),
    ("params.a IN ('x', 1)", 18, "IN takes quoted strings"),
    ("params.lr not in ('0.1',)", 24, "NOT IN takes quoted strings"),
    ("params.a IN ('x',", 17, "IN takes quoted strings"),
    ("params.a NOT LIKE 'x'", 9, "write NOT params.a LIKE '...'"),
    ("params.a IS 'x'", 12, "Expected NULL after IS"),
    ("params.a IS NOT 'x'", 16, "Expected NULL after IS"),
    ("params.a", 8, "Expected an operator"),
    ("params.a 'x'", 9, "Expected an operator"),
    ("params.a LIKE 5", 14, "LIKE takes a quoted pattern"),
    ("experiment_id = 'abc'", 16, "Experiment ids are whole numbers"),
    ("experiment_id > 1", 14, "experiment_id is an id, so > does not apply"),
    ("metrics.acc = 1\x00", 15, "NUL"),
    ('"metrics.acc" > 1', 0, "Expected a comparison like metrics.loss < 0.5, found the string"),
    ("params.a = 'x' OR", 17, "Expected a comparison"),
]


@pytest.mark.parametrize(("text", "position", "fragment"), MALFORMED)
def test_malformed_filter_points_at_the_problem(text: str, position: int, fragment: str) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_filter(text)
    err = info.value
    assert err.position == position, str(err)
    assert fragment.lower() in err.message.lower(), err.message
    assert err.text == text
    # The rendered message shows the filter with a caret under the culprit.
    assert "\n  " + " " * position + "^" in err.message


def test_errors_are_invalid_parameter_errors() -> None:
    with pytest.raises(InvalidParameterError) as info:
        parse_filter("metrics.a >")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert info.value.http_status == 400


def test_nesting_and_size_have_limits() -> None:
    deep = "(" * 60 + "status = 'x'" + ")" * 60
    with pytest.raises(FilterSyntaxError, match="nested too deeply"):
        parse_filter(deep)
    with pytest.raises(FilterSyntaxError, match="nested too deeply"):
        parse_filter("NOT " * 60 + "status = 'x'")
    many = " AND ".join(f"metrics.m{i} > {i}" for i in range(201))
    with pytest.raises(FilterSyntaxError, match="limited to 200 comparisons"):
        parse_filter(many)
    assert isinstance(parse_filter(" AND ".join(["status = 'x'"] * 200)), And)


def test_tokens_remember_their_positions() -> None:
    tokens = tokenize("params.`a b` = 'x'")
    assert [(t.kind, t.pos, t.end) for t in tokens] == [
        ("ident", 0, 12),
        ("op", 13, 14),
        ("string", 15, 18),
        ("eof", 18, 18),
    ]
    assert tokens[0].key == "a b" and tokens[0].quoted_key


# -- order by -----------------------------------------------------------------------------------
ORDERS = [
    ("metrics.mse ASC", OrderKey("metric", "mse", True)),
    ("metrics.mse", OrderKey("metric", "mse", True)),
    ("metric.mse desc", OrderKey("metric", "mse", False)),
    ("start_time DESC", OrderKey("attribute", "start_time", False)),
    ("attributes.start_time", OrderKey("attribute", "start_time", True)),
    ("params.alpha", OrderKey("param", "alpha", True)),
    ("tags.x DESC", OrderKey("tag", "x", False)),
    ('metrics."my metric" DESC', OrderKey("metric", "my metric", False)),
    ("params.`a.b`", OrderKey("param", "a.b", True)),
    ("params.model.depth Asc", OrderKey("param", "model.depth", True)),
    ("tags.mlflow.runName DESC", OrderKey("attribute", "run_name", False)),
    ("run_name", OrderKey("attribute", "run_name", True)),
    ("created DESC", OrderKey("attribute", "start_time", False)),
    ("  status  ", OrderKey("attribute", "status", True)),
]


@pytest.mark.parametrize(("clause", "expected"), ORDERS)
def test_order_by_clause(clause: str, expected: OrderKey) -> None:
    assert parse_order_by([clause]) == [expected]


def test_order_by_keeps_clause_order() -> None:
    assert parse_order_by(["params.a", "metrics.b DESC"]) == [
        OrderKey("param", "a", True),
        OrderKey("metric", "b", False),
    ]
    assert parse_order_by(None) == []
    assert parse_order_by([]) == []


BAD_ORDERS = [
    ("metrics.mse UP", 12, "Expected ASC or DESC after the column, found 'UP'"),
    ("metrics.mse ASC DESC", 16, "one column per order-by clause"),
    ("metrics.mse, params.a", 11, "Expected ASC or DESC"),
    ("bogus", 0, "Unknown attribute 'bogus'"),
    ("ASC", 0, "Expected a column to order by"),
    ("'status'", 0, "Expected a column to order by"),
    ("metrics.'mse", 8, "Unterminated string"),
    ("metrics", 0, "'metrics' needs a key"),
]


@pytest.mark.parametrize(("clause", "position", "fragment"), BAD_ORDERS)
def test_bad_order_by_clause(clause: str, position: int, fragment: str) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_order_by([clause])
    assert info.value.position == position
    assert fragment in info.value.message
    assert info.value.text == clause


@pytest.mark.parametrize("clause", ["", "   "])
def test_empty_order_by_clause(clause: str) -> None:
    with pytest.raises(FilterSyntaxError, match="Empty order-by clause"):
        parse_order_by([clause])


# -- experiments --------------------------------------------------------------------------------
EXPERIMENT_FILTERS = [
    ("name = 'Default'", attr("name", "=", "Default")),
    ("attributes.name LIKE 'nb:%'", attr("name", "LIKE", "nb:%")),
    ("attribute.name ILIKE '%X'", attr("name", "ILIKE", "%X")),
    ("attributes.creation_time > 5", attr("creation_time", ">", 5)),
    ("last_update_time <= 10", attr("last_update_time", "<=", 10)),
    ("tags.owner = 'ana'", tag("owner", "=", "ana")),
    ("tags.`a b` IS NULL", tag("a b", "IS NULL", None)),
    (
        "name != 'x' OR NOT tags.k = 'v'",
        Or((attr("name", "!=", "x"), Not(tag("k", "=", "v")))),
    ),
]


@pytest.mark.parametrize(("text", "expected"), EXPERIMENT_FILTERS)
def test_experiment_filter(text: str, expected: object) -> None:
    assert parse_experiment_filter(text) == expected


BAD_EXPERIMENT_FILTERS = [
    ("metrics.x > 1", 0, "experiments are filtered by tags., attributes."),
    ("params.a = 'x'", 0, "Unknown prefix 'params.'"),
    ("run_name = 'x'", 0, "experiments have the attributes creation_time, last_update_time, name"),
    ("creation_time = 'x'", 16, "creation_time is a number"),
    ("name > 'a'", 5, "name is a string, so > does not apply"),
]


@pytest.mark.parametrize(("text", "position", "fragment"), BAD_EXPERIMENT_FILTERS)
def test_bad_experiment_filter(text: str, position: int, fragment: str) -> None:
    with pytest.raises(FilterSyntaxError) as info:
        parse_experiment_filter(text)
    assert info.value.position == position
    assert fragment in info.value.message


def test_experiment_order_by() -> None:
    assert parse_experiment_order_by(["name", "experiment_id DESC", "tags.k"]) == [
        OrderKey("attribute", "name", True),
        OrderKey("attribute", "experiment_id", False),
        OrderKey("tag", "k", True),
    ]
    assert parse_experiment_order_by(None) == []
    with pytest.raises(FilterSyntaxError, match="Unknown prefix 'metrics.'"):
        parse_experiment_order_by(["metrics.x"])
    with pytest.raises(FilterSyntaxError, match="Unknown attribute 'experiment_id'"):
        parse_experiment_filter("experiment_id = '1'")
