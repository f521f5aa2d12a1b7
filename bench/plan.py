"""How much work each mode does: ``--quick`` (under 3 minutes), the full run (under 25) and
``--large`` (the cases too big for the full run).

Sizes are per side. Where MLflow would take minutes for the full size, it does fewer calls and
the per-call (or per-point, per-run) cost is what is compared; the report says so next to the
figure. Search always runs over the full-size store (filled by copying rows, see
``cases/stores.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass
class Plan:
    name: str
    pairs: int
    log_metric_n: dict[str, int]
    log_calls: dict[str, dict[str, int]]
    runs_per_pair: dict[str, int]
    runs_pairs: int
    runs_total: int
    runs_big: int
    search_pairs: int
    history_n: dict[str, int]
    history_pairs: int
    import_pairs: int
    first_metric_pairs: int
    new_store_pairs: int
    api_pairs: int
    csv_pairs: int
    serve_starts: int
    load_seconds: float
    load_max_requests: int
    load_pairs: int
    autolog_pairs: int
    # labtrack on PostgreSQL: runs created through the API per pair (each is a few
    # transactions, each waiting for PostgreSQL's fsync), points of the history case.
    pg_runs_per_pair: int = 300
    pg_history_n: int = 1_000_000
    # The background writer, sustained: points logged in a loop, pairs.
    writer_n: int = 2_000_000
    writer_pairs: int = 3
    # bench/run --large: the cases too big for the full run (see LARGE).
    large: bool = False
    history_large_n: int = 10_000_000
    large_pairs: int = 3
    # MLflow's searches over 100,000 runs in --large: pairs, and how long one call may take
    # before it is stopped (its worker killed) and reported as not finished.
    mlflow_big_search_pairs: int = 1
    mlflow_big_search_timeout_s: float = 300.0
    mlflow_all_pages: bool = True
    measure_server_start: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


FULL_CALLS = {"params": 200, "keys": 50, "steps": 200, "batch": 1000}

QUICK = Plan(
    name="quick",
    pairs=2,
    log_metric_n={"labtrack": 50_000, "mlflow": 100, "mlflow_async": 100},
    log_calls={
        "labtrack": FULL_CALLS,
        "mlflow": {"params": 20, "keys": 50, "steps": 20, "batch": 1000},
        "mlflow_async": {"params": 20, "keys": 50, "steps": 20, "batch": 1000},
    },
    runs_per_pair={"labtrack": 200, "mlflow": 10},
    runs_pairs=3,
    runs_total=10_000,
    runs_big=0,
    search_pairs=2,
    history_n={"labtrack": 100_000, "mlflow": 10_000},
    history_pairs=2,
    import_pairs=2,
    first_metric_pairs=1,
    new_store_pairs=1,
    api_pairs=3,
    csv_pairs=1,
    serve_starts=1,
    load_seconds=1.0,
    load_max_requests=500,
    load_pairs=1,
    autolog_pairs=1,
    pg_runs_per_pair=30,
    pg_history_n=100_000,
    writer_n=200_000,
    writer_pairs=2,
    history_large_n=1_000_000,
    large_pairs=1,
    mlflow_all_pages=False,
    measure_server_start=False,
    extra={"ingest": {"seconds": 2.0, "pairs": 1, "requests": 300, "rest_points": 50_000}},
)

FULL = Plan(
    name="full",
    pairs=5,
    log_metric_n={"labtrack": 100_000, "mlflow": 300, "mlflow_async": 400},
    log_calls={
        "labtrack": FULL_CALLS,
        "mlflow": {"params": 100, "keys": 50, "steps": 100, "batch": 1000},
        "mlflow_async": {"params": 100, "keys": 50, "steps": 100, "batch": 1000},
    },
    runs_per_pair={"labtrack": 2000, "mlflow": 60},
    runs_pairs=5,
    runs_total=10_000,
    runs_big=100_000,
    search_pairs=5,
    history_n={"labtrack": 1_000_000, "mlflow": 50_000},
    history_pairs=3,
    import_pairs=5,
    first_metric_pairs=4,
    new_store_pairs=3,
    api_pairs=10,
    csv_pairs=2,
    serve_starts=2,
    load_seconds=4.0,
    load_max_requests=5000,
    load_pairs=2,
    autolog_pairs=5,
    extra={"ingest": {"seconds": 5.0, "pairs": 3, "requests": 800, "rest_points": 100_000}},
)

# bench/run --large: only the large cases (ten million points; MLflow beside labtrack over
# 100,000 runs, for search and for the server API), with the full run's sizes otherwise.
LARGE = replace(FULL, name="large", large=True)

PLANS = {"quick": QUICK, "full": FULL, "large": LARGE}
