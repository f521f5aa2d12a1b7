"""Store resolution: one function decides for the kernel, the server and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtrack.config import resolve
from labtrack.errors import InvalidParameterError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    for var in ("LABTRACK_TRACKING_URI", "LABTRACK_ARTIFACT_ROOT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LABTRACK_HOME", str(tmp_path / "home"))


def test_default_is_labtrack_home(tmp_path):
    loc = resolve()
    home = (tmp_path / "home").resolve()
    assert loc.tracking_uri == f"sqlite:///{home / 'labtrack.db'}"
    assert loc.artifact_root == str(home / "artifacts")
    assert loc.is_sqlite


def test_environment_overrides_default(monkeypatch, tmp_path):
    monkeypatch.setenv("LABTRACK_TRACKING_URI", str(tmp_path / "team"))
    monkeypatch.setenv("LABTRACK_ARTIFACT_ROOT", "s3://bucket/prefix")
    loc = resolve()
    assert loc.tracking_uri.endswith("team/labtrack.db")
    assert loc.artifact_root == "s3://bucket/prefix"


def test_explicit_argument_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LABTRACK_TRACKING_URI", str(tmp_path / "env"))
    assert resolve(str(tmp_path / "arg")).tracking_uri.endswith("arg/labtrack.db")


def test_relative_sqlite_file_is_made_absolute(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    loc = resolve("sqlite:///mlflow.db")
    assert loc.tracking_uri == f"sqlite:///{tmp_path.resolve() / 'mlflow.db'}"
    assert loc.artifact_root == str(tmp_path.resolve() / "artifacts")


def test_postgres_urls_get_the_psycopg_driver():
    assert resolve("postgresql://u@h/db").tracking_uri == "postgresql+psycopg://u@h/db"
    assert resolve("postgres://u@h/db").tracking_uri == "postgresql+psycopg://u@h/db"
    loc = resolve("postgresql+psycopg://u@h/db")
    assert loc.artifact_root.endswith("artifacts")


def test_file_uri_is_a_home_folder(tmp_path):
    assert (
        resolve(f"file://{tmp_path}/x").tracking_uri
        == f"sqlite:///{tmp_path.resolve()}/x/labtrack.db"
    )


@pytest.mark.parametrize(
    "uri",
    ["ftp://127.0.0.1/runs", "databricks://x", "databricks", "databricks-uc", "mysql://u@h/d"],
)
def test_unsupported_schemes_say_what_works(uri):
    with pytest.raises(InvalidParameterError, match="postgresql"):
        resolve(uri)


def test_the_server_and_kernel_agree(tmp_path):
    # Same inputs, same answer: there is one function, so this pins its determinism.
    assert resolve(str(tmp_path / "x")) == resolve(str(Path(tmp_path) / "x"))
