"""Store resolution: one function decides for the kernel, the server and the CLI."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from labtrack import config
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


def test_env_first_follows_every_change_of_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = ("LABTRACK_TEST_FIRST", "MLFLOW_TEST_FIRST")
    monkeypatch.delenv(names[0], raising=False)
    monkeypatch.delenv(names[1], raising=False)
    assert config.env_first(names) is None
    monkeypatch.setenv(names[1], "mlflow's")
    assert config.env_first(names) == "mlflow's"
    os.environ[names[0]] = "ours \N{SNOWMAN}"
    assert config.env_first(names) == "ours \N{SNOWMAN}" == config.env_value("TEST_FIRST")
    os.environ[names[0]] = ""  # empty is unset, as os.environ.get's callers treated it
    assert config.env_first(names) == "mlflow's"
    del os.environ[names[0]]
    os.environb[os.fsencode(names[1])] = b"\xff"  # not UTF-8: decoded as os.environ does
    assert config.env_first(names) == os.environ[names[1]]
    with mock.patch.dict(os.environ, {names[1]: "patched"}):
        assert config.env_first(names) == "patched"
    assert config.env_first(names) == os.environ[names[1]]
