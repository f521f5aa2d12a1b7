"""``labtrack server --permissions`` turns team mode on (``c.Labtrack.permissions``)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from labtrack.cli import cli
from labtrack.server import standalone


def test_the_flag_reaches_the_servers_config(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    class Stub:
        def __init__(self, config: Any) -> None:
            seen["config"] = config

        def initialize(self, argv: list[str]) -> None:
            pass

        def start(self) -> None:
            pass

    monkeypatch.setattr(standalone, "LabtrackServerApp", Stub)
    for args, expected in [(["--permissions"], True), ([], False)]:
        result = CliRunner().invoke(cli, ["server", "--token", "t", *args], obj={})
        assert result.exit_code == 0, result.output
        assert seen["config"].Labtrack.permissions is expected
