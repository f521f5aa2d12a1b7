"""The environment check: packages that differ from the run's are listed, never fatal."""

from __future__ import annotations

import json

import pytest

import labtrack
from labtrack.notebook.capture import ENVIRONMENT_TAG, capture_environment
from labtrack.reproduce import EnvironmentWarning, check_environment
from labtrack.reproduce.report import PackageDifference, environment_differences


def test_changed_and_missing_packages_are_listed_python_first():
    recorded = {"python": "3.9.1", "packages": {"scikit-learn": "1.3.0", "Foo_Bar": "1", "x": "2"}}
    current = {"python": "3.11.7", "packages": {"scikit-learn": "1.5.0", "foo-bar": "1", "y": "1"}}
    assert environment_differences(recorded, current) == [
        PackageDifference("python", "3.9.1", "3.11.7"),
        PackageDifference("scikit-learn", "1.3.0", "1.5.0"),
        PackageDifference("x", "2", None),
    ]
    assert str(PackageDifference("x", "2", None)) == "x 2 -> not installed"


def test_same_environment_has_no_differences():
    env = json.loads(capture_environment())
    assert environment_differences(env, env) == []


def test_check_environment_warns_about_a_runs_older_packages(workspace):
    env = json.loads(capture_environment())
    env["packages"]["scikit-learn"] = "0.0.1"
    env["packages"]["not-installed-here"] = "1.0"
    client = labtrack.TrackingClient()
    digest = client.store.put_blob("environment", json.dumps(env).encode())
    with labtrack.start_run(tags={ENVIRONMENT_TAG: digest}) as run:
        pass
    with pytest.warns(EnvironmentWarning, match="scikit-learn 0.0.1 -> ") as caught:
        diffs = check_environment(run.info.run_id)
    assert "not-installed-here 1.0 -> not installed" in str(caught[0].message)
    assert {d.name for d in diffs} == {"scikit-learn", "not-installed-here"}


def test_a_run_without_a_captured_environment_has_nothing_to_check(workspace):
    with labtrack.start_run() as run:
        pass
    assert check_environment(run.info.run_id) == []
