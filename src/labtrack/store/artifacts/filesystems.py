"""Where an artifact root lives, and the fsspec filesystem that reaches it.

A root is a local folder (an absolute path or a ``file:`` URL), any fsspec URL
(``s3://bucket/prefix``), or a labtrack server's artifact proxy (``http(s)://...``, the runs of a
REST store; read by :mod:`labtrack.store.rest.artifacts`). fsspec and its backends are imported
only when a non-local root is used, so ``import labtrack`` stays light; filesystems are created
once per (protocol, options).

S3-compatible servers (MinIO, moto, Ceph ...) are reached by setting the endpoint in the
environment, first match wins:

- ``LABTRACK_S3_ENDPOINT_URL`` (labtrack's own),
- ``AWS_ENDPOINT_URL_S3``, then ``AWS_ENDPOINT_URL`` (the standard AWS names).

It is passed to s3fs as ``client_kwargs={"endpoint_url": ...}``. Credentials and region come
from the usual AWS sources (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, profiles ...).

Example, in a shell: ``LABTRACK_S3_ENDPOINT_URL=http://127.0.0.1:9000 jupyter lab``, then
``mlflow.log_artifact("model.pkl")`` under an ``s3://bucket/prefix`` artifact root writes there.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from labtrack.errors import InvalidParameterError

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = [
    "S3_ENDPOINT_ENV_VARS",
    "RootLocation",
    "clear_filesystem_cache",
    "get_filesystem",
    "parse_root",
    "s3_endpoint_url",
    "storage_options",
]

S3_ENDPOINT_ENV_VARS = ("LABTRACK_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

_cache: dict[tuple[str, str, int], AbstractFileSystem] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class RootLocation:
    """A parsed artifact root: ``protocol`` is ``"file"`` for local folders; ``path`` is the
    local absolute path or the fsspec path without its protocol."""

    protocol: str
    path: str
    uri: str

    @property
    def is_local(self) -> bool:
        return self.protocol == "file"


def s3_endpoint_url() -> str | None:
    """The S3 endpoint from the environment (see the module docstring), or ``None``."""
    for name in S3_ENDPOINT_ENV_VARS:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def storage_options(protocol: str) -> dict[str, Any]:
    """Options labtrack passes when it creates a filesystem for ``protocol``."""
    if protocol not in ("s3", "s3a"):
        return {}
    # Listings are not cached: a kernel and the server write the same prefixes concurrently.
    options: dict[str, Any] = {"use_listings_cache": False}
    endpoint = s3_endpoint_url()
    if endpoint:
        options["client_kwargs"] = {"endpoint_url": endpoint}
    return options


def parse_root(root_uri: str | os.PathLike[str]) -> RootLocation:
    """Split an artifact root into protocol and path.

    >>> parse_root("/srv/lt/artifacts/0/abc/artifacts").path
    '/srv/lt/artifacts/0/abc/artifacts'
    >>> parse_root("file:///srv/a%20b").path
    '/srv/a b'
    >>> parse_root("s3://bucket/prefix/").path
    'bucket/prefix'
    """
    uri = os.fspath(root_uri)
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidParameterError(f"Invalid artifact root {root_uri!r}: expected a path or URL.")
    if "\x00" in uri:
        raise InvalidParameterError(f"Invalid artifact root {uri!r}: it contains a NUL.")
    if uri.startswith("file:"):
        parsed = urlparse(uri)
        if parsed.netloc not in ("", "localhost"):
            raise InvalidParameterError(
                f"Invalid artifact root {uri!r}: file URLs must name this machine "
                f"('file:///path'), not host {parsed.netloc!r}."
            )
        path = os.path.abspath(unquote(parsed.path))
        return RootLocation("file", path, uri)
    if _WINDOWS_DRIVE.match(uri) or not _URL.match(uri):
        path = os.path.abspath(os.path.expanduser(uri))
        return RootLocation("file", path, path)
    if "::" in uri:
        raise InvalidParameterError(
            f"Invalid artifact root {uri!r}: chained fsspec URLs are not supported."
        )
    protocol = uri.split("://", 1)[0].lower()
    if protocol in ("http", "https"):
        # A labtrack server's artifact proxy (the REST store's runs), read over HTTP by
        # labtrack.store.rest.artifacts, not through fsspec.
        return RootLocation(protocol, uri.rstrip("/"), uri.rstrip("/"))
    fs_class = _filesystem_class(protocol, uri)
    path = str(fs_class._strip_protocol(uri)).rstrip("/")
    return RootLocation(protocol, path, uri.rstrip("/"))


def _filesystem_class(protocol: str, uri: str) -> type[AbstractFileSystem]:
    import fsspec

    try:
        cls: type[AbstractFileSystem] = fsspec.get_filesystem_class(protocol)
    except ValueError:
        raise InvalidParameterError(
            f"Invalid artifact root {uri!r}: unknown protocol {protocol!r}."
        ) from None
    except ImportError as exc:
        raise InvalidParameterError(
            f"Artifact root {uri!r} needs a package that is not installed: {exc}"
        ) from None
    return cls


def get_filesystem(protocol: str, options: dict[str, Any] | None = None) -> AbstractFileSystem:
    """The filesystem for ``protocol`` with labtrack's options plus ``options``, cached.

    The cache key includes the process id: a forked child builds its own (an s3fs client
    holds an event loop that does not survive a fork).
    """
    merged = {**storage_options(protocol), **(options or {})}
    key = (protocol, json.dumps(merged, sort_keys=True, default=repr), os.getpid())
    with _cache_lock:
        fs = _cache.get(key)
        if fs is None:
            # skip_instance_cache: this cache owns the instance; fsspec's would share one
            # instance across callers that configure it differently.
            fs = _filesystem_class(protocol, f"{protocol}://")(skip_instance_cache=True, **merged)
            _quiet_lost_body_writes(getattr(fs, "loop", None))
            _cache[key] = fs
        return fs


_quieted_loops: set[int] = set()


def _quiet_lost_body_writes(loop: Any) -> None:
    """On an async filesystem's event loop (s3fs's, through aiohttp), drop asyncio's "Task
    exception was never retrieved" reports for request bodies whose connection went away.

    When the S3 server goes away or resets the connection mid-upload, aiohttp leaves the
    exception of the task writing the request body unretrieved: when the task is collected,
    asyncio prints it with a traceback on stderr, although the upload's own error already
    reached the caller (as a StoreError naming the endpoint). Any other report is passed on.
    """
    if loop is None or id(loop) in _quieted_loops:
        return
    _quieted_loops.add(id(loop))
    previous = loop.get_exception_handler()

    def handler(loop: Any, context: dict[str, Any]) -> None:
        if _is_lost_body_write(context):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _is_lost_body_write(context: dict[str, Any]) -> bool:
    task, exc = context.get("future"), context.get("exception")
    if context.get("message") != "Task exception was never retrieved" or task is None:
        return False
    coro = getattr(task, "get_coro", lambda: None)()
    writing_body = getattr(coro, "__qualname__", "") == "ClientRequest.write_bytes"
    lost_connection = isinstance(exc, OSError) or (
        type(exc).__module__.startswith("aiohttp") and "Connection" in type(exc).__name__
    )
    return writing_body and lost_connection


def clear_filesystem_cache() -> None:
    """Forget cached filesystems (tests, or after changing credentials)."""
    with _cache_lock:
        _cache.clear()
