"""MLflow code that reaches for a part labtrack lacks gets an error that says what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import labtrack as mlflow
from labtrack.utils.not_in_labtrack import MESSAGES

DOC = Path(__file__).resolve().parents[2] / "docs" / "mlflow-compatibility.md"


def test_a_missing_flavor_names_mlflows_module_and_the_way_round_it():
    with pytest.raises(AttributeError) as caught:
        mlflow.pytorch.log_model  # noqa: B018
    message = str(caught.value)
    assert "mlflow.pytorch" in message
    assert "labtrack.pyfunc.PythonModel" in message
    assert "docs/mlflow-compatibility.md" in message


def test_hasattr_and_getattr_default_still_answer_plainly():
    assert not hasattr(mlflow, "spark")
    assert getattr(mlflow, "start_span", None) is None
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        mlflow.no_such_name  # noqa: B018


@pytest.mark.parametrize("name", ["spark", "search_traces", "projects", "deployments", "login"])
def test_each_kind_of_missing_part_has_its_own_advice(name: str):
    with pytest.raises(AttributeError) as caught:
        getattr(mlflow, name)
    assert str(caught.value).startswith(MESSAGES[name].format(name=name)[:40])
    assert "has no attribute" not in str(caught.value)


def test_every_name_is_in_the_compatibility_page():
    text = DOC.read_text()
    assert all(f"`{name}`" in text or f"mlflow.{name}" in text for name in MESSAGES), [
        name for name in MESSAGES if f"`{name}`" not in text and f"mlflow.{name}" not in text
    ]


def test_a_miss_does_not_make_import_labtrack_heavier():
    code = "import sys, labtrack\nhasattr(labtrack, 'pytorch')\nprint('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
