"""Store helpers shared by the driver (both venvs) and the suite: plain ``sqlite3``, no library.

- :func:`copy_sqlite` copies a SQLite file with SQLite's backup API (safe in WAL mode).
- :func:`populate` fills a store to N runs by copying the rows of the runs already in it (runs
  created through the library's API) under new run ids, with fresh random metric values and
  params. It works on labtrack's and MLflow's schemas alike: every table with a ``run_uuid``
  column is copied. Creating 100,000 runs through either API takes far longer than a benchmark
  can wait; copying rows gives the search the same data shape in seconds, for both tools.
- :func:`downsample` is the min/max bucket downsampling a chart asks for.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from pathlib import Path

METRIC_TABLES = ("metrics", "latest_metrics")


def copy_sqlite(src: str | Path, dst: str | Path) -> None:
    """Copy the database ``src`` to ``dst`` (a consistent snapshot, WAL included)."""
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(src))
    target = sqlite3.connect(str(dst))
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def rebase(db: str | Path, old: str, new: str) -> None:
    """Rewrite the experiments' artifact locations from under ``old`` to under ``new``."""
    con = sqlite3.connect(str(db))
    try:
        con.execute(
            "UPDATE experiments SET artifact_location = replace(artifact_location, ?, ?)",
            (old, new),
        )
        con.commit()
    finally:
        con.close()


def count_runs(db: str | Path) -> int:
    con = sqlite3.connect(str(db))
    try:
        return int(con.execute("SELECT count(*) FROM runs").fetchone()[0])
    finally:
        con.close()


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in con.execute(f"PRAGMA table_info({table})")]


def _run_tables(con: sqlite3.Connection) -> list[str]:
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [t for t in names if "run_uuid" in _columns(con, t)]


def populate(db: str | Path, total: int, seed: int = 0) -> int:
    """Copy the store's runs until it holds ``total`` runs; returns how many were added.

    Copies get new run ids, a distinct start time, a fresh random value for each metric (the
    same in the history and in the latest value) and a fresh param value from ``a``-``d``, so a
    filter such as ``metrics.m0 > 0.5 and params.p1 = 'a'`` keeps its selectivity. The copying
    is ``INSERT ... SELECT`` inside SQLite, driven by temporary tables of new ids and values.
    """
    rng = random.Random(seed)
    con = sqlite3.connect(str(db), timeout=60, isolation_level=None)
    try:
        templates = [r[0] for r in con.execute("SELECT run_uuid FROM runs ORDER BY start_time")]
        need = total - len(templates)
        if need <= 0 or not templates:
            return 0
        tables = [t for t in _run_tables(con) if t != "runs"]
        metric_keys = {
            t: [r[0] for r in con.execute(f"SELECT DISTINCT key FROM {t}")]
            for t in tables
            if t in METRIC_TABLES
        }
        keys = sorted({k for ks in metric_keys.values() for k in ks})
        param_keys = [r[0] for r in con.execute("SELECT DISTINCT key FROM params")]
        max_start = con.execute("SELECT max(start_time) FROM runs").fetchone()[0] or 0
        con.execute("BEGIN IMMEDIATE")
        con.execute("CREATE TEMP TABLE bench_map (src TEXT, new TEXT PRIMARY KEY, i INTEGER)")
        con.execute("CREATE TEMP TABLE bench_val (new TEXT, key TEXT, v, PRIMARY KEY (new, key))")
        con.execute("CREATE TEMP TABLE bench_par (new TEXT, key TEXT, v, PRIMARY KEY (new, key))")
        ids = [(templates[i % len(templates)], uuid.uuid4().hex, i) for i in range(need)]
        con.executemany("INSERT INTO bench_map VALUES (?, ?, ?)", ids)
        con.executemany(
            "INSERT INTO bench_val VALUES (?, ?, ?)",
            ((new, k, rng.random()) for _, new, _ in ids for k in keys),
        )
        con.executemany(
            "INSERT INTO bench_par VALUES (?, ?, ?)",
            ((new, k, rng.choice("abcd")) for _, new, _ in ids for k in param_keys),
        )
        for table in ["runs", *tables]:
            cols = _columns(con, table)
            picks, join = copy_select(table, cols, int(max_start) + 1)
            con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(picks)} "
                f"FROM bench_map m JOIN {table} t ON t.run_uuid = m.src {join}"
            )
        for temp in ("bench_map", "bench_val", "bench_par"):
            con.execute(f"DROP TABLE {temp}")
        con.execute("COMMIT")
        return need
    finally:
        con.close()


def copy_select(table: str, cols: list[str], first_start: int) -> tuple[list[str], str]:
    """What ``populate`` selects for each column of ``table`` when it copies a run (template
    ``t``, new id ``m.new``, fresh values ``v``), and the join that brings the values."""
    picks = []
    for c in cols:
        if c == "run_uuid":
            picks.append("m.new")
        elif table == "runs" and c == "start_time":
            picks.append(f"{first_start} + m.i")
        elif table == "runs" and c == "artifact_uri":
            picks.append("replace(t.artifact_uri, m.src, m.new)")
        elif table in METRIC_TABLES and c in ("value", "min_value", "max_value"):
            picks.append("coalesce(v.v, t.value)")
        elif table in METRIC_TABLES and c == "count":
            picks.append("1")
        elif table == "params" and c == "value":
            picks.append("coalesce(v.v, t.value)")
        else:
            picks.append(f"t.{c}")
    join = ""
    if table in METRIC_TABLES:
        join = "LEFT JOIN bench_val v ON v.new = m.new AND v.key = t.key"
    elif table == "params":
        join = "LEFT JOIN bench_par v ON v.new = m.new AND v.key = t.key"
    return picks, join


def downsample(points: list[tuple[int, float]], target: int = 1000) -> list[tuple[int, float]]:
    """At most ``target`` points of a (step, value) series, keeping each bucket's min and max.

    The series is cut into ``target // 2`` buckets of consecutive points; each bucket gives its
    lowest and highest point, in step order, so spikes survive (what a chart needs).
    """
    n = len(points)
    if n <= target:
        return list(points)
    buckets = max(1, target // 2)
    out: list[tuple[int, float]] = []
    for b in range(buckets):
        lo, hi = b * n // buckets, (b + 1) * n // buckets
        if lo >= hi:
            continue
        low = high = points[lo]
        for p in points[lo + 1 : hi]:
            v = p[1]
            if v < low[1]:
                low = p
            elif v > high[1]:
                high = p
        if low is high:
            out.append(low)
        else:
            out.extend(sorted((low, high)))
    return out
