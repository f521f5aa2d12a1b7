"""Model URIs: ``runs:/<run_id>/<path>`` and ``models:/<name>/<ref>`` (or ``@<alias>``).

Parsing only: resolving a URI to files needs a store (:mod:`labtrack.registry.client`) or the
fluent client (:mod:`labtrack.models.uri`).
"""

from __future__ import annotations

from labtrack.errors import InvalidParameterError
from labtrack.store.artifacts.paths import safe_artifact_path
from labtrack.utils import validation

__all__ = ["parse_models_uri", "parse_runs_uri"]


def parse_models_uri(uri: str) -> tuple[str, str]:
    """``models:/<name>/<ref>`` or ``models:/<name>@<alias>`` -> (name, ref), ``@alias`` kept.

    >>> parse_models_uri("models:/churn/Production")
    ('churn', 'Production')
    >>> parse_models_uri("models:/churn@champion")
    ('churn', '@champion')
    """
    rest = uri[len("models:") :].lstrip("/") if uri.lower().startswith("models:") else ""
    name, sep, ref = rest.partition("/")
    if not sep and "@" in rest:
        name, _, alias = rest.partition("@")
        ref = "@" + alias
    if not name or not ref or "/" in ref:
        raise InvalidParameterError(
            f"Invalid model URI {uri!r}: write models:/<name>/<version>, "
            "models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>, for "
            "example models:/churn/Production."
        )
    return name, ref


def parse_runs_uri(uri: str) -> tuple[str, str]:
    """``runs:/<run_id>/<path>`` -> (run_id, path); the path may be empty."""
    rest = uri[len("runs:") :].lstrip("/")
    run_id, _, path = rest.partition("/")
    if not run_id:
        raise InvalidParameterError(
            f"Invalid model URI {uri!r}: write runs:/<run_id>/<artifact_path>, for example "
            "runs:/0123456789abcdef0123456789abcdef/model."
        )
    return validation.run_id(run_id), safe_artifact_path(path.strip("/")) if path else ""
