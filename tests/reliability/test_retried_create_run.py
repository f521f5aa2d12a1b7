"""A retried create_run whose first try was committed makes no second run, even when the
server that answers the retry does not remember the first try.

The REST store retries a request whose reply was lost, with the same request id; the server
answers a repeated id from memory, which a restart (or another replica) does not have, so the
retry used to create a second run. Here a proxy between the client and a real
``labtrack server`` drops the reply to the first ``create_run`` (after the server committed
it) and restarts the server before the client's retry gets through.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labtrack.errors import ResourceAlreadyExistsError
from labtrack.store.rest.store import RestTrackingStore
from labtrack.tracking.client import TrackingClient
from tests.mlflow_protocol.conftest import stop
from tests.mlflow_protocol.test_rest_store import Standalone, start_standalone
from tests.services import free_port


def _read_message(sock: socket.socket, buffered: bytes) -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message with a Content-Length body (all this test sends), and what was
    read past it; None when the peer closed first."""
    data = buffered
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


class DroppingProxy:
    """Forwards requests to the server; for the first one whose path contains ``target``, it
    lets the server answer, calls ``on_drop`` and closes the client's connection instead of
    passing the reply on."""

    def __init__(self, upstream_port: int, target: bytes, on_drop: Callable[[], None]) -> None:
        self.upstream_port = upstream_port
        self.target = target
        self.on_drop = on_drop
        self.dropped = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.threads: list[threading.Thread] = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        pending, answered = b"", b""
        with client:
            for _ in range(10_000):  # bounded: one connection's requests
                request = _read_message(client, pending)
                if request is None:
                    break
                message, pending = request
                if upstream is None:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                upstream.sendall(message)
                reply = _read_message(upstream, answered)
                if reply is None:
                    break
                answer, answered = reply
                first_line = message.split(b"\r\n", 1)[0]
                if self.target in first_line and not self.dropped:
                    self.dropped += 1
                    upstream.close()
                    self.on_drop()
                    return  # the reply is lost: the client sees the connection go
                client.sendall(answer)
        if upstream is not None:
            upstream.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Standalone]:
    running = start_standalone(tmp_path / "home", free_port())
    yield running
    stop(running.pid)


def test_a_retry_after_a_restart_returns_the_run_of_the_first_try(
    server: Standalone, monkeypatch: pytest.MonkeyPatch
) -> None:
    def restart() -> None:
        # The server committed the run and answered; the answer is lost with the server's
        # memory of the request id.
        stop(server.pid)
        server.pid = start_standalone(server.home, server.port).pid

    proxy = DroppingProxy(server.port, b"/store/create_run", restart)
    monkeypatch.setenv("LABTRACK_HTTP_RETRY_SECONDS", "180")
    store = RestTrackingStore(f"http://127.0.0.1:{proxy.port}/", token=server.token)
    try:
        run = store.create_run("0", "me", 1_700_000_000_000, [], "only-once")
    finally:
        store.close()
        proxy.close()

    assert proxy.dropped == 1
    runs = TrackingClient(str(server.home)).search_runs(["0"])
    assert [r.info.run_id for r in runs] == [run.info.run_id]
    assert run.info.run_name == "only-once"


def test_a_chosen_run_id_is_checked_and_never_reused_for_another_run(tmp_path: Path) -> None:
    store = TrackingClient(str(tmp_path / "home")).store
    chosen = "0123456789abcdef0123456789abcdef"
    first = store.create_run("0", "me", 1000, [], "a", run_id=chosen)
    again = store.create_run("0", "me", 1000, [], "a", run_id=chosen)
    assert again.info.run_id == first.info.run_id == chosen
    assert len(TrackingClient(str(tmp_path / "home")).search_runs(["0"])) == 1
    with pytest.raises(ResourceAlreadyExistsError, match="already exists"):
        store.create_run("0", "me", 2000, [], "b", run_id=chosen)  # not a retry of the first
    with pytest.raises(ValueError, match="32 lowercase hex"):
        store.create_run("0", "me", 1000, [], "c", run_id="../etc")
