"""A bounded HTTP load on a loopback server: C client processes, each on one keep-alive
connection, sending the same request back to back until a time or a request count is reached.

Clients are processes (not threads), so the load generator's own Python does not serialize
the clients. Both servers get the same generator, on the same machine.
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import statistics
import time
from typing import Any


def _client(
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str],
    seconds: float,
    max_requests: int,
    start_at: float,
    out: Any,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    overheads: list[float] = []  # latency minus the predict time the server reports
    errors = 0
    while time.monotonic() < start_at:
        time.sleep(0.001)
    begin = time.monotonic()
    end = begin + seconds
    while time.monotonic() < end and len(latencies) + errors < max_requests:
        t = time.perf_counter()
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
            timing = resp.getheader("Server-Timing")
        except (http.client.HTTPException, OSError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ok, timing = False, None
        if ok:
            latencies.append(time.perf_counter() - t)
            predict_ms = _predict_ms(timing)
            if predict_ms is not None:
                overheads.append(latencies[-1] - predict_ms / 1e3)
        else:
            errors += 1
    out.put((latencies, errors, begin, time.monotonic(), overheads))
    conn.close()


def _predict_ms(header: str | None) -> float | None:
    """The ``predict;dur=<ms>`` entry of a ``Server-Timing`` header (labtrack sends one)."""
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name == "predict":
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key == "dur":
                    try:
                        return float(value)
                    except ValueError:
                        return None
    return None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def load(
    port: int,
    path: str,
    body: bytes,
    headers: dict[str, str],
    clients: int,
    seconds: float,
    max_requests: int,
) -> dict[str, float | None]:
    """Latency p50/p99 (ms) and throughput (requests/s) of ``clients`` concurrent clients.

    ``overhead_p50_ms``: the median of each request's latency minus the model's predict time
    that the server reports in ``Server-Timing`` (labtrack does; None when it is absent).
    """
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.monotonic() + 0.3  # all clients start together
    procs = [
        ctx.Process(
            target=_client,
            args=(port, path, body, headers, seconds, max_requests, start_at, out),
            daemon=True,
        )
        for _ in range(clients)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(10)
        if p.is_alive():
            p.kill()
    latencies = [v for r in results for v in r[0]]
    errors = sum(r[1] for r in results)
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    overheads = [v for r in results for v in r[4]]
    return {
        "overhead_p50_ms": percentile(overheads, 0.5) * 1e3 if overheads else None,
        "p50_ms": percentile(latencies, 0.5) * 1e3,
        "p99_ms": percentile(latencies, 0.99) * 1e3,
        "mean_ms": (statistics.fmean(latencies) * 1e3) if latencies else float("nan"),
        "throughput_rps": len(latencies) / wall if wall > 0 else 0.0,
        "requests": len(latencies),
        "errors": errors,
    }
