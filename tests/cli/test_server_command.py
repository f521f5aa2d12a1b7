"""``labtrack server`` and ``labtrack resend`` refuse bad arguments with a message (the servers
themselves run in ``tests/mlflow_protocol/test_rest_store.py``)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from labtrack.cli import cli


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), obj={})
    return result.exit_code, result.output


def test_server_takes_a_token_or_none_not_both() -> None:
    code, out = invoke("server", "--token", "t", "--no-token")
    assert code == 2
    assert "Give --token or --no-token, not both" in out


def test_server_base_url_must_be_a_path_prefix() -> None:
    code, out = invoke("server", "--base-url", "lt")
    assert code == 2
    assert "--base-url must start and end with '/'" in out


def test_server_help_names_the_mlflow_url() -> None:
    code, out = invoke("server", "--help")
    assert code == 0
    assert "/labtrack/mlflow/" in out and "--no-token" in out


def test_resend_refuses_a_file_that_is_not_one_of_unsent_points(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text("not json\n")
    code, out = invoke("resend", str(bad))
    assert code == 1
    assert "is not a file of unsent metric points" in out
    assert bad.exists()
