"""System tags are cheap per run (lookups cached) yet follow what changes between runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from labtrack.tracking import context
from labtrack.utils.user import current_user


def _repo(folder: Path, commit: str) -> None:
    git = folder / ".git"
    (git / "refs" / "heads").mkdir(parents=True, exist_ok=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text(commit + "\n")


def test_the_user_follows_the_environment_between_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv("LOGNAME", "first")
    assert current_user() == "first"
    monkeypatch.setenv("LOGNAME", "second")
    assert current_user() == "second"
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(name, raising=False)
    assert current_user()  # the account's name from the user database
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-user")
    assert current_user() == "hub-user"


def test_git_state_sees_a_new_commit_and_a_new_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    _repo(one, "a" * 40)
    _repo(two, "c" * 40)
    monkeypatch.chdir(one)
    assert context.git_state() == ("a" * 40, "main")
    _repo(one, "b" * 40)  # a commit between two runs
    assert context.git_state() == ("b" * 40, "main")
    monkeypatch.chdir(two)
    assert context.git_state() == ("c" * 40, "main")
