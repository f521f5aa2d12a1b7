"""Search filters and order-by for registered models and model versions, compiled to SQL.

The filter language is the runs' one (:mod:`labtrack.store.search_filter`) with other columns:

- registered models: ``name``, ``creation_timestamp``, ``last_updated_timestamp``, ``tags.<key>``
  (``"name LIKE '%churn%'"``);
- model versions: ``name``, ``version_number``, ``run_id``, ``source_path``, ``current_stage``,
  ``user_id``, ``status``, ``creation_timestamp``, ``last_updated_timestamp``, ``tags.<key>``
  (``"name = 'churn' AND run_id = '...'"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select

from labtrack.errors import FilterSyntaxError
from labtrack.store import search_filter
from labtrack.store.search_filter import Comparison, OrderKey
from labtrack.store.search_filter_lexer import Kind, Schema
from labtrack.store.sql import filter_sql, tables

RM, MV = tables.registered_models, tables.model_versions

_TIMES: dict[str, tuple[str, Kind]] = {
    "creation_timestamp": ("creation_time", "number"),
    "creation_time": ("creation_time", "number"),
    "last_updated_timestamp": ("last_updated_time", "number"),
    "last_updated_time": ("last_updated_time", "number"),
}

MODEL_SCHEMA = Schema(
    "registered models",
    frozenset(("tag", "attribute")),
    {"name": ("name", "string"), **_TIMES},
    {},
    {},
)

VERSION_SCHEMA = Schema(
    "model versions",
    frozenset(("tag", "attribute")),
    {
        "name": ("name", "string"),
        "version_number": ("version", "number"),
        "version": ("version", "number"),
        "run_id": ("run_id", "string"),
        "source_path": ("source", "string"),
        "source": ("source", "string"),
        "current_stage": ("current_stage", "string"),
        "user_id": ("user_id", "string"),
        "status": ("status", "string"),
        **_TIMES,
    },
    {},
    {},
)


def _model_test(c: Comparison) -> ColumnElement[bool]:
    if c.entity == "tag":
        return filter_sql._keyed_test(tables.registered_model_tags, RM.c.name, "name", c)
    return filter_sql._column_test(RM.c[c.key], c)


def _version_tag_test(c: Comparison) -> ColumnElement[bool]:
    row = tables.model_version_tags.alias()
    found: Select[Any] = (
        sa.select(sa.literal_column("1"))
        .select_from(row)
        .where(row.c.name == MV.c.name, row.c.version == MV.c.version, row.c.key == c.key)
        .correlate(MV)
    )
    if c.op == "IS NULL":
        return ~found.exists()
    if c.op != "IS NOT NULL":
        found = found.where(
            row.c.value.is_not(None), filter_sql._string_test(row.c.value, c.op, c.value)
        )
    return found.exists()


def _version_test(c: Comparison) -> ColumnElement[bool]:
    if c.entity == "tag":
        return _version_tag_test(c)
    return filter_sql._column_test(MV.c[c.key], c)


def model_where(text: str | None) -> ColumnElement[bool]:
    node = search_filter._parse(text, MODEL_SCHEMA)
    return sa.true() if node is None else filter_sql._compile(node, _model_test)


def version_where(text: str | None) -> ColumnElement[bool]:
    node = search_filter._parse(text, VERSION_SCHEMA)
    return sa.true() if node is None else filter_sql._compile(node, _version_test)


def _orders(clauses: Sequence[str] | None, schema: Schema) -> list[OrderKey]:
    return search_filter._parse_orders(clauses, schema)


def order_models(stmt: Select[Any], clauses: Sequence[str] | None) -> Select[Any]:
    """MLflow's default: ``name ASC``; ``name`` breaks ties after the given keys."""
    terms: list[Any] = []
    for key in _orders(clauses, MODEL_SCHEMA):
        if key.entity == "tag":
            t = tables.registered_model_tags
            stmt, more = filter_sql._keyed_order(stmt, t, RM.c.name, "name", key)
        else:
            column = RM.c[key.key]
            more = filter_sql._sort_terms(column, key.ascending, column.is_(None))
        terms.extend(more)
    return stmt.order_by(*terms, filter_sql._bytewise(RM.c.name).asc())


def order_versions(stmt: Select[Any], clauses: Sequence[str] | None) -> Select[Any]:
    """Default ``name ASC, version_number DESC`` (newest version of each model first)."""
    terms: list[Any] = []
    for key in _orders(clauses, VERSION_SCHEMA):
        if key.entity == "tag":
            raise FilterSyntaxError(
                f"Model versions cannot be ordered by tags (tags.{key.key}); order by "
                "name, version_number, creation_timestamp or last_updated_timestamp."
            )
        column = MV.c[key.key]
        terms.extend(filter_sql._sort_terms(column, key.ascending, column.is_(None)))
    return stmt.order_by(*terms, filter_sql._bytewise(MV.c.name).asc(), MV.c.version.desc())
