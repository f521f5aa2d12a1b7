"""Stages and aliases are followed without a restart: while a client keeps sending requests,
a promotion switches the answers to the new version, and no request fails in between."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import labtrack
from tests.serving.conftest import Server, rows, serving_process, wait_for


class Loop:
    """Sends requests to ``path`` back to back on a thread; records (status, version)."""

    def __init__(self, server: Server, path: str, payload: Any) -> None:
        self.server, self.path, self.payload = server, path, payload
        self.results: list[tuple[int, str | None]] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import json

        while not self._stop.is_set():
            try:
                code, body, headers = self.server.request(
                    "POST",
                    self.path,
                    json.dumps(self.payload),
                    **{"Content-Type": "application/json"},
                )
            except OSError as err:
                self.failures.append(repr(err))
                continue
            if code != 200:
                self.failures.append(f"{code} {body}")
            self.results.append((code, headers.get("X-Labtrack-Model-Version")))

    def __enter__(self) -> Loop:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def versions(self) -> list[str | None]:
        return [v for _, v in self.results]

    def seen(self, version: str, after: int = 0) -> bool:
        return version in self.versions()[after:]


def _switches_once(versions: list[str | None], old: str, new: str) -> bool:
    """``old ... old new ... new``: one switch, no going back."""
    first_new = versions.index(new)
    return set(versions[:first_new]) == {old} and set(versions[first_new:]) == {new}


def test_promoting_a_version_switches_production_with_no_failed_request(
    fresh_two_versions: Path, diabetes: Any, tmp_path: Path
) -> None:
    args = ["--model-uri", "models:/diab/Production", "--tracking-uri", str(fresh_two_versions)]
    client = labtrack.TrackingClient(str(fresh_two_versions))
    with (
        serving_process([*args, "--poll-interval", "0.5"], tmp_path) as server,
        Loop(server, "/invocations", {"inputs": rows(diabetes, 2)}) as loop,
    ):
        wait_for(lambda: len(loop.results) >= 5, "requests before the promotion")
        client.transition_model_version_stage("diab", 2, "Production", True)
        switched_at = len(loop.results)
        wait_for(lambda: loop.seen("2", after=switched_at), "answers from version 2")
        more = len(loop.results) + 5
        wait_for(lambda: len(loop.results) >= more, "requests after the promotion")
        pid_after = server.request("GET", "/ping")[1]["pid"]

    assert loop.failures == []
    assert _switches_once(loop.versions(), "1", "2")
    assert pid_after == server.popen.pid  # no restart


def test_moving_an_alias_switches_its_route_in_a_registered_model_process(
    fresh_two_versions: Path, diabetes: Any, tmp_path: Path
) -> None:
    client = labtrack.TrackingClient(str(fresh_two_versions))
    client.set_registered_model_alias("diab", "champion", 1)
    args = ["--model-name", "diab", "--tracking-uri", str(fresh_two_versions)]
    with (
        serving_process([*args, "--poll-interval", "0.5"], tmp_path) as server,
        Loop(server, "/champion/invocations", {"inputs": rows(diabetes, 1)}) as loop,
    ):
        wait_for(lambda: len(loop.results) >= 5, "requests before the alias moves")
        client.set_registered_model_alias("diab", "champion", 2)
        moved_at = len(loop.results)
        wait_for(lambda: loop.seen("2", after=moved_at), "answers from version 2")

    assert loop.failures == []
    assert _switches_once(loop.versions(), "1", "2")


def test_a_registered_model_process_serves_every_ref(
    fresh_two_versions: Path, diabetes: Any, tmp_path: Path
) -> None:
    client = labtrack.TrackingClient(str(fresh_two_versions))
    client.set_registered_model_alias("diab", "champion", 2)
    args = ["--model-name", "diab", "--tracking-uri", str(fresh_two_versions)]
    payload = {"inputs": rows(diabetes, 1)}

    with serving_process(args, tmp_path) as server:
        answers = {
            ref: server.score(payload, f"/{ref}/invocations")
            for ref in ("1", "2", "Production", "production", "latest", "champion", "@champion")
        }
        missing = {
            ref: server.score(payload, f"/{ref}/invocations")[0]
            for ref in ("3", "Staging", "nobody")
        }
        client.transition_model_version_stage("diab", 1, "Archived")
        archived = wait_for(
            lambda: (r := server.score(payload, "/1/invocations"))[0] == 404 and r,
            "version 1 to stop being served once archived",
        )
        status = server.request("GET", "/status")[1]
        bare = server.score(payload, "/invocations")

    signs = {ref: (code, body["predictions"][0] > 0) for ref, (code, body) in answers.items()}
    assert signs == {
        "1": (200, True),
        "2": (200, False),
        "Production": (200, True),
        "production": (200, True),
        "latest": (200, False),
        "champion": (200, False),
        "@champion": (200, False),
    }
    assert missing == {"3": 404, "Staging": 404, "nobody": 404}
    assert "Archived" in archived[1]["message"]
    assert [v["version"] for v in status["versions"]] == [2]
    assert bare[0] == 404 and "/<version|stage|alias>/invocations" in bare[1]["message"]
