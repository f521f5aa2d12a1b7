"""A lingering close for a connection whose request body is refused while it still arrives.

When a handler answers before the body is read (a 413 for a body over the limit), tornado
closes the connection as soon as the reply is written. The client is usually still sending:
its next bytes reach a closed socket, the server's kernel answers with a reset, and a reset
makes the client's kernel throw away what it had received and not yet handed to the program,
the reply included. So the client sees "connection reset" instead of the 413 it was sent,
now and then, depending on timing.

As web servers do (nginx's ``lingering_close``), the connection here is closed in two steps:
the write side first (the client reads the reply, then end of stream), then, after at most
``LINGER_S``, the socket itself. Meanwhile tornado keeps reading the rest of the body and
drops it (the handler has finished), so nothing the client sends is answered with a reset.
"""

from __future__ import annotations

import socket
from typing import Any

from tornado.ioloop import IOLoop

LINGER_S = 2.0  # seconds a refused body may go on arriving after the reply


def linger_on_close(connection: Any) -> None:
    """Make tornado's next ``close()`` of this HTTP/1 connection a lingering one.

    Does nothing for a connection that is not tornado's HTTP/1 one (no ``stream``)."""
    stream = getattr(connection, "stream", None)
    close = getattr(connection, "close", None)
    if stream is None or close is None or getattr(connection, "_labtrack_lingers", False):
        return
    connection._labtrack_lingers = True

    def lingering_close() -> None:
        sock = getattr(stream, "socket", None)
        if stream.closed() or sock is None:
            close()
            return
        try:
            sock.shutdown(socket.SHUT_WR)  # the reply is written: end of stream for the client
        except OSError:
            close()
            return
        IOLoop.current().call_later(LINGER_S, close)

    connection.close = lingering_close
