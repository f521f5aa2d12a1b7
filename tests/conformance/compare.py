"""Field-by-field comparison of two normalized records: what MLflow stored vs what labtrack did.

The answer is a list of differences, each a path into the record and both values, first
difference first, so a report line can say exactly what differs
(``runs[0].params.alpha: mlflow='0.5' labtrack='0.50'``). Floats compare with a small
relative tolerance: the same scikit-learn fit gives the same number, but a tool may round-trip
a value through a database column or JSON.

A section the reader could not read under one tool (``reader_error``, or an API a tool does
not have, ``absent``) only counts as a difference when the other tool has something in it:
a snippet that logs no model says nothing about ``search_logged_models``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

REL_TOL = 1e-6
ABS_TOL = 1e-9
# Sections compared, in the order a reader of the report cares about them.
SECTIONS = (
    "error",
    "reader",
    "results",
    "experiments",
    "runs",
    "registered_models",
    "logged_models",
)


@dataclass(frozen=True)
class Difference:
    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.path}: mlflow={_short(self.expected)} labtrack={_short(self.actual)}"


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unreadable(value: Any) -> bool:
    return isinstance(value, dict) and ("reader_error" in value or "absent" in value)


def _empty(value: Any) -> bool:
    return value in (None, [], {}) or _unreadable(value)


def _same_number(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return False


def _scalars(items: list[Any]) -> bool:
    return all(isinstance(i, str | int | float | bool) or i is None for i in items)


def _list_difference(path: str, expected: list[Any], actual: list[Any]) -> Difference:
    """Lists of plain values (artifact paths, printed names) as one difference, not one per index.

    Same items in another order is an order difference (search results are ordered); otherwise
    the difference shows only what each side has that the other lacks.
    """
    if sorted(map(repr, expected)) == sorted(map(repr, actual)):
        return Difference(f"{path} (order)", expected, actual)
    only_e = [i for i in expected if i not in actual]
    only_a = [i for i in actual if i not in expected]
    if not only_e and not only_a:  # duplicates differ
        return Difference(path, expected, actual)
    return Difference(f"{path} (only in each)", only_e, only_a)


def diff(expected: Any, actual: Any, path: str = "") -> list[Difference]:
    """Every place where ``actual`` differs from ``expected``, depth first, in key order."""
    if isinstance(expected, bool) != isinstance(actual, bool):  # True == 1 in Python, not JSON
        return [Difference(path, expected, actual)]
    if _same_number(expected, actual) or expected == actual:
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[Difference] = []
        for key in sorted(set(expected) | set(actual), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(Difference(sub, expected[key], "<missing>"))
            elif key not in expected:
                out.append(Difference(sub, "<missing>", actual[key]))
            else:
                out.extend(diff(expected[key], actual[key], sub))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if _scalars(expected) and _scalars(actual):
            if len(expected) == len(actual) and not any(
                diff(e, a) for e, a in zip(expected, actual, strict=True)
            ):
                return []  # equal within the float tolerance
            return [_list_difference(path, expected, actual)]
        out = []
        if len(expected) != len(actual):
            out.append(Difference(f"{path}.length", len(expected), len(actual)))
        for index, (e, a) in enumerate(zip(expected, actual, strict=False)):
            out.extend(diff(e, a, f"{path}[{index}]"))
        return out
    return [Difference(path, expected, actual)]


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[Difference]:
    """The differences between MLflow's record (``expected``) and labtrack's (``actual``)."""
    out: list[Difference] = []
    for section in SECTIONS:
        e, a = expected.get(section), actual.get(section)
        if _empty(e) and _empty(a):
            continue
        if _unreadable(e) or _unreadable(a):
            out.append(Difference(section, e, a))
            continue
        if section == "results" and isinstance(e, list) and isinstance(a, list):
            # Each printed RESULT line is its own value: compare them line by line.
            if len(e) != len(a):
                out.append(Difference("results.length", len(e), len(a)))
            for index, (one, other) in enumerate(zip(e, a, strict=False)):
                out.extend(diff(one, other, f"results[{index}]"))
            continue
        out.extend(diff(e, a, section))
    return out
