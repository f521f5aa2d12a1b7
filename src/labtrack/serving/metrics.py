"""What a model process counts per endpoint: requests, errors, latency percentiles, last errors.

The app records every ``/invocations`` request it answers (:meth:`ServingMetrics.record`), on
the event loop, so no lock is needed. Latencies are kept in a bounded window per endpoint (the
percentiles are of the last :data:`WINDOW` requests, which is what someone watching a live
endpoint wants, and memory stays flat however long the process runs); counts are since the
process started. An endpoint is the ref a request named (``1``, ``Production``, ``latest``, an
alias): refs that name nothing are counted too, under at most :data:`MAX_REFS` keys, so a
client inventing refs cannot grow the table without bound.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LAST_ERRORS", "MAX_REFS", "OTHER_REFS", "WINDOW", "ServingMetrics"]

WINDOW = 1000
LAST_ERRORS = 10
MAX_REFS = 100
OTHER_REFS = "(other)"
_MESSAGE_CHARS = 500


@dataclass
class _Endpoint:
    requests: int = 0
    errors: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=WINDOW))
    last_errors: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LAST_ERRORS))


def _percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile of a sorted, non-empty list."""
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[index]


class ServingMetrics:
    """Per-endpoint counters of one model process."""

    def __init__(self) -> None:
        self.started = time.time()
        self._endpoints: dict[str, _Endpoint] = {}

    def record(self, ref: str, status: int, millis: float, message: str | None = None) -> None:
        """Count one answered request: its HTTP status, its time, and the message of an error
        (a status of 400 or more)."""
        if ref not in self._endpoints and len(self._endpoints) >= MAX_REFS:
            ref = OTHER_REFS
        endpoint = self._endpoints.setdefault(ref, _Endpoint())
        endpoint.requests += 1
        endpoint.latencies.append(millis)
        if status >= 400:
            endpoint.errors += 1
            endpoint.last_errors.append(
                {
                    "time": int(time.time() * 1000),
                    "status": status,
                    "message": (message or "")[:_MESSAGE_CHARS],
                }
            )

    def snapshot(self) -> dict[str, Any]:
        """Every endpoint's counts, latency percentiles (ms, of the last requests) and last
        errors (newest first), as JSON."""
        endpoints = []
        for ref, e in sorted(self._endpoints.items()):
            ordered = sorted(e.latencies)
            latency = (
                {
                    "p50": _percentile(ordered, 0.50),
                    "p90": _percentile(ordered, 0.90),
                    "p99": _percentile(ordered, 0.99),
                    "max": ordered[-1],
                    "window": len(ordered),
                }
                if ordered
                else None
            )
            endpoints.append(
                {
                    "ref": ref,
                    "requests": e.requests,
                    "errors": e.errors,
                    "latency_ms": latency,
                    "last_errors": list(reversed(e.last_errors)),
                }
            )
        return {"since": int(self.started * 1000), "endpoints": endpoints}
