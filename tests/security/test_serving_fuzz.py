"""schemathesis against the serving app (``src/labtrack/serving/openapi.yaml``): generated valid
and invalid requests to every route never get a 5xx other than the documented 503, and every
answer is what the description says.

Two real serving processes over a registered model with two versions: one serving
``models:/diab/Production`` (``/invocations`` scores), one serving every ref of ``diab``
(``/<ref>/invocations``, ``/status``), the way the Jupyter server starts them. Every case goes
to both. Examples per operation are bounded and derandomized, so a run is repeatable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import labtrack.serving
from tests.registry.conftest import diabetes  # noqa: F401 (a fixture)
from tests.security.fuzzing import fuzz_schema, fuzz_settings
from tests.serving.conftest import COLUMNS, serving_process, two_versions  # noqa: F401

pytest.importorskip("sklearn")

MAX_EXAMPLES = 25
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
SPEC = Path(labtrack.serving.__file__).parent / "openapi.yaml"


@pytest.fixture(scope="module")
def servers(two_versions: Path) -> Iterator[list[str]]:  # noqa: F811 (the imported fixture)
    """Base URLs of a one-model process and an every-ref process, stopped by PID."""
    tracking = ["--tracking-uri", str(two_versions)]
    with (
        serving_process(["--model-uri", "models:/diab/Production", *tracking], two_versions) as one,
        serving_process(["--model-name", "diab", *tracking], two_versions) as every,
    ):
        yield [f"http://127.0.0.1:{one.port}", f"http://127.0.0.1:{every.port}"]


def _with_examples(spec: dict[str, Any]) -> dict[str, Any]:
    """Refs that exist, and a valid body, as examples (so generated cases reach the model)."""
    ref = spec["paths"]["/{ref}/invocations"]["parameters"][0]
    ref["example"] = "Production"
    body = spec["components"]["schemas"]["ScoringRequest"]
    body["example"] = {"dataframe_split": {"columns": COLUMNS, "data": [[0.01] * len(COLUMNS)]}}
    return spec


schema = fuzz_schema(_with_examples(yaml.safe_load(SPEC.read_text())), MAX_EXAMPLES)


@schema.parametrize()
@fuzz_settings(MAX_EXAMPLES)
def test_every_serving_route_conforms_and_never_fails(case: Any, servers: list[str]) -> None:
    for base in servers:
        response = case.call_and_validate(base_url=base, checks=CHECKS, timeout=60)
        if response.status_code >= 500:
            # 503 is documented (a model loading or unable to load); nothing else is.
            assert response.status_code == 503, response.text
            assert response.json()["error_code"] == "TEMPORARILY_UNAVAILABLE", response.text


def test_the_description_covers_every_route() -> None:
    spec = yaml.safe_load(SPEC.read_text())
    assert set(spec["paths"]) == {
        "/invocations",
        "/{ref}/invocations",
        "/ping",
        "/health",
        "/version",
        "/status",
    }
    from openapi_spec_validator import validate

    validate(spec)
