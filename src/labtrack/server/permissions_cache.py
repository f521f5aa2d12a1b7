"""Caches that keep permission checks off the hot path of ingest and the sidebar's polling.

- Which experiment a run belongs to never changes: kept (bounded) for the process's life.
- A caller's permission on a resource is kept for ``c.Labtrack.permission_cache_seconds``
  (2 s by default; 0 turns it off). Every change of owners or grants made through this
  process clears it at once; one made through another replica is seen here within that time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["ACCESS", "RUN_EXPERIMENTS", "Bounded"]

MAX_ENTRIES = 100_000


class Bounded:
    """A thread-safe dict of at most ``size`` entries (oldest out first), each with the time
    it was put."""

    def __init__(self, size: int = MAX_ENTRIES) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, max_age: float | None = None) -> Any:
        """The value, or None if absent or older than ``max_age`` seconds."""
        with self._lock:
            item = self._items.get(key)
        if item is None or (max_age is not None and time.monotonic() - item[0] > max_age):
            return None
        return item[1]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RUN_EXPERIMENTS = Bounded()
ACCESS = Bounded()
