"""Reading an MLflow request's fields the way MLflow's server reads them.

MLflow clients send a protobuf message as JSON (POST, PATCH, PUT and DELETE bodies) or as a
query string (GET, and DELETE without a body): snake_case names, int64 values as numbers or
numeric strings, doubles as numbers or ``"NaN"`` / ``"Infinity"`` / ``"-Infinity"``, enums by
name (or number), repeated fields as JSON lists or repeated query keys. Unknown fields are
ignored, as protobuf's parser does. Every malformed or missing field is an
``InvalidParameterError`` (400 ``INVALID_PARAMETER_VALUE``) naming the field.

>>> Fields({"run_id": "ab", "step": "7"}).int64("step")
7
>>> Fields(query={"run_ids": ["a", "b"]}).strings("run_ids")
['a', 'b']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from labtrack.errors import InvalidParameterError

__all__ = ["Fields", "missing"]

_INT64 = (-(2**63), 2**63 - 1)
_SPECIAL_DOUBLES = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def missing(name: str) -> InvalidParameterError:
    """MLflow's error for a required field that was not sent."""
    return InvalidParameterError(
        f"Missing value for required parameter '{name}'. See MLflow's REST API reference "
        "for the request's fields."
    )


def _invalid(name: str, value: Any, expected: str) -> InvalidParameterError:
    shown = repr(value) if len(repr(value)) <= 200 else repr(value)[:200] + "..."
    return InvalidParameterError(
        f"Invalid value {shown} for parameter '{name}': expected {expected}."
    )


class Fields:
    """The fields of one request: a JSON object (``data``) or query arguments (``query``)."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        query: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._data: Mapping[str, Any] = data or {}
        self._query = query

    def _raw(self, name: str) -> Any:
        """The field's value, ``None`` when absent (a query's last value for scalars)."""
        if self._query is not None:
            values = self._query.get(name)
            return values[-1] if values else None
        return self._data.get(name)

    def raw(self, name: str) -> Any:
        """The field as sent (JSON bodies: any JSON value), ``None`` when absent."""
        return self._raw(name)

    def has(self, name: str) -> bool:
        """Whether the request sent the field at all (MLflow's ``HasField``)."""
        return self._raw(name) is not None

    # -- scalars -----------------------------------------------------------------------------
    def string(self, name: str, required: bool = False) -> str | None:
        value = self._raw(name)
        if value is None:
            if required:
                raise missing(name)
            return None
        if not isinstance(value, str):
            raise _invalid(name, value, "a string")
        if required and value == "":
            raise missing(name)
        return value

    def required_string(self, name: str) -> str:
        value = self.string(name, required=True)
        assert value is not None
        return value

    def run_id(self) -> str:
        """``run_id``, or the legacy ``run_uuid`` that clients still send beside it."""
        value = self.string("run_id") or self.string("run_uuid")
        if not value:
            raise missing("run_id")
        return value

    def int64(self, name: str, default: int | None = None, required: bool = False) -> int | None:
        value = self._raw(name)
        if value is None:
            if required:
                raise missing(name)
            return default
        if isinstance(value, bool):
            raise _invalid(name, value, "an integer")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            text = value.strip()
            digits = text[1:] if text[:1] in "+-" else text
            if not (digits.isascii() and digits.isdigit()):
                raise _invalid(name, value, "an integer")
            value = int(text)
        if not isinstance(value, int):
            raise _invalid(name, value, "an integer")
        if not _INT64[0] <= value <= _INT64[1]:
            raise _invalid(name, value, "a 64-bit integer")
        return value

    def required_int64(self, name: str) -> int:
        value = self.int64(name, required=True)
        assert value is not None
        return value

    def double(self, name: str, required: bool = False) -> float | None:
        value = self._raw(name)
        if value is None:
            if required:
                raise missing(name)
            return None
        return self.to_double(name, value)

    @staticmethod
    def to_double(name: str, value: Any) -> float:
        """A JSON double: a number, a numeric string, or NaN / Infinity / -Infinity."""
        if isinstance(value, bool):
            raise _invalid(name, value, "a number")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            special = _SPECIAL_DOUBLES.get(value)
            if special is not None:
                return special
            try:
                return float(value)
            except ValueError:
                pass
        raise _invalid(name, value, 'a number (or "NaN", "Infinity", "-Infinity")')

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _invalid(name, value, "true or false")

    def enum(self, name: str, names: Sequence[str], default: str | None = None) -> str | None:
        """An enum by name, or by its number (1 is the first name, as in MLflow's protos)."""
        value = self._raw(name)
        if value is None:
            return default
        if isinstance(value, str) and value in names:
            return value
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.isascii() and value.isdigit():
            number = int(value)
        if number is not None and 1 <= number <= len(names):
            return names[number - 1]
        raise _invalid(name, value, "one of " + ", ".join(names))

    # -- repeated fields ---------------------------------------------------------------------
    def strings(self, name: str) -> list[str]:
        if self._query is not None:
            return list(self._query.get(name, []))
        value = self._data.get(name)
        if value is None:
            return []
        if isinstance(value, str):  # protobuf's parser refuses it; be as strict
            raise _invalid(name, value, "a list of strings")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _invalid(name, value, "a list of strings")
        return value

    def messages(self, name: str) -> list[Fields]:
        """A repeated message field (JSON bodies only): one ``Fields`` per element."""
        value = None if self._query is not None else self._data.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _invalid(name, value, "a list of objects")
        return [Fields(item) for item in value]

    def key_values(self, name: str) -> list[tuple[str, str]]:
        """A repeated ``{key, value}`` field (tags, params) as pairs; a missing value is ''."""
        out = []
        for item in self.messages(name):
            key = item.required_string("key")
            out.append((key, item.string("value") or ""))
        return out
