"""The REST store sends the writer's batches as packed columns; a server of an earlier version,
which reads only the JSON lists, still gets every point (once it refused the columns, the
store sends it lists from then on)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from labtrack.errors import InvalidParameterError
from labtrack.store.rest.store import RestTrackingStore

RUN = "a" * 32


class _EarlierServer(BaseHTTPRequestHandler):
    """What an earlier labtrack server answered to ``log_metric_points``: the JSON lists are
    stored, any other argument is refused as an invalid argument."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        args = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["args"]
        self.received.append(args)
        if set(args) == {"points"} and all(p[0] == RUN for p in args["points"]):
            status, body = 200, {"result": None}
        else:
            status, body = (
                400,
                {
                    "error_code": "INVALID_PARAMETER_VALUE",
                    "error_class": "InvalidParameterError",
                    "message": "Invalid arguments for log_metric_points: got an unexpected keyword "
                    f"argument {next(iter(args))!r}.",
                },
            )
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def earlier() -> Iterator[str]:
    _EarlierServer.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EarlierServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_an_earlier_server_gets_json_lists_after_refusing_columns(earlier: str) -> None:
    store = RestTrackingStore(earlier, token="t")
    try:
        first = [(RUN, "loss", 0.5, 1, 0), (RUN, "loss", float("nan"), 2, 1)]
        store.log_metric_points(first)
        store.log_metric_points([(RUN, "loss", 1.5, 3, 2)])
    finally:
        store.close()
    sent = _EarlierServer.received
    assert [next(iter(args)) for args in sent] == ["columns", "points", "points"]
    assert sent[1]["points"][0] == [RUN, "loss", 0.5, 1, 0]
    assert sent[2]["points"] == [[RUN, "loss", 1.5, 3, 2]]


def test_a_batch_refused_in_both_forms_raises_the_servers_error(earlier: str) -> None:
    store = RestTrackingStore(earlier, token="t")
    try:
        with pytest.raises(InvalidParameterError, match="unexpected keyword"):
            store.log_metric_points([("b" * 32, "loss", 0.5, 1, 0)])
    finally:
        store.close()
    # Both forms were tried; the next batch tries the columns again (the lists did not pass).
    assert [next(iter(args)) for args in _EarlierServer.received] == ["columns", "points"]
