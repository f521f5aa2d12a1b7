"""Request bodies are limited while they arrive, not once they are in memory.

A huge declared ``Content-Length`` is a 413 before the body is read (it used to be read into
memory first, up to the server's 512 MB, then a bare 400 or a 400 from the handler); a chunked
body that never ends is cut off with a 413; the artifact upload routes, which stream to disk,
take more than the 20 MB of a JSON body.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

HUGE = 50 * 1024**3  # far past Jupyter's own 512 MB cap
PAST_THE_DRAIN = 100 * 1024 * 1024  # under Jupyter's cap: the old server waited for it


def rss_bytes() -> int:
    """This process's resident memory (the Jupyter server under test runs in it)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


async def _open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


def _head(path: str, token: str, length: str | None, chunked: bool = False) -> bytes:
    lines = [
        f"POST /a%40b/{path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: token {token}",
        "Content-Type: application/json",
    ]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _reply(reader: asyncio.StreamReader) -> tuple[int, dict[str, Any]]:
    """Status and JSON body of one reply, read as it arrives: a client still sending when the
    server closes gets a reset, and asyncio then drops what it had not handed out yet."""
    raw = b""
    while True:
        head, _, body = raw.partition(b"\r\n\r\n")
        length = [
            int(line.split(b":", 1)[1])
            for line in head.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        ]
        if length and len(body) >= length[0]:
            break
        try:
            chunk = await asyncio.wait_for(reader.read(65536), timeout=120)
        except ConnectionError:
            break
        if not chunk:
            break
        raw += chunk
    assert head, "the server closed the connection without a reply"
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.strip().startswith(b"{") else {"raw": body}


def _token(jp_auth_header: dict[str, str]) -> str:
    return jp_auth_header["Authorization"].split(" ", 1)[1]


async def test_a_huge_declared_body_is_refused_before_it_is_read(
    jp_fetch: Any, jp_http_port: int, jp_auth_header: dict[str, str], labtrack_home: Any
) -> None:
    for length in (HUGE, PAST_THE_DRAIN):
        reader, writer = await _open(jp_http_port)
        # Only the headers: the body never comes, so a server that waited for it would not
        # answer at all.
        writer.write(_head("labtrack/api/experiments", _token(jp_auth_header), str(length)))
        await writer.drain()
        status, body = await _reply(reader)
        writer.close()

        assert status == 413, body
        assert body["error_code"] == "REQUEST_TOO_LARGE"
        assert "larger than 20 MB" in body["message"] and "Send less" in body["message"]


async def test_every_kind_of_body_route_refuses_a_huge_declared_body(
    jp_fetch: Any, jp_http_port: int, jp_auth_header: dict[str, str], labtrack_home: Any
) -> None:
    routes = {
        "labtrack/api/store/create_experiment": (413, "REQUEST_TOO_LARGE"),  # the store RPC
        "labtrack/serving/m/1/invocations": (413, "REQUEST_TOO_LARGE"),  # a model endpoint
        # MLflow's protocol answers in MLflow's codes, which have no 413.
        "labtrack/mlflow/api/2.0/mlflow/runs/log-batch": (400, "INVALID_PARAMETER_VALUE"),
        "labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts/0/a.bin": (
            400,
            "INVALID_PARAMETER_VALUE",
        ),
    }
    for route, (code, error_code) in routes.items():
        reader, writer = await _open(jp_http_port)
        # Past even the artifact uploads' 100 GB for the last one.
        length = HUGE if "artifacts" not in route else 500 * 1024**3
        head = _head(route, _token(jp_auth_header), str(length))
        if "artifacts" in route:
            head = head.replace(b"POST ", b"PUT ", 1)
        writer.write(head)
        await writer.drain()
        status, body = await _reply(reader)
        writer.close()

        assert (status, body["error_code"]) == (code, error_code), (route, body)
        assert "larger than" in body["message"], (route, body)


async def test_an_endless_chunked_body_is_cut_off_without_being_kept(
    jp_fetch: Any, jp_http_port: int, jp_auth_header: dict[str, str], labtrack_home: Any
) -> None:
    reader, writer = await _open(jp_http_port)
    writer.write(_head("labtrack/api/experiments", _token(jp_auth_header), None, chunked=True))
    chunk = b" " * (1024 * 1024)
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    before = rss_bytes()
    reply = asyncio.ensure_future(_reply(reader))
    sent = 0
    # Bounded: Jupyter's own cap (512 MB, all of it in memory) would have ended this too.
    while not reply.done() and sent < 600:
        try:
            writer.write(framed)
            await writer.drain()
        except ConnectionError:
            break
        sent += 1
    status, body = await reply
    grown = rss_bytes() - before
    writer.close()

    assert status == 413 and body["error_code"] == "REQUEST_TOO_LARGE", body
    # Refused once the body passed the limit and its allowance (20 + 64 MB), not at 512 MB;
    # and what was read was dropped, not kept (the old server held all of it).
    assert sent < 200, sent
    assert grown < 100 * 1024 * 1024, grown


async def test_an_artifact_upload_may_be_larger_than_a_json_body(
    jp_fetch: Any, labtrack_home: Any
) -> None:
    data = b"\x00\x01" * (12 * 1024 * 1024)  # 24 MB, streamed to disk
    route = ("labtrack", "mlflow", "api", "2.0", "mlflow-artifacts", "artifacts", "0", "big.bin")
    response = await jp_fetch(
        *route,
        method="PUT",
        body=data,
        headers={"Content-Type": "application/octet-stream"},
        request_timeout=300,
    )
    assert response.code == 200
    back = await jp_fetch(*route, request_timeout=300)
    assert back.body == data
