"""The first pages of a run search ordered by a metric, without sorting every match.

A search over 100,000 runs ordered by ``metrics.m1 DESC`` used to find every match (tens of
thousands of runs), sort them all and keep a page of 100. When the first order key is a
metric, the page's runs are among those with the highest (or lowest) values of that metric,
and the key's index (``ix_latest_metrics_key_nan_value_run``: key, is_nan, value) lists them
in that order. So the search first walks a window of that index, best values first, tests
each run against the scope and the filter (one probe per clause), and takes the value of the
``offset + max_results + 1``-th match: the *cut*. Every run of the page, and the one after it
that tells whether there is a next page, has a value at least as good as the cut, so the
ordered query restricted to those values gives the same rows in the same order, ties and page
tokens included, and sorts a few hundred runs instead of all the matches.

When the window holds too few matches (a rare filter, a late page, runs without the key or
with NaN values among the first ones), there is no cut and the search runs unrestricted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from labtrack.store.search_filter import Node, OrderKey
from labtrack.store.sql import filter_sql, tables

# Index entries walked per wanted match: first a window of 16 (a filter that keeps one run in
# 8 finds about twice the matches it needs there: with 8 per match it found too few half the
# time, and the second window cost 4x more), then 64 (one run in 32, with room). Past that a window
# would cost more than it saves: each entry is a probe per clause, ~15 µs on SQLite.
WINDOWS_PER_MATCH = (16, 64)
# Pages deeper than this many runs are read the ordinary way: the window would be most of
# the index anyway.
MAX_NEEDED = 2_000


def metric_cut(
    connection: sa.Connection,
    experiment_keys: Sequence[int],
    stages: Sequence[str],
    node: Node | None,
    order_keys: list[OrderKey],
    needed: int,
) -> sa.ColumnElement[bool] | None:
    """A condition that keeps the first ``needed`` runs of the search, or None.

    The condition names the runs at least as good as the cut: their ids, when the window
    holds every index entry that good (a list the database looks up by primary key: given a
    subquery instead, PostgreSQL hashes it against a scan of every run), else ``run_uuid IN
    (runs whose first order metric is not NaN and at least as good as the cut)``. None when the
    first order key is not a metric, ``needed`` is past ``MAX_NEEDED``, or the window holds
    fewer than ``needed`` matches.
    """
    if not order_keys or order_keys[0].entity != "metric" or needed > MAX_NEEDED:
        return None
    key = order_keys[0]
    runs = tables.runs
    for per_match in WINDOWS_PER_MATCH:
        found = _cut(connection, experiment_keys, stages, node, key, needed, needed * per_match)
        if found is not None:
            break
    else:
        return None
    cut, ids = found
    if ids is not None:
        return runs.c.run_uuid.in_(ids)
    kept = tables.latest_metrics.alias("kept")
    good_enough = kept.c.value <= cut if key.ascending else kept.c.value >= cut
    return runs.c.run_uuid.in_(
        sa.select(kept.c.run_uuid).where(
            kept.c.key == key.key, kept.c.is_nan.is_(False), good_enough
        )
    )


def _cut(
    connection: sa.Connection,
    experiment_keys: Sequence[int],
    stages: Sequence[str],
    node: Node | None,
    key: OrderKey,
    needed: int,
    window_size: int,
) -> tuple[float, list[str] | None] | None:
    """The ``needed``-th best value among the matches in the ``window_size`` best index
    entries of the order metric, and the matches at least that good when the window holds
    every entry that good (else None); None: fewer matches there."""
    runs = tables.runs
    latest = tables.latest_metrics.alias("ordered")
    value = latest.c.value
    best_first = value.asc() if key.ascending else value.desc()
    of_key = (latest.c.key == key.key, latest.c.is_nan.is_(False))
    window = (
        sa.select(latest.c.run_uuid, value)
        .where(*of_key)
        .order_by(best_first)
        .limit(window_size)
        .subquery("window")
    )
    # The filter's clauses as probes per run (EXISTS), not as sets: only the window's runs
    # are tested.
    matches = (
        sa.select(window.c.run_uuid, window.c.value)
        .select_from(window.join(runs, runs.c.run_uuid == window.c.run_uuid))
        .where(
            runs.c.experiment_id.in_(experiment_keys),
            runs.c.lifecycle_stage.in_(stages),
            filter_sql.where_clause(node, membership=False),
        )
        .order_by(window.c.value.asc() if key.ascending else window.c.value.desc())
    )
    rows = connection.execute(matches).all()
    if len(rows) < needed:
        return None
    cut = float(rows[needed - 1][1])

    def at_least_cut(found: float) -> bool:
        return found <= cut if key.ascending else found >= cut

    # The window's last entry: when it is worse than the cut (or the window is the whole
    # key), no entry as good as the cut lies outside it, so the matches found are all of them.
    last = connection.execute(
        sa.select(value).where(*of_key).order_by(best_first).offset(window_size - 1).limit(1)
    ).scalar()
    if last is not None and at_least_cut(float(last)):
        return cut, None
    return cut, [run_id for run_id, found in rows if at_least_cut(float(found))]
