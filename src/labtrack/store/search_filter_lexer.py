"""The words of the search filter language (see :mod:`labtrack.store.search_filter`).

The tokenizer turns text into :class:`Token` objects that remember where they start, so every
error can point at the character that caused it::

    >>> [t.kind for t in tokenize("metrics.acc > 0.9")]
    ['ident', 'op', 'number', 'eof']

Identifiers are lexed whole: ``params.model.depth`` is one token with ``word="params"`` and
``key="model.depth"``; ``metrics."my metric"`` and ``params.`a.b``` carry quoted keys. Strings
use single or double quotes; a quote inside a string is written twice (``'it''s'``), and a
backslash is an ordinary character.

Below the tokenizer: the vocabulary, that is which prefixes and attribute names each search
(runs, experiments) accepts, which operators each kind of column takes, and the wording of
the hints in error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from labtrack.errors import FilterSyntaxError

__all__ = ["EXPERIMENTS", "RUNS", "Entity", "Kind", "Schema", "Token", "TokenKind", "tokenize"]

TokenKind = Literal["ident", "string", "number", "op", "lparen", "rparen", "comma", "eof"]

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Unquoted keys run until whitespace, a quote, an operator, a parenthesis or a comma.
_BARE_KEY = re.compile(r"[^\s'\"`=!<>(),]+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SIGNED_SPECIAL = re.compile(r"[+-](?:infinity|inf|nan)(?![A-Za-z0-9_])", re.IGNORECASE)
_OPERATORS = ("!=", "<>", "<=", ">=", "==", "=", "<", ">")
_QUOTES = "'\"`"


@dataclass(frozen=True)
class Token:
    """One lexeme. ``pos``/``end`` are character offsets into the filter text.

    ``value`` depends on ``kind``: the unquoted text for ``string``, the operator for ``op``,
    a float or int for ``number``; ``ident`` tokens use ``word`` and ``key`` instead
    (``key`` is None for a bare word such as ``status`` or ``AND``).
    """

    kind: TokenKind
    pos: int
    end: int
    value: object = None
    word: str = ""
    key: str | None = None
    quoted_key: bool = False

    def is_keyword(self, *words: str) -> bool:
        """True for a bare, unquoted word equal (ignoring case) to one of ``words``."""
        return (
            self.kind == "ident"
            and self.key is None
            and not self.quoted_key
            and self.word.upper() in words
        )


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read a quoted string starting at ``start``; return (content, index after it)."""
    quote = text[start]
    parts: list[str] = []
    i = start + 1
    while True:
        j = text.find(quote, i)
        if j < 0:
            raise FilterSyntaxError(
                f"Unterminated string: add a closing {quote} to end the text that starts here",
                text,
                start,
            )
        parts.append(text[i:j])
        if j + 1 < len(text) and text[j + 1] == quote:
            parts.append(quote)  # a doubled quote stands for one quote character
            i = j + 2
            continue
        return "".join(parts), j + 1


def _number_value(lexeme: str) -> int | float:
    digits = lexeme.lstrip("+-")
    # Long integers become floats: int() refuses very long digit strings and databases
    # refuse integers wider than 64 bits.
    if digits.isdigit() and len(digits) <= 18:
        return int(lexeme)
    return float(lexeme)


def _check_text(text: str) -> None:
    for i, ch in enumerate(text):
        if ch == "\x00":
            raise FilterSyntaxError("Filters cannot contain NUL characters: remove it", text, i)
        if "\ud800" <= ch <= "\udfff":
            raise FilterSyntaxError(
                "Filters must be valid Unicode: remove this lone surrogate character", text, i
            )


def _lex_ident(text: str, i: int) -> Token:
    start = i
    if text[i] == "`":
        word, i = _read_quoted(text, i)
        return Token("ident", start, i, word=word, quoted_key=True)
    m = _WORD.match(text, i)
    assert m is not None
    word, i = m.group(), m.end()
    if i >= len(text) or text[i] != ".":
        return Token("ident", start, i, word=word)
    i += 1
    if i < len(text) and text[i] in _QUOTES:
        key, i = _read_quoted(text, i)
        return Token("ident", start, i, word=word, key=key, quoted_key=True)
    km = _BARE_KEY.match(text, i)
    if km is None:
        raise FilterSyntaxError(
            f"Expected a name after '{word}.': write it like {word}.loss, or quote it "
            f'like {word}."my key" when it holds spaces or symbols',
            text,
            i,
        )
    return Token("ident", start, km.end(), word=word, key=km.group())


def _lex_operator(text: str, i: int) -> Token | None:
    for op in _OPERATORS:
        if text.startswith(op, i):
            if op == "==":
                raise FilterSyntaxError("Use a single '=' to compare for equality", text, i)
            return Token("op", i, i + len(op), value="!=" if op == "<>" else op)
    if text[i] == "!":
        raise FilterSyntaxError("Use '!=' for 'not equal'", text, i)
    return None


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``eof`` token.

    Raises :class:`~labtrack.errors.FilterSyntaxError` for an unterminated string, a stray
    character or a malformed number.

        >>> tokenize("params.`a b` = 'x'")[0].key
        'a b'
    """
    _check_text(text)
    tokens: list[Token] = []
    i, n = 0, len(text)
    singles: dict[str, TokenKind] = {"(": "lparen", ")": "rparen", ",": "comma"}
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in singles:
            tokens.append(Token(singles[ch], i, i + 1, value=ch))
            i += 1
            continue
        if ch in "'\"":
            value, end = _read_quoted(text, i)
            tokens.append(Token("string", i, end, value=value))
            i = end
            continue
        if ch == "`" or ch == "_" or (ch.isascii() and ch.isalpha()):
            token = _lex_ident(text, i)
            tokens.append(token)
            i = token.end
            continue
        special = _SIGNED_SPECIAL.match(text, i)
        number = _NUMBER.match(text, i)
        if special is not None:
            tokens.append(Token("number", i, special.end(), value=float(special.group())))
            i = special.end()
            continue
        if number is not None:
            end = number.end()
            if end < n and (text[end].isalnum() or text[end] in "_."):
                raise FilterSyntaxError(
                    "Malformed number: put a space after it, or quote it if it is text",
                    text,
                    i,
                )
            tokens.append(Token("number", i, end, value=_number_value(number.group())))
            i = end
            continue
        op = _lex_operator(text, i)
        if op is not None:
            tokens.append(op)
            i = op.end
            continue
        raise FilterSyntaxError(
            f"Unexpected character {ch!r}: quote values that hold it, like params.x = 'a{ch}b'",
            text,
            i,
        )
    tokens.append(Token("eof", n, n))
    return tokens


# -- vocabulary: what the words name --------------------------------------------------------
Entity = Literal["metric", "param", "tag", "attribute"]
Kind = Literal["number", "string", "id"]

PREFIXES: dict[str, Entity] = {
    "metric": "metric",
    "metrics": "metric",
    "param": "param",
    "params": "param",
    "parameter": "param",
    "parameters": "param",
    "tag": "tag",
    "tags": "tag",
    "attribute": "attribute",
    "attributes": "attribute",
    "attr": "attribute",
    "run": "attribute",
}

NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=")
STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
ID_OPS = ("=", "!=", "IN", "NOT IN")
NULL_OPS = ("IS NULL", "IS NOT NULL")
KIND_OPS: dict[Kind, tuple[str, ...]] = {
    "number": NUMERIC_OPS + NULL_OPS,
    "string": STRING_OPS + NULL_OPS,
    "id": ID_OPS + NULL_OPS,
}
RESERVED = ("AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "ASC", "DESC")


@dataclass(frozen=True)
class Schema:
    """What one search (runs or experiments) accepts: prefixes and attribute names."""

    subject: str
    prefixes: frozenset[Entity]
    # lower-cased alias -> (canonical name, kind)
    attributes: dict[str, tuple[str, Kind]]
    order_only: dict[str, tuple[str, Kind]]
    # tags that are attributes in disguise: MLflow code filters on tags.mlflow.runName
    tag_aliases: dict[str, tuple[str, Kind]]

    def canonical_names(self, order: bool) -> list[str]:
        names = {name for name, _ in self.attributes.values()}
        if order:
            names |= {name for name, _ in self.order_only.values()}
        return sorted(names)


RUN_ATTRIBUTES: dict[str, tuple[str, Kind]] = {
    "run_id": ("run_id", "string"),
    "run_uuid": ("run_id", "string"),
    "run_name": ("run_name", "string"),
    "name": ("run_name", "string"),
    "run name": ("run_name", "string"),
    "status": ("status", "string"),
    "user_id": ("user_id", "string"),
    "artifact_uri": ("artifact_uri", "string"),
    "lifecycle_stage": ("lifecycle_stage", "string"),
    "start_time": ("start_time", "number"),
    "created": ("start_time", "number"),
    "end_time": ("end_time", "number"),
    "experiment_id": ("experiment_id", "id"),
}

RUNS = Schema(
    "runs",
    frozenset(("metric", "param", "tag", "attribute")),
    RUN_ATTRIBUTES,
    {},
    {"mlflow.runName": ("run_name", "string")},
)

EXPERIMENTS = Schema(
    "experiments",
    frozenset(("tag", "attribute")),
    {
        "name": ("name", "string"),
        "creation_time": ("creation_time", "number"),
        "last_update_time": ("last_update_time", "number"),
    },
    {"experiment_id": ("experiment_id", "id")},
    {},
)


def valid_prefixes(schema: Schema) -> str:
    order: list[Entity] = ["metric", "param", "tag", "attribute"]
    names = {"metric": "metrics.", "param": "params.", "tag": "tags.", "attribute": "attributes."}
    return ", ".join(names[e] for e in order if e in schema.prefixes)


def describe_column(entity: Entity, key: str, kind: Kind) -> str:
    if entity == "attribute":
        noun = {"number": "a number (milliseconds)", "string": "a string", "id": "an id"}[kind]
        return f"{key} is {noun}"
    return {
        "metric": "Metrics are numbers",
        "param": "Params are strings",
        "tag": "Tags are strings",
    }[entity]


def example_column(entity: Entity, key: str) -> str:
    if entity == "attribute":
        return key
    prefix = {"metric": "metrics", "param": "params", "tag": "tags"}[entity]
    simple = key.replace("_", "").replace(".", "").isalnum()
    return f"{prefix}.{key}" if simple else f'{prefix}."{key}"'


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def source_text(text: str, token: Token) -> str:
    return text[token.pos : token.end].replace("'", "''")
