"""Checks on registered model names, version numbers, aliases and tags (messages say what to do).

>>> model_name("churn-classifier")
'churn-classifier'
>>> version_number("3")
3
"""

from __future__ import annotations

import re
from typing import Any

from labtrack.entities.model_registry import ModelVersionStages
from labtrack.errors import InvalidParameterError
from labtrack.utils import validation

__all__ = ["alias_name", "model_name", "path_slug", "tag_key", "tag_value", "version_number"]

MAX_NAME_LENGTH = 256
MAX_ALIAS_LENGTH = 255
MAX_DESCRIPTION_LENGTH = 50_000
# '/' would split REST paths and models:/ URIs, '@' starts an alias in models:/<name>@<alias>,
# '#', '?' and '%' are URL syntax; control characters reach no one on purpose.
_NAME_FORBIDDEN = re.compile(r"[/\\@#?%\x00-\x1f\x7f]")
_ALIAS = re.compile(r"^[A-Za-z0-9_\-]+$")
_VERSION_LIKE = re.compile(r"^[vV]?\d+$")
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def model_name(name: Any) -> str:
    """A registered model name: non-empty, no '/', '@', '#', '?', '%' or control characters."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError(
            f"A registered model name must be a non-empty string (got {name!r}); for example "
            "'churn-classifier'."
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidParameterError(
            f"The registered model name {name[:40]!r}... is {len(name)} characters long; the "
            f"limit is {MAX_NAME_LENGTH}."
        )
    if name != name.strip():
        raise InvalidParameterError(
            f"The registered model name {name!r} starts or ends with whitespace; remove it."
        )
    bad = _NAME_FORBIDDEN.search(name)
    if bad is not None or name in (".", ".."):
        shown = repr(bad.group()) if bad is not None else repr(name)
        raise InvalidParameterError(
            f"Invalid registered model name {name!r}: {shown} is not allowed (names appear in "
            "models:/<name>/<version> URIs and REST paths, so '/', '\\', '@', '#', '?', '%' "
            "and control characters are refused). Use letters, digits, spaces, '-', '_' or '.'."
        )
    return name


def version_number(version: Any) -> int:
    """A version number from ``3`` or ``"3"``."""
    if isinstance(version, bool):
        version = None
    if isinstance(version, str) and validation.is_number(version.strip()):
        version = int(version)
    if isinstance(version, int) and 0 < version <= validation.MAX_INT64:
        return version
    raise InvalidParameterError(
        f"Invalid model version {version!r}: give a version number such as 1 (or '1'), "
        f"at most {validation.MAX_INT64}."
    )


def alias_name(alias: Any) -> str:
    """An alias: letters, digits, '_' and '-'; not 'latest', a stage, or version-like ('v2')."""
    if not isinstance(alias, str) or not _ALIAS.match(alias) or len(alias) > MAX_ALIAS_LENGTH:
        raise InvalidParameterError(
            f"Invalid alias {alias!r}: an alias is 1 to {MAX_ALIAS_LENGTH} letters, digits, "
            "'_' or '-' (for example 'champion')."
        )
    if (
        alias.lower() == "latest"
        or _VERSION_LIKE.match(alias)
        or ModelVersionStages.is_stage(alias)
    ):
        raise InvalidParameterError(
            f"Invalid alias {alias!r}: 'latest', stage names ({', '.join(ModelVersionStages.ALL)})"
            " and version-like names (3, v3) already mean something in models:/ URIs; choose "
            "another alias, such as 'champion'."
        )
    return alias


def tag_key(key: Any) -> str:
    return validation.validate_key(key, "tag key")


def tag_value(key: str, value: Any) -> str:
    return validation.tag_value(key, "" if value is None else str(value))


def description(text: Any) -> str | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidParameterError(f"A description must be a string; got {type(text).__name__}.")
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise InvalidParameterError(
            f"The description is {len(text)} characters long; the limit is "
            f"{MAX_DESCRIPTION_LENGTH}."
        )
    return text


def path_slug(name: str) -> str:
    """A folder name derived from a model name (for copies under ``<root>/models/``)."""
    return _SLUG.sub("_", name).strip("._") or "model"
