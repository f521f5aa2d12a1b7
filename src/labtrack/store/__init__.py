"""Stores by location: one open store per (tracking URI, artifact root) in a process.

The scheme chooses the backend: ``sqlite`` / ``postgresql`` URLs the SQL store,
``http(s)://`` a labtrack server through the REST store (:mod:`labtrack.store.rest`).
"""

from __future__ import annotations

import threading

from labtrack.config import StoreLocation
from labtrack.store.contract import TrackingStore

_stores: dict[StoreLocation, TrackingStore] = {}
_lock = threading.Lock()


def get_store(location: StoreLocation) -> TrackingStore:
    """The store for ``location``, opened (and its schema prepared) on first use."""
    store = _stores.get(location)
    if store is not None:
        return store
    with _lock:
        store = _stores.get(location)
        if store is None:
            from labtrack.utils import gc as _gc

            # The first open imports SQLAlchemy: long-lived objects, nothing to collect.
            if location.tracking_uri.startswith(("http://", "https://")):
                from labtrack.store.rest.store import RestTrackingStore

                store = RestTrackingStore(location.tracking_uri)
            else:
                with _gc.paused():
                    from labtrack.store.sql.store import SqlTrackingStore

                    store = SqlTrackingStore(location.tracking_uri, location.artifact_root)
            _stores[location] = store
        return store


def close_all() -> None:
    """Close every open store (tests use it between stores)."""
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
