"""Is a request for this server, from a page it trusts? Host and Origin checks against DNS
rebinding and cross-site requests, for servers that bind a port of their own.

A web page on ``evil.example`` can make the browser post to ``http://127.0.0.1:5000`` (a
"simple" cross-origin request), or re-point its own name at 127.0.0.1 (DNS rebinding) and
then read the answers as same-origin. Both are refused here: a server bound to the loopback
interface answers only requests whose ``Host`` names the loopback interface, and a browser's
request whose ``Origin`` is another site is refused whatever the bind address. Requests without
an ``Origin`` (curl, scripts, other servers) are not browsers' cross-site requests.

The functions take and return plain strings, so any HTTP layer can call them (the serving app
does; so can the standalone tracking server):

>>> request_refusal("127.0.0.1:5000", None, bound_host="127.0.0.1") is None
True
>>> request_refusal("evil.example:5000", None, bound_host="127.0.0.1")[:40]
"Host 'evil.example:5000' is not this ser"
>>> request_refusal("127.0.0.1:5000", "https://evil.example", bound_host="0.0.0.0")[:28]
"Origin 'https://evil.example"
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["host_name", "is_loopback", "request_refusal"]

_LOOPBACK_NAMES = ("localhost", "localhost.")


def host_name(host: str) -> str:
    """The name or address of a ``Host`` header value, without its port or IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:5000
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host  # a name, an IPv4 address, or a bare IPv6 address


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address, as :func:`host_name` gives) is this machine's
    loopback interface: ``localhost``, ``*.localhost``, ``127.0.0.0/8`` or ``::1``."""
    name = host_name(host)
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def request_refusal(host: str | None, origin: str | None, bound_host: str) -> str | None:
    """Why a request must be refused (a message for a 403), or ``None`` to serve it.

    ``host`` and ``origin`` are the request's headers (``None`` when absent); ``bound_host``
    is the address the server listens on.
    """
    if is_loopback(bound_host) and not (host and is_loopback(host)):
        return (
            f"Host {host!r} is not this server: it listens on {bound_host} only, so it answers "
            "requests for localhost or 127.0.0.1 (a page that renamed itself to this address "
            "is refused). Call it as http://127.0.0.1:<port>/..., or bind another --host."
        )
    if origin is not None:
        parts = urlsplit(origin.strip())
        same = bool(host) and parts.netloc.lower() == str(host).strip().lower()
        if not same:
            return (
                f"Origin {origin!r} is another site than this server ({host!r}): requests from "
                "web pages of other sites are refused. Call the endpoint from your own code or "
                "a server instead."
            )
    return None
