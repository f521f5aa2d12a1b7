"""Parse a JSON request body into something every later step can handle, or refuse it.

``json.loads`` accepts two things that fail much later, as server errors, far from the cause:
documents nested deeper than Python's recursion limit (a ``RecursionError`` while parsing, or
later while validating, copying or serializing them) and ``\\ud800``-style escapes of lone
UTF-16 surrogates (text that cannot be encoded as UTF-8, so the database, the log and the
response all fail on it). Both are refused here, once, with a message that says what to send.
"""

from __future__ import annotations

import json
import re
from typing import Any

from labtrack.errors import InvalidParameterError

__all__ = ["MAX_JSON_DEPTH", "check_json_value", "parse_json"]

# Deeper than any body labtrack takes (notebook metadata included), shallow enough that
# validating, copying and serializing it stays far from the recursion limit.
MAX_JSON_DEPTH = 100
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _path(parts: list[str | int]) -> str:
    return "".join(f"[{p!r}]" for p in parts) or "the body"


def check_json_value(value: Any, what: str = "The request body", *, text: bool = True) -> Any:
    """``value`` itself if it is no deeper than :data:`MAX_JSON_DEPTH` and all its text
    (keys included) is valid Unicode; :class:`InvalidParameterError` otherwise.

    Iterative, so a value of any depth is checked without recursing. ``text=False`` skips
    the Unicode check (for a value parsed from JSON text with no surrogate escapes).

    >>> check_json_value({"a": ["b"]})
    {'a': ['b']}
    """
    stack: list[tuple[Any, int, list[str | int]]] = [(value, 0, [])]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, str):
            if text:
                _check_text(item, what, where)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidParameterError(
                    f"{what} is nested more than {MAX_JSON_DEPTH} levels deep (at "
                    f"{_path(where[:3])}...); flatten it."
                )
            if isinstance(item, dict):
                for key, child in item.items():
                    if text:
                        _check_text(key, what, where)
                    if text or isinstance(child, (dict, list)):
                        stack.append((child, depth + 1, [*where, key]))
            elif text:
                stack.extend((child, depth + 1, [*where, i]) for i, child in enumerate(item))
            else:  # only containers can be too deep: scalars (most of a big body) are skipped
                stack.extend(
                    (child, depth + 1, [*where, i])
                    for i, child in enumerate(item)
                    if isinstance(child, (dict, list))
                )
    return value


def _check_text(text: str, what: str, where: list[str | int]) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InvalidParameterError(
            f"{what} has a lone UTF-16 surrogate ({text[err.start]!r}) at {_path(where)}: "
            "send valid Unicode text (a \\ud83d escape needs its low half, like \\ud83d\\ude00)."
        ) from None


def parse_json(raw: bytes | str, what: str = "The request body", *, walk: bool = True) -> Any:
    """The JSON document in ``raw``, checked by :func:`check_json_value`.

    ``walk=False`` is for a caller that checks the type of every value itself (a flat list of
    scalars, say): the depth walk is skipped, the Unicode check is not.

    >>> parse_json(b'{"a": 1}')
    {'a': 1}
    """
    try:
        value = json_loads(raw)
    except RecursionError:
        raise InvalidParameterError(
            f"{what} is nested more than {MAX_JSON_DEPTH} levels deep; flatten it."
        ) from None
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidParameterError(f"{what} is not valid JSON: {err}") from None
    # Strictly decoded UTF-8 holds no surrogates: only a \uD800-\uDFFF escape can make one,
    # so without such an escape the (costly) walk over every string is skipped.
    text = isinstance(raw, str) or _SURROGATE_ESCAPE.search(raw) is not None
    if not walk and not text:
        return value
    return check_json_value(value, what, text=text)


def json_loads(raw: bytes | str) -> Any:
    """``json.loads``; bytes must be UTF-8 (``json.loads`` alone lets encoded surrogates in)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return json.loads(text)
