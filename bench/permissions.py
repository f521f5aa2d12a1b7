"""What team mode's permission checks cost: a sidebar's requests and log-batch ingest, with
permissions off and on, on the same SQLite store.

``.venv/bin/python -m bench.permissions [--rounds N]`` prints a table and writes
``bench/results/permissions.{json,md}``. It measures the store calls a request makes, through
the server's own :class:`~labtrack.server.permissions_store.GuardedStore` (on) or the store
itself (off), in alternation so load from other processes hits both alike; what HTTP and
tornado add is the same in both modes and left out. The store holds 200 experiments of 20
users, 1,000 grants, and the caller's experiment has 1,000 runs with 10 params and 10 metrics.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from labtrack.entities import Metric, Param
from labtrack.server.identity import Caller
from labtrack.server.permissions import Guard
from labtrack.server.permissions_store import GuardedStore
from labtrack.store.sql.store import SqlTrackingStore

RESULTS = Path(__file__).parent / "results"


def fill(store: SqlTrackingStore) -> tuple[str, str]:
    """The store's contents; (the caller's experiment, one of its runs)."""
    users = [f"user-{i}" for i in range(20)]
    ids = []
    for i in tqdm(range(200), desc="experiments", leave=False):
        eid = store.create_experiment(f"exp-{i}")
        store.set_owner("experiment", eid, users[i % 20])
        ids.append(eid)
    for i in tqdm(range(1000), desc="grants", leave=False):
        kind = "group" if i % 3 == 0 else "user"
        store.set_permission("experiment", ids[i % 200], kind, f"p-{i}", "READ")
    mine = ids[0]  # user-0's
    store.set_permission("experiment", ids[1], "group", "ds", "EDIT")
    run_id = ""
    for i in tqdm(range(1000), desc="runs", leave=False):
        run = store.create_run(mine, "user-0", i, [], None)
        run_id = run.info.run_id
        store.log_batch(
            run_id,
            [Metric(f"m{k}", float(i), i, 0) for k in range(10)],
            [Param(f"p{k}", str(i)) for k in range(10)],
            [],
        )
    return mine, run_id


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        store = SqlTrackingStore(f"sqlite:///{folder}/labtrack.db", f"{folder}/artifacts")
        mine, run_id = fill(store)
        caller = Caller("user-0", frozenset({"ds", "g-1", "g-2"}), admin=False)

        # As the server makes them: a guarded store per request, the permission cache on
        # (c.Labtrack.permission_cache_seconds, 2 s by default) and off.
        def guarded_store(cache: float) -> Any:
            return GuardedStore(store, Guard(store, caller, "NONE", cache))

        batch = [Metric("ingest", 1.0, 1, s) for s in range(100)]
        step = iter(range(10**9))

        def experiments(s: Any, g: Guard | None) -> None:
            page = s.search_experiments(1, 1000)
            ids = [e.experiment_id for e in page]
            # what the route adds to each object: owner (off) or owner and permission (on)
            g.access("experiment", ids) if g else store.access("experiment", ids, "user-0", [])

        def log_batch(s: Any) -> None:
            n = next(step)
            s.log_batch(run_id, [Metric(m.key, m.value, m.timestamp, n) for m in batch], [], [])

        cases: dict[str, Callable[[Any], Any]] = {
            "sidebar: experiment list (search + owners)": lambda s: (
                experiments(store, None) if s is None else experiments(s, s.guard)
            ),
            "sidebar: change marker poll": lambda s: (s or store).change_marker([mine]),
            "sidebar: run table (1,000 runs)": lambda s: (s or store).search_run_table([mine]),
            "log-batch ingest (100 points)": lambda s: log_batch(s or store),
        }
        modes = {"off": None, "on_nocache": 0.0, "on": 2.0}
        samples: dict[str, dict[str, list[float]]] = {k: {m: [] for m in modes} for k in cases}
        order = list(modes)
        for _ in tqdm(range(rounds), desc="rounds"):
            order = order[1:] + order[:1]  # each mode goes first in turn
            for name, case in cases.items():
                for mode in order:
                    cache = modes[mode]
                    guarded = None if cache is None else guarded_store(cache)
                    samples[name][mode].append(timed(partial(case, guarded)))
        store.close()
    write_report(
        "permissions",
        f"Permission checks: medians of {rounds} rounds (SQLite, store calls)",
        samples,
        {"off": "off", "on_nocache": "on, no cache", "on": "on, 2 s cache"},
        [
            "added: on (2 s cache, the default) minus off. The experiment list is shorter with",
            "permissions on (only what the caller may read), hence faster.",
        ],
    )


def write_report(
    stem: str,
    title: str,
    samples: dict[str, dict[str, list[float]]],
    columns: dict[str, str],
    notes: list[str],
) -> None:
    """``bench/results/<stem>.{json,md}``: the medians per case and mode (``columns``: mode ->
    heading; ``off`` and ``on`` among them), what ``on`` adds, every sample; printed too."""
    rows = []
    for name, got in samples.items():
        medians = {mode: statistics.median(got[mode]) for mode in columns}
        off, on = medians["off"], medians["on"]
        rows.append(
            {
                "case": name,
                **{f"{mode}_ms": round(value, 3) for mode, value in medians.items()},
                "added_ms": round(on - off, 3),
                "added_pct": round(100 * (on - off) / off, 1),
            }
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps({"rows": rows, "samples": samples}, indent=1))
    headings = [f"{heading} (ms)" for heading in columns.values()]
    lines = [
        f"# {title}",
        "",
        "| case | " + " | ".join(headings) + " | added (ms) | added (%) |",
        "| --- |" + " ---: |" * (len(columns) + 2),
    ]
    for r in rows:
        cells = [str(r[f"{mode}_ms"]) for mode in columns]
        lines.append(
            f"| {r['case']} | " + " | ".join(cells) + f" | {r['added_ms']} | {r['added_pct']} |"
        )
    lines += ["", *notes]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))  # noqa: T201 - the report


if __name__ == "__main__":
    main()
