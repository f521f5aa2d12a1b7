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


def _model_test(comparison: Comparison) -> ColumnElement[bool]:
    models = tables.registered_models
    if comparison.entity == "tag":
        return filter_sql._keyed_test(
            tables.registered_model_tags, models.c.name, "name", comparison
        )
    return filter_sql._column_test(models.c[comparison.key], comparison)


def _version_tag_test(comparison: Comparison) -> ColumnElement[bool]:
    versions = tables.model_versions
    tag = tables.model_version_tags.alias()
    found: Select[Any] = (
        sa.select(sa.literal_column("1"))
        .select_from(tag)
        .where(
            tag.c.name == versions.c.name,
            tag.c.version == versions.c.version,
            tag.c.key == comparison.key,
        )
        .correlate(versions)
    )
    if comparison.op == "IS NULL":
        return ~found.exists()
    if comparison.op != "IS NOT NULL":
        found = found.where(
            tag.c.value.is_not(None),
            filter_sql._string_test(tag.c.value, comparison.op, comparison.value),
        )
    return found.exists()


def _version_test(comparison: Comparison) -> ColumnElement[bool]:
    if comparison.entity == "tag":
        return _version_tag_test(comparison)
    return filter_sql._column_test(tables.model_versions.c[comparison.key], comparison)


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
    models = tables.registered_models
    terms: list[Any] = []
    for key in _orders(clauses, MODEL_SCHEMA):
        if key.entity == "tag":
            tag_table = tables.registered_model_tags
            stmt, more = filter_sql._keyed_order(stmt, tag_table, models.c.name, "name", key)
        else:
            column = models.c[key.key]
            more = filter_sql._sort_terms(column, key.ascending, column.is_(None))
        terms.extend(more)
    return stmt.order_by(*terms, filter_sql._bytewise(models.c.name).asc())


def order_versions(stmt: Select[Any], clauses: Sequence[str] | None) -> Select[Any]:
    """Default ``name ASC, version_number DESC`` (newest version of each model first)."""
    versions = tables.model_versions
    terms: list[Any] = []
    for key in _orders(clauses, VERSION_SCHEMA):
        if key.entity == "tag":
            raise FilterSyntaxError(
                f"Model versions cannot be ordered by tags (tags.{key.key}); order by "
                "name, version_number, creation_timestamp or last_updated_timestamp."
            )
        column = versions.c[key.key]
        terms.extend(filter_sql._sort_terms(column, key.ascending, column.is_(None)))
    return stmt.order_by(
        *terms, filter_sql._bytewise(versions.c.name).asc(), versions.c.version.desc()
    )
