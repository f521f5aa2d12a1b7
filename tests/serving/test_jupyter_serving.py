"""Serving from the Jupyter server: switch it on over REST, call the authenticated endpoints
under ``labtrack/serving/``, follow a promotion, survive a killed model process, switch off."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from labtrack.server.serving.supervisor import ENABLED_TAG
from labtrack.store import close_all
from tests.server.helpers import api
from tests.serving.conftest import WAIT_S, alive, register_two_versions, rows


@pytest.fixture
def registered(labtrack_home: Path, diabetes: Any) -> Iterator[Path]:
    """``diab`` v1 (Production, positive answers) and v2 (negative) in the server's store."""
    register_two_versions(labtrack_home, diabetes)
    yield labtrack_home
    close_all()


@pytest.fixture
def supervisor(jp_web_app: Any) -> Iterator[Any]:
    sup = jp_web_app.settings["labtrack_serving"]
    yield sup
    sup.stop_all()


async def until(check: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Await ``check`` until it returns something truthy (the server shares this loop)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {WAIT_S:.0f} s")
        await asyncio.sleep(0.2)


async def invoke(jp_fetch: Any, ref: str, payload: Any, name: str = "diab") -> tuple[int, Any]:
    try:
        response = await jp_fetch(
            "labtrack",
            "serving",
            name,
            ref,
            "invocations",
            method="POST",
            body=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
    except HTTPClientError as err:
        assert err.response is not None
        return err.code, json.loads(err.response.body)
    return response.code, {
        **json.loads(response.body),
        "version": response.headers.get("X-Labtrack-Model-Version"),
    }


async def ready(jp_fetch: Any, name: str = "diab") -> Any:
    async def check() -> Any:
        code, status = await api(jp_fetch, "GET", f"registered-models/{name}/serving")
        return code == 200 and status["state"] == "ready" and status

    return await until(check, f"serving {name!r} to be ready")


async def test_enable_call_every_ref_then_disable(
    jp_fetch: Any, registered: Path, supervisor: Any, diabetes: Any
) -> None:
    await api(jp_fetch, "PUT", "registered-models/diab/aliases/champion", {"version": 2})

    code, status = await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    assert code == 200 and status["enabled"] is True and status["state"] == "starting"
    status = await ready(jp_fetch)
    # The store's URI (a password in team setups) reaches the process through its
    # environment, never its command line, which every user can read (ps).
    cmdline = Path(f"/proc/{status['pid']}/cmdline").read_bytes().decode()
    assert str(registered) not in cmdline and "--tracking-uri" not in cmdline

    payload = {"inputs": rows(diabetes, 2)}
    answers = {
        ref: await invoke(jp_fetch, ref, payload)
        for ref in ("Production", "1", "2", "latest", "champion")
    }
    assert {ref: (code, body["version"]) for ref, (code, body) in answers.items()} == {
        "Production": (200, "1"),
        "1": (200, "1"),
        "2": (200, "2"),
        "latest": (200, "2"),
        "champion": (200, "2"),
    }
    assert all(p > 0 for p in answers["Production"][1]["predictions"])
    assert [v["version"] for v in status["versions"]] == [1, 2]
    refs = {e["ref"]: e["version"] for e in status["endpoints"]}
    assert refs == {"1": 1, "2": 2, "Production": 1, "latest": 2, "champion": 2}
    assert all(
        e["url"].endswith(f"/labtrack/serving/diab/{e['ref']}/invocations")
        for e in status["endpoints"]
    )
    code, model = await api(jp_fetch, "GET", "registered-models/diab")
    assert model["tags"][ENABLED_TAG] == "true"  # survives a server restart

    pid = status["pid"]
    code, status = await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": False})
    assert code == 200 and status["enabled"] is False and status["state"] == "stopped"
    assert not alive(pid)
    code, body = await invoke(jp_fetch, "Production", payload)
    assert code == 404 and "Serving is not enabled" in body["message"]


async def test_a_killed_model_process_is_restarted(
    jp_fetch: Any, registered: Path, supervisor: Any, diabetes: Any
) -> None:
    await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    old = (await ready(jp_fetch))["pid"]

    os.kill(old, signal.SIGKILL)

    async def restarted() -> Any:
        code, status = await api(jp_fetch, "GET", "registered-models/diab/serving")
        return status["state"] == "ready" and status["pid"] != old and status

    status = await until(restarted, "the model process to come back")
    assert status["restarts"] == 1 and status["last_exit_code"] == -signal.SIGKILL
    code, body = await invoke(jp_fetch, "Production", {"inputs": rows(diabetes, 1)})
    assert code == 200 and body["version"] == "1"


async def test_a_promotion_is_followed_through_the_proxy_without_failures(
    jp_fetch: Any, registered: Path, supervisor: Any, diabetes: Any
) -> None:
    await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    await ready(jp_fetch)
    payload = {"inputs": rows(diabetes, 1)}
    seen: list[tuple[int, str | None]] = []
    for _ in range(5):
        code, body = await invoke(jp_fetch, "Production", payload)
        seen.append((code, body.get("version")))

    await api(
        jp_fetch,
        "POST",
        "registered-models/diab/versions/2/stage",
        {"stage": "Production", "archive_existing_versions": True},
    )

    async def switched() -> bool:
        code, body = await invoke(jp_fetch, "Production", payload)
        seen.append((code, body.get("version")))
        return body.get("version") == "2"

    await until(switched, "Production to answer with version 2")
    assert {code for code, _ in seen} == {200}
    versions = [v for _, v in seen]
    first_two = versions.index("2")
    assert set(versions[:first_two]) == {"1"} and set(versions[first_two:]) == {"2"}


async def test_proxy_errors_are_json(
    jp_fetch: Any, registered: Path, supervisor: Any, diabetes: Any
) -> None:
    code, body = await invoke(jp_fetch, "Production", {"inputs": rows(diabetes, 1)})
    assert code == 404 and "PUT" in body["message"]

    await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    await ready(jp_fetch)
    code, body = await invoke(jp_fetch, "Production", {"inputs": [[1, 2]]})
    assert code == 400 and "expects 10 columns" in body["message"]
    code, body = await invoke(jp_fetch, "Staging", {"inputs": rows(diabetes, 1)})
    assert code == 404 and "Staging" in body["message"]
    code, body = await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": "yes"})
    assert code == 400
    code, body = await api(jp_fetch, "GET", "registered-models/nope/serving")
    assert code == 404


async def test_deleting_a_served_model_stops_its_process(
    jp_fetch: Any, registered: Path, supervisor: Any
) -> None:
    await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    pid = (await ready(jp_fetch))["pid"]

    code, _ = await api(jp_fetch, "DELETE", "registered-models/diab")

    assert code == 204

    async def gone() -> bool:
        return not alive(pid)

    await until(gone, "the process of the deleted model to stop")
    assert "diab" not in supervisor.procs


async def test_the_proxy_reuses_its_connection_to_the_model_process(
    jp_fetch: Any, registered: Path, supervisor: Any, diabetes: Any
) -> None:
    await api(jp_fetch, "PUT", "registered-models/diab/serving", {"enabled": True})
    await ready(jp_fetch)
    pool = supervisor.target("diab").pool

    for _ in range(3):
        code, _ = await invoke(jp_fetch, "1", {"inputs": rows(diabetes, 1)})
        assert code == 200
    first = list(pool._idle)
    code, _ = await invoke(jp_fetch, "1", {"inputs": rows(diabetes, 1)})

    assert code == 200 and len(first) == 1 and pool._idle == first


@pytest.mark.parametrize(
    ("authorization", "code", "fragment"),
    [
        ("", 401, "needs a Jupyter token"),
        ("token not-the-token", 403, "token is not valid"),
    ],
)
async def test_a_missing_or_wrong_token_is_told_about_the_token_not_xsrf(
    jp_fetch: Any, registered: Path, authorization: str, code: int, fragment: str
) -> None:
    # Regression: both used to answer 403 "'_xsrf' argument missing from POST".
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(
            "labtrack",
            "serving",
            "diab",
            "Production",
            "invocations",
            method="POST",
            body=json.dumps({"inputs": [[0] * 10]}),
            headers={"Content-Type": "application/json", "Authorization": authorization},
        )
    assert info.value.code == code
    assert info.value.response is not None
    body = json.loads(info.value.response.body)
    assert fragment in body["message"] and "Authorization: token" in body["message"]
    assert "_xsrf" not in body["message"]
