"""The search filter language: MLflow's run filters, plus ``OR``, ``NOT`` and parentheses.

::

    >>> parse_filter("metrics.acc > 0.9 and params.model = 'tree'")
    And(items=(Comparison(entity='metric', key='acc', op='>', value=0.9), \
Comparison(entity='param', key='model', op='=', value='tree')))

Grammar (keywords ignore case; ``AND`` binds tighter than ``OR``)::

    filter      := or_expr EOF
    or_expr     := and_expr ("OR" and_expr)*
    and_expr    := not_expr ("AND" not_expr)*
    not_expr    := "NOT" not_expr | "(" or_expr ")" | comparison
    comparison  := column op value
                 | column ["NOT"] "IN" "(" string ("," string)* ")"
                 | column "IS" ["NOT"] "NULL"
    column      := prefix "." key | attribute
    prefix      := metric(s) | param(s) | parameter(s) | tag(s) | attribute(s) | attr | run
    key         := bare key (``model.depth``) | "quoted" | 'quoted' | `quoted`
    op          := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE"
    value       := number | NaN | inf | -inf | 'string' | "string"

Which operators and values a column takes:

- metrics and numeric attributes (``start_time``, ``end_time``, ``created``): numbers with
  ``= != < <= > >=``; metrics also take ``NaN`` (``= NaN`` / ``!= NaN`` only) and ``inf``;
- params, tags and string attributes (``run_id``, ``run_name``, ``status``, ``user_id``,
  ``artifact_uri``, ``lifecycle_stage``): quoted strings with ``= != LIKE ILIKE IN NOT IN``;
- ``experiment_id``: an id, quoted or not, with ``= != IN NOT IN``;
- every column: ``IS NULL`` (absent) and ``IS NOT NULL`` (present).

Attribute aliases: ``run_uuid`` is ``run_id``; ``name``, ``attributes.`Run name``` and
``tags.mlflow.runName`` are ``run_name``; ``created`` is ``start_time``. Prefixes and
attribute names ignore case; keys do not. Inside a string, write a quote twice
(``'it''s'``). A filter holds at most 200 comparisons, 50 levels of nesting and 1000 values
per ``IN`` list.

What a filter *means* (missing keys, NaN, LIKE's case) is decided when it is compiled to SQL;
see :mod:`labtrack.store.sql.filter_sql`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from labtrack.errors import FilterSyntaxError
from labtrack.store.search_filter_lexer import (
    EXPERIMENTS,
    KIND_OPS,
    NULL_OPS,
    PREFIXES,
    RESERVED,
    RUNS,
    Entity,
    Kind,
    Schema,
    Token,
    describe_column,
    example_column,
    is_number,
    source_text,
    tokenize,
    valid_prefixes,
)

__all__ = [
    "And",
    "Comparison",
    "Entity",
    "Node",
    "Not",
    "Or",
    "OrderKey",
    "parse_experiment_filter",
    "parse_experiment_order_by",
    "parse_filter",
    "parse_order_by",
]


MAX_DEPTH = 50
MAX_COMPARISONS = 200
MAX_IN_VALUES = 1000


@dataclass(frozen=True)
class Comparison:
    """``entity.key op value``. ``value`` is a float/int, a str, a tuple of str (IN) or None."""

    entity: Entity
    key: str
    op: str
    value: object = None


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Comparison | And | Or | Not


@dataclass(frozen=True)
class OrderKey:
    """One order-by clause: ``OrderKey("metric", "mse", True)`` for ``metrics.mse ASC``."""

    entity: Entity
    key: str
    ascending: bool = True


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self.text = text
        self.schema = schema
        self.tokens = tokenize(text)
        self.i = 0
        self.comparisons = 0

    # -- helpers ---------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != "eof":
            self.i += 1
        return token

    def fail(self, message: str, token: Token | int) -> FilterSyntaxError:
        pos = token if isinstance(token, int) else token.pos
        return FilterSyntaxError(message, self.text, pos)

    def show(self, token: Token) -> str:
        if token.kind == "eof":
            return "the end of the filter"
        return repr(self.text[token.pos : token.end])

    # -- boolean structure -----------------------------------------------------------------
    def parse(self) -> Node:
        node = self.parse_or(0)
        token = self.peek()
        if token.kind == "rparen":
            raise self.fail("Unmatched ')': remove it or add a '(' before it", token)
        if token.kind != "eof":
            raise self.fail(
                f"Unexpected {self.show(token)} after a complete comparison: "
                "join comparisons with AND or OR",
                token,
            )
        return node

    def parse_or(self, depth: int) -> Node:
        items = [self.parse_and(depth)]
        while self.peek().is_keyword("OR"):
            self.advance()
            items.append(self.parse_and(depth))
        return _flatten(Or, items)

    def parse_and(self, depth: int) -> Node:
        items = [self.parse_not(depth)]
        while self.peek().is_keyword("AND"):
            self.advance()
            items.append(self.parse_not(depth))
        return _flatten(And, items)

    def parse_not(self, depth: int) -> Node:
        token = self.peek()
        if depth > MAX_DEPTH:
            raise self.fail(f"Filter nested too deeply (more than {MAX_DEPTH} levels)", token)
        if token.is_keyword("NOT"):
            self.advance()
            return Not(self.parse_not(depth + 1))
        if token.kind == "lparen":
            self.advance()
            node = self.parse_or(depth + 1)
            if self.peek().kind != "rparen":
                raise self.fail(
                    f"Expected ')' to close the '(' at character {token.pos + 1}, "
                    f"found {self.show(self.peek())}",
                    self.peek(),
                )
            self.advance()
            return node
        return self.parse_comparison()

    # -- comparisons -----------------------------------------------------------------------
    def parse_comparison(self) -> Comparison:
        token = self.advance()
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise self.fail(f"Filters are limited to {MAX_COMPARISONS} comparisons", token)
        entity, key, kind = self.parse_column(token)
        op_token = self.peek()
        op = self.parse_operator(token)
        allowed = KIND_OPS[kind]
        if op not in allowed:
            raise self.fail(
                f"{describe_column(entity, key, kind)}, so {op} does not apply: use one of "
                + ", ".join(allowed),
                op_token,
            )
        if op in NULL_OPS:
            return Comparison(entity, key, op, None)
        if op in ("IN", "NOT IN"):
            return Comparison(entity, key, op, self.parse_list(entity, key, kind, op))
        value_token = self.advance()
        if value_token.kind == "op":
            raise self.fail(
                self.doubled_operator(entity, key, op, op_token, value_token), value_token
            )
        return Comparison(entity, key, op, self.parse_value(entity, key, kind, op, value_token))

    def doubled_operator(
        self, entity: Entity, key: str, op: str, first: Token, second: Token
    ) -> str:
        """The hint for two operators in a row (``<<``, ``=<``, ``< =``): write one."""
        pair = f"{op}{second.value}"
        meant = {"=<": "<=", "=>": ">=", "<=": "<=", ">=": ">=", "!=": "!="}.get(
            pair.replace(" ", ""), op
        )
        after = self.peek()
        example = self.text[after.pos : after.end] if after.kind in ("number", "string") else "0.5"
        return (
            f"Two operators in a row ({self.text[first.pos : second.end]!r}):"
            f" write one, like {example_column(entity, key)} {meant} {example}"
        )

    def parse_column(self, token: Token) -> tuple[Entity, str, Kind]:
        example = "metrics.loss < 0.5" if "metric" in self.schema.prefixes else "name = 'x'"
        if token.kind == "string":
            raise self.fail(
                f"Expected a comparison like {example}, found the string {token.value!r}: "
                "quote only the key, like tags.\"my key\" = 'x'",
                token,
            )
        if token.kind != "ident" or token.is_keyword(*RESERVED):
            what = "nothing" if token.kind == "eof" else self.show(token)
            raise self.fail(f"Expected a comparison like {example}, found {what}", token)
        return self.resolve(token, order=False)

    def resolve(self, token: Token, order: bool) -> tuple[Entity, str, Kind]:
        schema = self.schema
        if token.key is None:
            entity: Entity = "attribute"
            name = token.word
        else:
            prefix = PREFIXES.get(token.word.lower())
            if prefix is None or prefix not in schema.prefixes:
                valid = valid_prefixes(schema)
                raise self.fail(
                    f"Unknown prefix '{token.word}.': {schema.subject} are filtered by {valid}",
                    token,
                )
            entity, name = prefix, token.key
        if entity == "tag" and name in schema.tag_aliases:
            return ("attribute", *schema.tag_aliases[name])
        if entity != "attribute":
            return entity, name, "number" if entity == "metric" else "string"
        found = schema.attributes.get(name.lower())
        if found is None and order:
            found = schema.order_only.get(name.lower())
        if found is None:
            if token.key is None and token.word.lower() in PREFIXES:
                raise self.fail(
                    f"'{token.word}' needs a key: write it like {token.word}.my_key", token
                )
            valid = ", ".join(schema.canonical_names(order))
            raise self.fail(
                f"Unknown attribute '{name}': {schema.subject} have the attributes {valid} "
                f"(use {valid_prefixes(schema)} for other keys)",
                token,
            )
        return "attribute", found[0], found[1]

    def parse_operator(self, column: Token) -> str:
        token = self.advance()
        if token.kind == "op":
            return str(token.value)
        if token.is_keyword("LIKE", "ILIKE", "IN"):
            return token.word.upper()
        if token.is_keyword("IS"):
            negate = self.peek().is_keyword("NOT")
            if negate:
                self.advance()
            if not self.peek().is_keyword("NULL"):
                raise self.fail("Expected NULL after IS: write IS NULL or IS NOT NULL", self.peek())
            self.advance()
            return "IS NOT NULL" if negate else "IS NULL"
        if token.is_keyword("NOT"):
            nxt = self.peek()
            if nxt.is_keyword("IN"):
                self.advance()
                return "NOT IN"
            if nxt.is_keyword("LIKE", "ILIKE"):
                col = self.text[column.pos : column.end]
                raise self.fail(
                    f"NOT {nxt.word.upper()} is not supported: write "
                    f"NOT {col} {nxt.word.upper()} '...'",
                    token,
                )
        raise self.fail(
            f"Expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL) after "
            f"{self.text[column.pos : column.end]!r}, found {self.show(token)}",
            token,
        )

    def parse_value(self, entity: Entity, key: str, kind: Kind, op: str, token: Token) -> object:
        column = describe_column(entity, key, kind)
        if token.kind == "eof":
            raise self.fail(f"Expected a value after {op}", token)
        if kind == "number":
            return self.parse_number(entity, column, key, op, token)
        if kind == "id":
            return self.parse_id(token)
        if op in ("LIKE", "ILIKE") or token.kind == "string":
            if token.kind != "string":
                raise self.fail(f"{op} takes a quoted pattern, like {op} 'abc%'", token)
            return token.value
        example = source_text(self.text, token)
        raise self.fail(
            f"{column}: quote the value, like {example_column(entity, key)} = '{example}'",
            token,
        )

    def parse_number(
        self, entity: Entity, column: str, key: str, op: str, token: Token
    ) -> int | float:
        if token.kind == "number":
            value = token.value
        elif token.kind == "ident" and token.is_keyword("NAN", "INF", "INFINITY"):
            value = float(token.word)
        elif token.kind == "string" and is_number(str(token.value)):
            raise self.fail(
                f"{column}: write the number without quotes, like "
                f"{example_column(entity, key)} {op} {token.value}",
                token,
            )
        else:
            raise self.fail(
                f"{column}: compare with a number, like {example_column(entity, key)} {op} 0.5"
                f" (found {self.show(token)})",
                token,
            )
        assert isinstance(value, (int, float))
        if entity == "attribute" and not math.isfinite(value):
            raise self.fail(f"{key} takes a finite number of milliseconds", token)
        if isinstance(value, float) and math.isnan(value) and op not in ("=", "!="):
            raise self.fail("NaN can only be compared with = or != (is or is not NaN)", token)
        return value

    def parse_id(self, token: Token) -> str:
        raw = token.value if token.kind in ("string", "number") else None
        text = str(raw) if isinstance(raw, (str, int)) else ""
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise self.fail("Experiment ids are whole numbers, like experiment_id = '1'", token)
        return str(int(text))

    def parse_list(self, entity: Entity, key: str, kind: Kind, op: str) -> tuple[str, ...]:
        example = f"{example_column(entity, key)} {op} ('a', 'b')"
        token = self.advance()
        if token.kind != "lparen":
            raise self.fail(f"{op} takes a parenthesised list, like {example}", token)
        values: list[str] = []
        while True:
            token = self.advance()
            if token.kind == "rparen" and not values:
                raise self.fail(f"{op} needs at least one value, like {example}", token)
            if kind == "id":
                values.append(self.parse_id(token))
            elif token.kind == "string":
                values.append(str(token.value))
            else:
                raise self.fail(f"{op} takes quoted strings, like {example}", token)
            if len(values) > MAX_IN_VALUES:
                raise self.fail(f"{op} lists are limited to {MAX_IN_VALUES} values", token)
            token = self.advance()
            if token.kind == "rparen":
                return tuple(values)
            if token.kind != "comma":
                raise self.fail(
                    f"Expected ',' or ')' in the {op} list, found {self.show(token)}", token
                )

    # -- order by --------------------------------------------------------------------------
    def parse_order_key(self) -> OrderKey:
        token = self.advance()
        if token.kind != "ident" or token.is_keyword(*RESERVED):
            raise self.fail(
                "Expected a column to order by, like metrics.loss ASC or start_time DESC", token
            )
        entity, key, _ = self.resolve(token, order=True)
        ascending = True
        direction = self.peek()
        if direction.is_keyword("ASC", "DESC"):
            ascending = direction.word.upper() == "ASC"
            self.advance()
        elif direction.kind != "eof":
            raise self.fail(
                f"Expected ASC or DESC after the column, found {self.show(direction)}", direction
            )
        end = self.peek()
        if end.kind != "eof":
            raise self.fail(
                f"Unexpected {self.show(end)}: give one column per order-by clause", end
            )
        return OrderKey(entity, key, ascending)


def _flatten(cls: type[And | Or], items: list[Node]) -> Node:
    if len(items) == 1:
        return items[0]
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, cls) else (item,))
    return cls(tuple(flat))


def _parse(text: str | None, schema: Schema) -> Node | None:
    if text is None or not text.strip():
        return None
    return _Parser(text, schema).parse()


def _parse_orders(clauses: Sequence[str] | None, schema: Schema) -> list[OrderKey]:
    if clauses is None:
        return []
    if isinstance(clauses, str):
        clauses = [clauses]
    keys = []
    for clause in clauses:
        if not isinstance(clause, str) or not clause.strip():
            raise FilterSyntaxError(
                f"Empty order-by clause {clause!r}: write it like metrics.loss ASC", str(clause), 0
            )
        keys.append(_Parser(clause, schema).parse_order_key())
    return keys


def parse_filter(text: str | None) -> Node | None:
    """Parse a run filter; ``None`` or blank text gives ``None`` (match every run).

        >>> parse_filter("tags.`team name` IN ('a', 'b') OR NOT run_name LIKE 'tmp%'")
        Or(items=(Comparison(entity='tag', key='team name', op='IN', value=('a', 'b')), \
Not(item=Comparison(entity='attribute', key='run_name', op='LIKE', value='tmp%'))))

    Raises :class:`~labtrack.errors.FilterSyntaxError` naming the position and the fix.
    """
    return _parse(text, RUNS)


def parse_order_by(clauses: Sequence[str] | None) -> list[OrderKey]:
    """Parse run order-by clauses (``["metrics.mse ASC", "start_time DESC"]``).

        >>> parse_order_by(["metrics.mse", "created DESC"])
        [OrderKey(entity='metric', key='mse', ascending=True), \
OrderKey(entity='attribute', key='start_time', ascending=False)]
    """
    return _parse_orders(clauses, RUNS)


def parse_experiment_filter(text: str | None) -> Node | None:
    """Parse an experiment filter: ``name``, ``creation_time``, ``last_update_time``, ``tags.*``.

        >>> parse_experiment_filter("name LIKE 'nb:%' AND tags.owner = 'ana'")
        And(items=(Comparison(entity='attribute', key='name', op='LIKE', value='nb:%'), \
Comparison(entity='tag', key='owner', op='=', value='ana')))
    """
    return _parse(text, EXPERIMENTS)


def parse_experiment_order_by(clauses: Sequence[str] | None) -> list[OrderKey]:
    """Parse experiment order-by clauses; ``experiment_id`` may be ordered by too.

    >>> parse_experiment_order_by(["name"])
    [OrderKey(entity='attribute', key='name', ascending=True)]
    """
    return _parse_orders(clauses, EXPERIMENTS)
