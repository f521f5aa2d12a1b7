"""Artifact path safety: the one gate every caller-supplied artifact path passes.

Artifact paths come from notebooks, REST requests and model files, and end up joined to a store
root (a local folder or an object-store prefix). :func:`safe_artifact_path` refuses anything that
could name a place outside that root, in any of the ways path-traversal bugs in tracking servers
have been exploited: ``..`` segments, absolute paths, Windows forms (backslashes, drive letters),
``~``, NUL and other control characters, ``;`` path parameters, ``?`` queries, fsspec chaining
(``::``) and URL schemes. It checks the path after URL-decoding it again and again (so
``%252e%252e`` is caught) and after Unicode compatibility folding (so fullwidth ``．．`` is
caught).

:func:`resolve_local` adds the check only a local root needs: symlinks are resolved and a path
whose real location leaves the root is refused.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import unquote

from labtrack.errors import InvalidParameterError

__all__ = [
    "ARTIFACT_PATHS",
    "MAX_PATH_LENGTH",
    "PathKind",
    "is_within",
    "resolve_local",
    "safe_artifact_path",
    "safe_relative_path",
]

MAX_PATH_LENGTH = 4096
_MAX_DECODE_ROUNDS = 8
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Segments that Windows reads as ".." once it strips trailing dots and spaces.
_DOTS_ONLY = re.compile(r"^[. ]+$")


class PathKind(NamedTuple):
    """What a checked path names, for the error message: its noun and the rule to follow."""

    noun: str
    rule: str


ARTIFACT_PATHS = PathKind(
    "artifact path",
    "Artifact paths are relative to the run's artifact root, use '/' between folders, and may "
    "not leave the root (for example 'plots/loss.png').",
)


def _refuse(original: str, why: str, kind: PathKind = ARTIFACT_PATHS) -> InvalidParameterError:
    return InvalidParameterError(f"Invalid {kind.noun} {original!r}: {why}. {kind.rule}")


def _decoded_forms(path: str, original: str, kind: PathKind) -> list[str]:
    """The path, every URL-decoding of it until it stops changing, and their NFKC foldings."""
    forms = [path]
    current = path
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = unquote(current, errors="strict") if "%" in current else current
        if decoded == current:
            break
        forms.append(decoded)
        current = decoded
    else:
        raise _refuse(original, "it is URL-encoded too many times", kind)
    folded = [unicodedata.normalize("NFKC", form) for form in forms]
    return forms + [form for form in folded if form not in forms]


def _check(form: str, original: str, kind: PathKind) -> None:
    if _CONTROL.search(form):
        raise _refuse(original, "it contains a NUL or other control character", kind)
    if "\\" in form:
        raise _refuse(original, "backslashes are not allowed (use '/')", kind)
    if form.startswith("/"):
        raise _refuse(original, "absolute paths are not allowed", kind)
    if _SCHEME.match(form) or "://" in form:
        raise _refuse(original, "URLs, schemes and drive letters are not allowed", kind)
    if "::" in form:
        raise _refuse(original, "'::' (chained URLs) is not allowed", kind)
    if ";" in form:
        raise _refuse(original, "';' path parameters are not allowed", kind)
    if "?" in form:
        raise _refuse(original, "'?' queries are not allowed", kind)
    for segment in form.split("/"):
        if segment in ("", "."):
            continue
        if segment == ".." or _DOTS_ONLY.match(segment):
            raise _refuse(original, "'..' segments are not allowed", kind)
        if segment.startswith("~"):
            raise _refuse(original, "segments starting with '~' are not allowed", kind)
        if _DRIVE.match(segment):
            raise _refuse(original, "drive letters are not allowed", kind)


def safe_artifact_path(path: str | None) -> str:
    """Validate a caller's artifact path and return it normalised (``""`` for the root).

    Normalising drops empty and ``.`` segments and a trailing ``/``; it never decodes: a file
    literally named ``50%.txt`` keeps its name. Anything that could leave the root raises
    :class:`~labtrack.errors.InvalidParameterError`.

    >>> safe_artifact_path("plots//./loss.png")
    'plots/loss.png'
    >>> safe_artifact_path(None)
    ''
    >>> safe_artifact_path("%252e%252e/secret")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    labtrack.errors.InvalidParameterError: Invalid artifact path '%252e%252e/secret': ...
    """
    return safe_relative_path(path, ARTIFACT_PATHS)


def safe_relative_path(path: str | None, kind: PathKind) -> str:
    """:func:`safe_artifact_path`'s checks for any path below a root; errors speak of ``kind``."""
    if path is None:
        return ""
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise InvalidParameterError(
            f"Invalid {kind.noun} {path!r}: expected a string, got {type(path).__name__}."
        )
    if len(path) > MAX_PATH_LENGTH:
        raise _refuse(path[:80] + "...", f"it is longer than {MAX_PATH_LENGTH} characters", kind)
    try:
        forms = _decoded_forms(path, path, kind)
    except UnicodeDecodeError:
        raise _refuse(path, "it URL-decodes to invalid UTF-8", kind) from None
    for form in forms:
        _check(form, path, kind)
    return "/".join(segment for segment in path.split("/") if segment not in ("", "."))


def is_within(real_path: str, real_root: str) -> bool:
    """Whether ``real_path`` is ``real_root`` or inside it (both already resolved)."""
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def resolve_local(root: str, artifact_path: str) -> str:
    """The local path of ``artifact_path`` under the folder ``root``, refusing symlink escapes.

    ``artifact_path`` must already be safe (see :func:`safe_artifact_path`). Symlinks are
    resolved, including dangling ones and those on a path that does not exist yet, and the
    result must stay under the root's own real path. Returns the unresolved joined path (so a
    symlink that stays inside the root is used as a link, not replaced by its target).

    >>> resolve_local("/srv/artifacts", "a/b.txt")
    '/srv/artifacts/a/b.txt'
    """
    joined = os.path.join(root, *artifact_path.split("/")) if artifact_path else root
    real_root = os.path.realpath(root)
    real = os.path.realpath(joined)
    if not is_within(real, real_root):
        raise InvalidParameterError(
            f"Invalid artifact path {artifact_path!r}: it resolves (through a symlink) to a "
            "location outside the run's artifact root, which is refused."
        )
    return joined
