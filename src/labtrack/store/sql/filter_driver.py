"""A filter over many runs, read from the index range of its narrowest clause (SQLite).

Over many runs a filter used to test each param, tag or metric clause as a set
(``run_uuid IN (SELECT ...)``): SQLite built every set in a temporary index (50,000 and 25,000
runs for the bench's ``metrics.m0 > 0.5 and params.p1 = 'a'`` over 100,000 runs), then walked
one of them and read each of its runs. When the filter is an AND with at least one clause a
row of params, tags or latest metrics makes true, the query now starts from the rows of the
clause that matches fewest runs (one range of that table's key index, counted first), tests
the other clauses on each row's run id (a probe each, before the run itself is read) and reads
only the runs that pass. The same runs: the driving clause's rows are at most one per run
(its key is fixed), and the other clauses are the rest of the AND.

PostgreSQL plans the set form well (hash joins), so it keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from labtrack.store.search_filter import And, Comparison, Node
from labtrack.store.sql import filter_sql, tables

# Clauses that usually match few rows are counted first, so the counts of the others can stop
# at the fewest found.
_NARROW_OPS = ("=", "IN")


@dataclass(frozen=True)
class DrivenFilter:
    """The rows of the driving clause joined to their runs, and the whole filter on them."""

    joined: sa.FromClause
    condition: sa.ColumnElement[bool]


def driven_filter(connection: sa.Connection, node: Node | None) -> DrivenFilter | None:
    """The filter ``node`` driven from its narrowest clause, or None (not SQLite, or no clause
    a row can make true at the top of the filter)."""
    if node is None or connection.dialect.name != "sqlite":
        return None
    items = list(node.items) if isinstance(node, And) else [node]
    candidates: list[tuple[bool, int, Any, list[Any]]] = []
    for index, item in enumerate(items):
        if isinstance(item, Comparison) and (rows := filter_sql.clause_rows(item)) is not None:
            candidates.append((item.op not in _NARROW_OPS, index, *rows))
    if not candidates:
        return None
    candidates.sort(key=lambda found: found[:2])
    best, fewest = candidates[0], None
    for candidate in candidates if len(candidates) > 1 else ():
        _, _, row, conditions = candidate
        some: sa.Select[Any] = sa.select(sa.literal_column("1")).select_from(row).where(*conditions)
        if fewest is not None:
            some = some.limit(fewest)
        count = connection.execute(sa.select(sa.func.count()).select_from(some.subquery()))
        found = int(count.scalar_one())
        if fewest is None or found < fewest:
            best, fewest = candidate, found
    _, index, row, conditions = best
    rest = items[:index] + items[index + 1 :]
    others = And(tuple(rest)) if len(rest) > 1 else rest[0] if rest else None
    runs = tables.runs
    return DrivenFilter(
        joined=row.join(runs, runs.c.run_uuid == row.c.run_uuid),
        condition=sa.and_(
            *conditions, filter_sql.where_clause(others, membership=False, owner=row.c.run_uuid)
        ),
    )
