"""Checks on keys, values and ids, with messages that say what to do (MLflow's rules)."""

from __future__ import annotations

import math
import numbers
import posixpath
import re
from typing import Any

from labtrack.errors import InvalidParameterError

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_EXPERIMENT_NAME_LENGTH = 500
MAX_RUN_NAME_LENGTH = 250
MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_BATCH_TAGS = 100
MAX_BATCH_TOTAL = 1000
# The largest integer SQLite and PostgreSQL store (a signed 64-bit BIGINT): ids, versions,
# steps, timestamps and page offsets past it are refused here instead of overflowing in SQL.
MAX_INT64 = 2**63 - 1

_KEY_RE = re.compile(r"^[/\w.\- :]*$")
_RUN_ID_RE = re.compile(r"^[a-zA-Z0-9][\w\-]{0,255}$")
# Keys already seen valid: log_metric in a training loop checks each key once.
_valid_keys: set[str] = set()


def _bad_path(key: str) -> bool:
    norm = posixpath.normpath(key)
    return norm != key or norm == "." or norm.startswith("..") or norm.startswith("/")


def validate_key(key: Any, what: str = "key") -> str:
    if key in _valid_keys:
        return key  # type: ignore[no-any-return]
    if not isinstance(key, str):
        raise InvalidParameterError(
            f"The {what} {key!r} is a {type(key).__name__}; {what}s must be strings."
        )
    if not key:
        raise InvalidParameterError(f"The {what} is empty; give it a name.")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidParameterError(
            f"The {what} {key[:40]!r}... has {len(key)} characters; "
            f"the limit is {MAX_KEY_LENGTH}. Use a shorter name."
        )
    if not _KEY_RE.match(key):
        raise InvalidParameterError(
            f"Invalid {what} {key!r}: names may contain only letters, digits, "
            "underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/)."
        )
    if _bad_path(key):
        raise InvalidParameterError(
            f"Invalid {what} {key!r}: it would be read as a path that is not normalized "
            "(no leading '/', no '.' or '..' segments, no '//'). Rename it."
        )
    if len(_valid_keys) < 100_000:
        _valid_keys.add(key)
    return key


def _check_text(value: str, what: str, key: str, limit: int) -> str:
    if "\x00" in value:
        raise InvalidParameterError(f"The {what} for {key!r} contains a NUL character; remove it.")
    if len(value) > limit:
        raise InvalidParameterError(
            f"The {what} for {key!r} has {len(value)} characters; the limit is {limit}. "
            "Log long text as an artifact instead (log_text)."
        )
    return value


def param_value(key: str, value: Any) -> str:
    return _check_text(str(value), "param value", key, MAX_PARAM_VALUE_LENGTH)


def tag_value(key: str, value: Any) -> str:
    return _check_text(str(value), "tag value", key, MAX_TAG_VALUE_LENGTH)


def metric_value(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        try:
            # numpy scalars, 0-d arrays, Decimal and similar all convert.
            if isinstance(value, (str, bytes, bool)):
                raise TypeError
            return float(value)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"The value {value!r} for metric {key!r} is a {type(value).__name__}; "
                "metric values must be numbers (int or float). Log text as a param or tag."
            ) from None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise InvalidParameterError(
            f"The value {value!r} for metric {key!r} cannot be stored as a float."
        ) from None


def int64(value: int, what: str) -> int:
    """``value`` if a 64-bit database integer holds it; a clear error otherwise."""
    if not -MAX_INT64 - 1 <= value <= MAX_INT64:
        raise InvalidParameterError(
            f"The {what} {value} is out of range: it must be between {-MAX_INT64 - 1} and "
            f"{MAX_INT64} (a 64-bit integer)."
        )
    return value


def step_value(key: str, step: Any) -> int:
    if step is None:
        return 0
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        if isinstance(step, float) and step.is_integer():
            return int64(int(step), f"step for metric {key!r}")
        raise InvalidParameterError(f"The step {step!r} for metric {key!r} must be an integer.")
    return int64(int(step), f"step for metric {key!r}")


def timestamp_value(key: str, timestamp: Any) -> int:
    if isinstance(timestamp, bool) or not isinstance(timestamp, numbers.Real):
        raise InvalidParameterError(
            f"The timestamp {timestamp!r} for metric {key!r} must be an integer "
            "(milliseconds since the epoch)."
        )
    if isinstance(timestamp, float) and not math.isfinite(timestamp):
        raise InvalidParameterError(f"The timestamp for metric {key!r} must be finite.")
    return int64(int(float(timestamp)), f"timestamp for metric {key!r}")


def run_id(value: Any) -> str:
    if not isinstance(value, str) or not _RUN_ID_RE.match(value):
        raise InvalidParameterError(
            f"Invalid run id {value!r}: a run id is the 32-character hex string that "
            "start_run / create_run returned (run.info.run_id)."
        )
    return value


def is_number(text: str) -> bool:
    """Only ASCII digits: ``str.isdigit`` also takes ``"¹"`` and ``"٣"``, which ``int`` refuses
    or reads as another number."""
    return text.isascii() and text.isdigit()


def experiment_id(value: Any) -> str:
    """Accept an experiment id as int or str; return the canonical string."""
    if isinstance(value, bool):
        raise InvalidParameterError(f"Invalid experiment id {value!r}.")
    if isinstance(value, int) and 0 <= value <= MAX_INT64:
        return str(value)
    if isinstance(value, str) and is_number(value.strip()) and int(value.strip()) <= MAX_INT64:
        return str(int(value.strip()))
    raise InvalidParameterError(
        f"Invalid experiment id {value!r}: experiment ids are non-negative integers "
        "(as int or str, like 0 or '12'). To pick an experiment by name use "
        "set_experiment(name) or get_experiment_by_name(name)."
    )


def experiment_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError(
            f"Invalid experiment name {name!r}: give a non-empty string, like 'my-experiment' "
            "or '/Team/project/'."
        )
    if len(name) > MAX_EXPERIMENT_NAME_LENGTH or "\x00" in name:
        raise InvalidParameterError(
            f"Invalid experiment name: at most {MAX_EXPERIMENT_NAME_LENGTH} characters, "
            "no NUL characters."
        )
    return name


def run_name(name: Any) -> str:
    if not isinstance(name, str):
        raise InvalidParameterError(f"The run name {name!r} must be a string.")
    return _check_text(name, "run name", "run", MAX_RUN_NAME_LENGTH)


def batch_sizes(n_metrics: int, n_params: int, n_tags: int) -> None:
    total = n_metrics + n_params + n_tags
    if (
        n_metrics > MAX_BATCH_METRICS
        or n_params > MAX_BATCH_PARAMS
        or n_tags > MAX_BATCH_TAGS
        or total > MAX_BATCH_TOTAL
    ):
        raise InvalidParameterError(
            f"A batch may hold at most {MAX_BATCH_METRICS} metrics, {MAX_BATCH_PARAMS} params "
            f"and {MAX_BATCH_TAGS} tags ({MAX_BATCH_TOTAL} in all); got {n_metrics}, "
            f"{n_params} and {n_tags}. Split it into several log_batch calls."
        )
