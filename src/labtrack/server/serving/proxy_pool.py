"""Keep-alive HTTP/1.1 connections from the Jupyter server to one model process.

Opening a TCP connection per proxied request (what tornado's simple client does) costs more
than the rest of the proxy together; a model endpoint is called in tight loops, so the proxy
keeps a few idle connections per process and reuses them. Responses from the serving app
always carry ``Content-Length`` (it finishes every reply in one write), which is all this
client needs to parse.
"""

from __future__ import annotations

import asyncio
import contextlib

from tornado.httputil import HTTPHeaders, parse_response_start_line
from tornado.iostream import IOStream, StreamClosedError
from tornado.tcpclient import TCPClient

__all__ = ["ProxyPool", "ProxyResponse"]

MAX_IDLE = 16
MAX_HEADER_BYTES = 65_536


class ProxyResponse:
    def __init__(self, code: int, headers: HTTPHeaders, body: bytes) -> None:
        self.code, self.headers, self.body = code, headers, body


class ProxyPool:
    """Connections to ``127.0.0.1:<port>``; :meth:`request` returns ``None`` on no answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._idle: list[IOStream] = []
        self._tcp = TCPClient()

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes, timeout: float
    ) -> ProxyResponse | None:
        # A reused connection may have been closed by the other side since: try a fresh one
        # once if nothing came back on it.
        for fresh in (False, True):
            stream = None if fresh else self._take()
            try:
                if stream is None:
                    stream = await asyncio.wait_for(
                        self._tcp.connect("127.0.0.1", self.port), timeout
                    )
                    stream.set_nodelay(True)
                response, reusable = await asyncio.wait_for(
                    self._exchange(stream, method, path, headers, body), timeout
                )
            except asyncio.TimeoutError:  # the model is slow: asking again would not help
                if stream is not None:
                    stream.close()
                return None
            except (OSError, StreamClosedError, ValueError):
                if stream is not None:
                    stream.close()
                if fresh:
                    return None
                continue
            if reusable and len(self._idle) < MAX_IDLE:
                self._idle.append(stream)
            else:
                stream.close()
            return response
        return None

    def _take(self) -> IOStream | None:
        while self._idle:
            stream = self._idle.pop()
            if not stream.closed():
                return stream
        return None

    @staticmethod
    async def _exchange(
        stream: IOStream, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[ProxyResponse, bool]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        await stream.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await stream.read_until(b"\r\n\r\n", max_bytes=MAX_HEADER_BYTES)
        first, _, rest = head.decode("latin-1").partition("\r\n")
        start = parse_response_start_line(first)
        parsed = HTTPHeaders.parse(rest)
        length = parsed.get("Content-Length")
        if length is None:  # not what the serving app sends; read it all, do not reuse
            return ProxyResponse(start.code, parsed, await stream.read_until_close()), False
        data = await stream.read_bytes(int(length)) if int(length) else b""
        keep = parsed.get("Connection", "").lower() != "close"
        return ProxyResponse(start.code, parsed, data), keep

    def close(self) -> None:
        for stream in self._idle:
            with contextlib.suppress(Exception):
                stream.close()
        self._idle.clear()
