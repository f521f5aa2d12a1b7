"""What the schemathesis fuzz tests share: a schema from an OpenAPI description with the
generation settings every fuzz uses (a fixed seed, derandomized, bounded examples, no coverage
or stateful phase), so a run is repeatable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

__all__ = ["SEED", "fuzz_schema", "fuzz_settings"]

SEED = 20260101


def fuzz_schema(spec: dict[str, Any], max_examples: int) -> Any:
    """A schemathesis schema of ``spec`` with the shared generation settings."""
    return schemathesis.openapi.from_dict(
        spec,
        config=schemathesis.config.SchemathesisConfig.from_dict(
            {
                "seed": SEED,
                "generation": {"max-examples": max_examples, "deterministic": True},
                "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            }
        ),
    )


def fuzz_settings(max_examples: int) -> Callable[[Any], Any]:
    """hypothesis settings for a fuzz test: derandomized, no deadline, no example database."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
