"""Metric points that could not reach the server before the process ended, kept on disk.

While the process runs, points the writer cannot deliver stay queued in memory and are retried
(``flush()`` and ``end_run`` raise or warn about them). At interpreter exit there is no later,
so :meth:`RestTrackingStore.log_metric_points` hands what it still cannot send to
:func:`save`: a JSON-lines file under ``<labtrack home>/unsent/`` (at most
:data:`MAX_POINTS` points per process) and a message on stderr naming the file and the command
that sends it, ``labtrack resend FILE``. Nothing is dropped without a word.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labtrack.config import default_home
from labtrack.errors import InvalidParameterError

if TYPE_CHECKING:
    from labtrack.store.contract import MetricPoint
    from labtrack.store.rest.store import RestTrackingStore

__all__ = ["MAX_POINTS", "exiting", "read", "save"]

MAX_POINTS = 5_000_000
_lock = threading.Lock()
_files: dict[str, tuple[str, int]] = {}  # server -> (its file, points written), this process


def exiting() -> bool:
    """Whether the interpreter is shutting down (the main thread has finished)."""
    return not threading.main_thread().is_alive()


def _file_for(store: RestTrackingStore) -> Path:
    transport = store.transport
    name = f"{transport.host}-{transport.port or 0}-{os.getpid()}-{int(time.time())}.jsonl"
    return default_home() / "unsent" / name


def save(store: RestTrackingStore, points: Sequence[MetricPoint]) -> None:
    """Write ``points`` for later (``labtrack resend``); say so on stderr."""
    with _lock:
        target, written = _files.get(store.tracking_uri, (str(_file_for(store)), 0))
        room = MAX_POINTS - written
        kept, lost = list(points[:room]), max(0, len(points) - room)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a", encoding="utf-8") as out:
            if written == 0:
                out.write(json.dumps({"server": store.tracking_uri}) + "\n")
            for point in kept:
                out.write(json.dumps(list(point)) + "\n")
        _files[store.tracking_uri] = (target, written + len(kept))
    message = (
        f"labtrack: {len(kept)} metric points could not reach {store.tracking_uri} before this "
        f"process ended; they are saved in {target}. Send them with `labtrack resend {target}` "
        "once the server is reachable.\n"
    )
    if lost:
        message += (
            f"labtrack: {lost} more points were dropped: the file holds at most {MAX_POINTS}.\n"
        )
    sys.stderr.write(message)


def read(path: Path) -> tuple[str, list[MetricPoint]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0])
        server = str(header["server"])
        points: list[Any] = [tuple(json.loads(line)) for line in lines[1:] if line.strip()]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidParameterError(
            f"{path} is not a file of unsent metric points: {exc}."
        ) from None
    return server, points
