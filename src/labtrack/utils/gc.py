"""Hold off the cyclic garbage collector while a burst of long-lived objects is built.

Loading a model imports scikit-learn, SciPy, pandas and skops (about 150,000 objects) and then
builds the estimator; opening the first store imports SQLAlchemy. Every one of those objects
lives as long as the process, but the collector does not know that: each 700 allocations start
a young collection, and the full collections that follow re-examine every object already alive
(about 100 ms each once scikit-learn is in). During ``labtrack serve``'s start that repeated
scanning was about 300 ms of 2.3 s, and it freed next to nothing (a few hundred objects).

:func:`paused` first collects the young generations as usual (so what was made before is
treated as before), turns the collector off for the duration and, when the outermost pause
ends after a burst (more than ``PROMOTE_ABOVE`` new objects, as when libraries were
imported), files what was created as old (``gc.freeze()`` then ``gc.unfreeze()`` moves every
tracked object into the oldest generation without examining it) before turning the collector
back on. Nothing is kept alive by this: garbage cycles made meanwhile are freed by the next
full collection, which the collector runs on its usual schedule. Objects someone else froze
with ``gc.freeze()`` stay frozen (the move is skipped then), and a collector that was off
stays off.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]

# Fewer new objects than this (a warm load: the libraries were in already) are left to the
# collector's usual young collections, which take a few milliseconds for that many.
PROMOTE_ABOVE = 10_000
_lock = threading.Lock()
_holders: dict[int, int] = {}  # thread id -> how many pauses it is inside
_was_enabled = False


def _after_fork_in_child() -> None:
    # Only the thread that forked goes on in the child: the pauses of the others never end.
    global _lock
    _lock = threading.Lock()
    if not _holders:
        return
    me = threading.get_ident()
    for ident in [i for i in _holders if i != me]:
        del _holders[ident]
    if not _holders and _was_enabled:
        gc.enable()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested and concurrent pauses share one)."""
    global _was_enabled
    me = threading.get_ident()
    with _lock:
        if not _holders:
            _was_enabled = gc.isenabled()
            if _was_enabled:
                # What is young now was made before the pause: collect it as usual (a few
                # thousand objects at most), so only what the block makes is promoted.
                gc.collect(1)
            gc.disable()
        _holders[me] = _holders.get(me, 0) + 1
    try:
        yield
    finally:
        with _lock:
            depth = _holders.pop(me, 0) - 1
            if depth > 0:
                _holders[me] = depth
            elif not _holders and _was_enabled:
                if gc.get_count()[0] > PROMOTE_ABOVE and gc.get_freeze_count() == 0:
                    gc.freeze()  # all tracked objects: young ones are promoted unexamined
                    gc.unfreeze()  # ... into the oldest generation, collectable again
                gc.enable()
