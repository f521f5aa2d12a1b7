"""Live refresh: a view of running runs re-reads the store about once a second.

A :class:`Poller` owns one daemon thread. Each tick calls the view's ``refresh()``, which
returns whether anything it shows is still running; the thread ends when nothing is, when the
view is closed, or when a refresh fails (the error is kept in ``Poller.error``). The metric
writer commits every 0.5 s, so a logged point shows up within about 1.5 s.

Views mix in :class:`LiveView` and call ``self._keep_live(running)`` at the end of every
refresh::

    >>> from labtrack.widgets.live import Poller
    >>> ticks = []
    >>> poller = Poller(lambda: ticks.append(1) or len(ticks) < 3, interval=0.01)
    >>> poller.start()
    >>> poller.join(5)
    >>> len(ticks), poller.active
    (3, False)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from traitlets import Bool, Float, HasTraits, Int, Unicode, validate

POLL_INTERVAL = 1.0  # seconds between refreshes of a live view

__all__ = ["LiveView", "Poller", "POLL_INTERVAL"]


class Poller(HasTraits):
    """Calls ``refresh`` every ``interval`` seconds in a daemon thread while it returns True."""

    interval = Float(POLL_INTERVAL, help="Seconds between two refreshes.")
    active = Bool(False, help="True while the polling thread runs.")
    ticks = Int(0, help="How many refreshes the thread has made.")
    error = Unicode("", help="Why polling stopped early: the message of a failed refresh.")

    def __init__(self, refresh: Callable[[], bool], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._refresh = refresh
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @validate("interval")
    def _check_interval(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if value <= 0:
            raise ValueError(f"interval must be positive; got {value}.")
        return value

    def start(self) -> None:
        """Start the thread (no-op while it already runs)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop = threading.Event()
        self.error = ""
        self.active = True
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="labtrack-live-view", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end after its current tick; returns at once."""
        self._stop.set()
        if self._thread is None or not self._thread.is_alive():
            self.active = False

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, stop: threading.Event) -> None:
        try:
            while not stop.wait(self.interval):
                keep_going = self._refresh()
                self.ticks += 1
                if not keep_going:
                    break
        except Exception as exc:  # a background thread has nowhere else to report
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            if stop is self._stop:
                self.active = False


class LiveView:
    """Mixin for widgets that follow running runs: one :class:`Poller`, stopped on close."""

    _poller: Poller | None = None
    _refresh_lock: threading.RLock

    def _init_live(self) -> None:
        self._refresh_lock = threading.RLock()
        self._poller = Poller(self._tick)

    def _tick(self) -> bool:
        return bool(self.refresh())

    def refresh(self) -> bool:  # pragma: no cover - every view defines it
        raise NotImplementedError

    def _keep_live(self, running: bool) -> None:
        """Start polling while something shown is running; the thread ends by itself after."""
        if running and self._poller is not None and not self._poller.active:
            self._poller.start()

    @property
    def poller(self) -> Poller | None:
        """The poller that keeps this view fresh (``poller.active`` while runs are running)."""
        return self._poller

    def _stop_live(self) -> None:
        if self._poller is not None:
            self._poller.stop()
