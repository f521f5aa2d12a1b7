"""Property tests for the search filter: no text crashes the parser, no parsed filter crashes the
database, and the SQL agrees with a plain-Python reading of the documented semantics."""

from __future__ import annotations

import contextlib
import functools
import math
import operator
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtrack.errors import FilterSyntaxError
from labtrack.store.search_filter import (
    And,
    Comparison,
    Node,
    Not,
    Or,
    OrderKey,
    parse_experiment_filter,
    parse_experiment_order_by,
    parse_filter,
    parse_order_by,
)
from labtrack.store.sql import tables
from labtrack.store.sql.filter_sql import (
    apply_experiment_order,
    apply_order,
    experiment_where_clause,
    where_clause,
)
from tests.store.test_filter_sql import RUNS, populate

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    eng = sa.create_engine(f"sqlite:///{path}")
    tables.metadata.create_all(eng)
    with eng.begin() as conn:
        populate(conn)
    yield eng
    eng.dispose()


def run_ids(engine: sa.Engine, node: Node | None, order: list[OrderKey] | None = None) -> list[str]:
    stmt = sa.select(tables.runs.c.run_uuid).where(where_clause(node))
    stmt = apply_order(stmt, order or [])
    with engine.connect() as conn:
        return list(conn.scalars(stmt))


# -- 1. any text: a Node, None, or FilterSyntaxError ------------------------------------------
@FUZZ
@given(st.text(max_size=120))
def test_any_text_parses_or_raises_filter_syntax_error(text: str) -> None:
    for parse in (parse_filter, parse_experiment_filter):
        try:
            parse(text)
        except FilterSyntaxError as err:
            assert err.position is None or 0 <= err.position <= len(text)
    for parse_order in (parse_order_by, parse_experiment_order_by):
        with contextlib.suppress(FilterSyntaxError):
            parse_order([text])


FRAGMENTS = [
    "metrics.acc", "metrics.loss", 'metrics."val loss"', "params.model", "params.`a.b`",
    "params.lr", "tags.team", "tags.mlflow.note", "status", "start_time", "end_time",
    "run_name", "run_id", "experiment_id", "user_id", "attributes.run_name", "name",
    "creation_time", "tags.owner", "metrics", "params.", "attr.", "=", "!=", "<>", "<", "<=",
    ">", ">=", "==", "LIKE", "ilike", "IN", "NOT", "not", "IS", "NULL", "AND", "and", "OR",
    "or", "(", ")", ",", "'x'", '"tree"', "'t%'", "'%'", "'a''b'", "'\\'", "0.5", "-1e3", "1",
    "99999999999999999999999", "NaN", "inf", "-inf", "`", "'", '"', ";", "--", "*", "%",
    "'); DROP TABLE runs; --", "ASC", "DESC", "''",
]  # fmt: skip


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
    sep = draw(st.sampled_from([" ", "", "  "]))
    return sep.join(parts)


@FUZZ
@given(token_soup())
def test_every_parsed_experiment_filter_runs_on_sqlite(engine: sa.Engine, text: str) -> None:
    try:
        node = parse_experiment_filter(text)
        keys = parse_experiment_order_by([text]) if text.strip() else []
    except FilterSyntaxError:
        return
    e = tables.experiments
    stmt = sa.select(e.c.experiment_id).where(experiment_where_clause(node))
    with engine.connect() as conn:
        conn.execute(apply_experiment_order(stmt, keys)).all()


@FUZZ
@given(st.lists(token_soup(), min_size=1, max_size=3))
def test_every_parsed_order_by_runs_on_sqlite(engine: sa.Engine, clauses: list[str]) -> None:
    try:
        keys = parse_order_by(clauses)
    except FilterSyntaxError:
        return
    assert sorted(run_ids(engine, None, keys)) == sorted(r["run_uuid"] for r in RUNS)


@FUZZ
@given(st.text(alphabet="'\"%_\\;-=() ORDPTABLE1x", max_size=40))
def test_string_values_are_only_values(engine: sa.Engine, value: str) -> None:
    quoted = "'" + value.replace("'", "''") + "'"
    node = parse_filter(f"params.model = {quoted} OR tags.team LIKE {quoted}")
    assert node == Or(
        (Comparison("param", "model", "=", value), Comparison("tag", "team", "LIKE", value))
    )
    run_ids(engine, node)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(tables.runs)) == len(RUNS)


# -- 2. generated filters: text round trip, and SQL == reference semantics ----------------------
METRIC_KEYS = ["acc", "loss", "val loss", "big", "nothing"]
PARAM_KEYS = ["model", "lr", "model.depth", "my param", "a.b", "comment", "glob", "x"]
TAG_KEYS = ["team", "empty", "team name", "mlflow.note", "z"]
STRINGS = [
    "tree", "Tree", "Trees", "t_ee", "linear", "0.1", "0.01", "1e-3", "vision", "Vision",
    "VISION", "audio", "", "x", "x y", "dots", "FINISHED", "RUNNING", "FAILED", "ana", "bo",
    "élodie", "r1", "r3", "Beta", "alpha-run", "deleted", "active", "file:///a/r1", "a[b]*?c",
]  # fmt: skip
PATTERNS = ["t%", "%e", "_ree", "%", "V%", "a[%", "%\\_%", "T%s", "%a%", "alpha%", "100\\%%"]
CHARS = "atrVIeS%_\\'\" .-[]*?é"
# attribute -> (spellings, kind)
ATTRIBUTES: dict[str, tuple[list[str], str]] = {
    "run_id": (["run_id", "run_uuid"], "string"),
    "run_name": (["run_name", "`Run name`"], "string"),
    "status": (["status"], "string"),
    "user_id": (["user_id"], "string"),
    "artifact_uri": (["artifact_uri"], "string"),
    "lifecycle_stage": (["lifecycle_stage"], "string"),
    "start_time": (["start_time", "created"], "number"),
    "end_time": (["end_time"], "number"),
    "experiment_id": (["experiment_id"], "id"),
}
COLUMN = {"run_id": "run_uuid", "run_name": "name"}
STRING_OPS = ["=", "!=", "LIKE", "ILIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"]
NUMBER_OPS = ["=", "!=", "<", "<=", ">", ">=", "IS NULL", "IS NOT NULL"]
ID_OPS = ["=", "!=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"]

strings = st.one_of(st.sampled_from(STRINGS), st.text(alphabet=CHARS, max_size=6))
patterns = st.one_of(st.sampled_from(PATTERNS + STRINGS), st.text(alphabet=CHARS, max_size=6))
numbers = st.one_of(
    st.sampled_from([0.9, 0.7, 0.5, 0.25, -1.0, 2.0, 1.5, 1e300, 0.0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
)
times = st.one_of(st.sampled_from([1000, 1500, 1600, 2000, 2500, 3000, 3500]), st.integers(0, 4000))


def string_value(op: str) -> st.SearchStrategy[object]:
    if op in ("IN", "NOT IN"):
        return st.lists(strings, min_size=1, max_size=3).map(tuple)
    if op in ("IS NULL", "IS NOT NULL"):
        return st.none()
    return patterns if op in ("LIKE", "ILIKE") else strings


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    entity = draw(st.sampled_from(["metric", "param", "tag", "attribute"]))
    if entity == "metric":
        key = draw(st.sampled_from(METRIC_KEYS))
        op = draw(st.sampled_from(NUMBER_OPS))
        value: object = None if "NULL" in op else draw(numbers)
        if isinstance(value, float) and math.isnan(value) and op not in ("=", "!="):
            op = "="
        return Comparison("metric", key, op, value)
    if entity in ("param", "tag"):
        key = draw(st.sampled_from(PARAM_KEYS if entity == "param" else TAG_KEYS))
        op = draw(st.sampled_from(STRING_OPS))
        return Comparison(entity, key, op, draw(string_value(op)))  # type: ignore[arg-type]
    key = draw(st.sampled_from(sorted(ATTRIBUTES)))
    kind = ATTRIBUTES[key][1]
    if kind == "number":
        op = draw(st.sampled_from(NUMBER_OPS))
        return Comparison("attribute", key, op, None if "NULL" in op else draw(times))
    if kind == "id":
        op = draw(st.sampled_from(ID_OPS))
        ids = st.sampled_from(["1", "2", "3", "40"])
        value = (
            None
            if "NULL" in op
            else tuple(draw(st.lists(ids, min_size=1, max_size=3)))
            if "IN" in op
            else draw(ids)
        )
        return Comparison("attribute", key, op, value)
    op = draw(st.sampled_from(STRING_OPS))
    return Comparison("attribute", key, op, draw(string_value(op)))


filters: st.SearchStrategy[Node] = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
        inner.map(Not),
    ),
    max_leaves=8,
)


def quote(text: str, q: str) -> str:
    return q + text.replace(q, q + q) + q


def render_number(value: object, draw: st.DrawFn) -> str:
    if isinstance(value, float) and math.isnan(value):
        return draw(st.sampled_from(["NaN", "nan", "-nan"]))
    if value == math.inf:
        return draw(st.sampled_from(["inf", "Infinity", "+inf"]))
    return repr(value)


def render_comparison(c: Comparison, draw: st.DrawFn) -> str:
    if c.entity == "attribute":
        spelling = draw(st.sampled_from(ATTRIBUTES[c.key][0]))
        prefixes = ["attributes.", "attribute.", "attr.", "run."]
        if not spelling.startswith("`"):
            prefixes.append("")
        column = draw(st.sampled_from(prefixes)) + spelling
    else:
        prefix = draw(
            st.sampled_from(
                {"metric": ["metrics", "metric"], "param": ["params", "param", "parameters"]}.get(
                    c.entity, ["tags", "tag"]
                )
            )
        )
        bare = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", c.key) is not None
        key = c.key if bare and draw(st.booleans()) else quote(c.key, draw(st.sampled_from("\"`'")))
        column = f"{prefix}.{key}"
    op = draw(st.sampled_from([c.op, c.op.lower(), c.op.title()]))
    if "NULL" in c.op:
        return f"{column} {op}"
    if isinstance(c.value, tuple):
        items = ", ".join(quote(str(v), draw(st.sampled_from("'\""))) for v in c.value)
        return f"{column} {op} ({items})"
    if isinstance(c.value, str):
        return f"{column} {op} {quote(c.value, draw(st.sampled_from(chr(39) + chr(34))))}"
    return f"{column} {op} {render_number(c.value, draw)}"


def render(node: Node, draw: st.DrawFn) -> str:
    if isinstance(node, Comparison):
        return render_comparison(node, draw)
    if isinstance(node, Not):
        inner = render(node.item, draw)
        return f"NOT ({inner})" if isinstance(node.item, (And, Or)) else f"not {inner}"
    parts = []
    for item in node.items:
        text = render(item, draw)
        parts.append(f"({text})" if isinstance(item, (And, Or)) or draw(st.booleans()) else text)
    return (" AND " if isinstance(node, And) else " or ").join(parts)


def canonical(node: Node) -> object:
    """Flatten AND-in-AND and OR-in-OR (the parser does) and make NaN comparable."""
    if isinstance(node, Comparison):
        nan = isinstance(node.value, float) and math.isnan(node.value)
        return (node.entity, node.key, node.op, "<nan>" if nan else node.value)
    if isinstance(node, Not):
        return ("NOT", canonical(node.item))
    items: list[object] = []
    for item in node.items:
        if type(item) is type(node):
            items.extend(canonical(item)[1])  # type: ignore[index]
        else:
            items.append(canonical(item))
    return ("AND" if isinstance(node, And) else "OR", items)


def like(value: str, pattern: str) -> bool:
    regex, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.fullmatch("".join(regex), value, re.DOTALL) is not None


def fold(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


OPS = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
MISSING = object()


def lookup(run: dict[str, Any], c: Comparison) -> Any:
    if c.entity == "metric":
        return run["metrics"].get(c.key, MISSING)
    if c.entity in ("param", "tag"):
        return run[c.entity + "s"].get(c.key)
    value = run[COLUMN.get(c.key, c.key)]
    return str(value) if c.key == "experiment_id" else value


def reference(run: dict[str, Any], node: Node) -> bool:
    """The documented semantics, in plain Python."""
    if isinstance(node, And):
        return all(reference(run, item) for item in node.items)
    if isinstance(node, Or):
        return any(reference(run, item) for item in node.items)
    if isinstance(node, Not):
        return not reference(run, node.item)
    value, op, lit = lookup(run, node), node.op, node.value
    absent = value is MISSING or value is None
    if op in ("IS NULL", "IS NOT NULL"):
        return absent == (op == "IS NULL")
    if absent:
        return False
    if node.entity == "metric":
        assert isinstance(lit, (int, float))
        if math.isnan(lit):
            return math.isnan(value) == (op == "=")
        if math.isnan(value):
            return op == "!="
    if op == "LIKE":
        return like(value, str(lit))
    if op == "ILIKE":
        return like(fold(value), fold(str(lit)))
    if op in ("IN", "NOT IN"):
        return (value in lit) == (op == "IN")  # type: ignore[operator]
    return bool(OPS[op](value, lit))  # type: ignore[arg-type]


@st.composite
def mutated_filters(draw: st.DrawFn) -> str:
    """A well-formed filter with a slice cut out, a fragment pasted in, or a slice repeated."""
    text = render(draw(filters), draw)
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, len(text)))
    how = draw(st.sampled_from(["cut", "paste", "repeat", "none"]))
    if how == "cut":
        return text[:i] + text[j:]
    if how == "paste":
        return text[:i] + draw(st.sampled_from(FRAGMENTS)) + text[i:]
    if how == "repeat":
        return text[:j] + text[i:j] + text[j:]
    return text


@FUZZ
@given(st.one_of(token_soup(), mutated_filters()))
def test_every_parsed_filter_runs_on_sqlite(engine: sa.Engine, text: str) -> None:
    try:
        node = parse_filter(text)
    except FilterSyntaxError as err:
        assert err.position is not None and 0 <= err.position <= len(text)
        return
    run_ids(engine, node)  # must not raise a database error


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters, st.data())
def test_generated_filters_round_trip_and_match_reference(
    engine: sa.Engine, node: Node, data: st.DataObject
) -> None:
    text = render(node, data.draw)  # type: ignore[arg-type]
    parsed = parse_filter(text)
    assert parsed is not None
    assert canonical(parsed) == canonical(node), text
    expected = {run["run_uuid"] for run in RUNS if reference(run, node)}
    assert set(run_ids(engine, parsed)) == expected, text


ORDER_KEYS = st.one_of(
    st.builds(OrderKey, st.just("metric"), st.sampled_from(METRIC_KEYS), st.booleans()),
    st.builds(OrderKey, st.just("param"), st.sampled_from(PARAM_KEYS), st.booleans()),
    st.builds(OrderKey, st.just("tag"), st.sampled_from(TAG_KEYS), st.booleans()),
    st.builds(
        OrderKey,
        st.just("attribute"),
        st.sampled_from(["run_name", "status", "user_id", "start_time", "end_time"]),
        st.booleans(),
    ),
)


def reference_order(keys: list[OrderKey]) -> list[str]:
    def sort_value(run: dict[str, Any], key: OrderKey) -> tuple[int, Any]:
        if key.entity == "attribute":
            value = run[COLUMN.get(key.key, key.key)]
        else:
            value = run[key.entity + "s"].get(key.key)
        if value is None:
            return 2, None
        if isinstance(value, float) and math.isnan(value):
            return 1, None
        return 0, value

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for key in keys:
            (ra, va), (rb, vb) = sort_value(a, key), sort_value(b, key)
            if ra != rb:
                return -1 if ra < rb else 1
            if ra == 0 and va != vb:
                less = va < vb
                return (-1 if less else 1) * (1 if key.ascending else -1)
        if a["start_time"] != b["start_time"]:
            return -1 if a["start_time"] > b["start_time"] else 1
        return -1 if a["run_uuid"] < b["run_uuid"] else 1

    return [r["run_uuid"] for r in sorted(RUNS, key=functools.cmp_to_key(compare))]


@FUZZ
@given(st.lists(ORDER_KEYS, max_size=3))
def test_generated_order_matches_reference(engine: sa.Engine, keys: list[OrderKey]) -> None:
    clauses = []
    for k in keys:
        prefix = {"metric": "metrics.", "param": "params.", "tag": "tags.", "attribute": ""}
        clauses.append(f"{prefix[k.entity]}{quote(k.key, '`')} {'ASC' if k.ascending else 'DESC'}")
    assert parse_order_by(clauses) == keys
    assert run_ids(engine, None, keys) == reference_order(keys), clauses
