"""Search filters and order-by for logged models (``search_logged_models``), compiled to SQL.

The filter language is the runs' one (:mod:`labtrack.store.search_filter`, so ``OR``, ``NOT``
and parentheses work too) over these columns, as MLflow names them:

- attributes: ``name``, ``model_id``, ``model_type``, ``status`` (``'READY'``...),
  ``source_run_id``, ``artifact_location``, ``creation_timestamp`` (``creation_time``),
  ``last_updated_timestamp``;
- ``metrics.<key>``: a model matches when any of its linked points does (MLflow's rule), and
  only points measured on the given ``datasets`` count when some are given;
- ``params.<key>``, ``tags.<key>``.

Order-by takes MLflow's dicts (``{"field_name": "metrics.accuracy", "ascending": False,
"dataset_name": ...}``) or strings (``"name ASC"``). A metric orders by the model's latest point
of that key; ties fall back to newest first, then ``model_id``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select

from labtrack.entities.logged_model import LoggedModelStatus
from labtrack.errors import FilterSyntaxError, InvalidParameterError
from labtrack.store import search_filter
from labtrack.store.search_filter import Comparison, OrderKey
from labtrack.store.search_filter_lexer import Schema
from labtrack.store.sql import filter_sql, tables

_models = tables.logged_models
_metrics = tables.logged_model_metrics

SCHEMA = Schema(
    "logged models",
    frozenset(("metric", "param", "tag", "attribute")),
    {
        "name": ("name", "string"),
        "model_id": ("model_id", "string"),
        "model_type": ("model_type", "string"),
        "status": ("status", "string"),
        "source_run_id": ("source_run_id", "string"),
        "artifact_location": ("artifact_location", "string"),
        "creation_timestamp": ("creation_timestamp_ms", "number"),
        "creation_time": ("creation_timestamp_ms", "number"),
        "creation_timestamp_ms": ("creation_timestamp_ms", "number"),
        "last_updated_timestamp": ("last_updated_timestamp_ms", "number"),
        "last_updated_timestamp_ms": ("last_updated_timestamp_ms", "number"),
    },
    {},
    {},
)

# (dataset_name, dataset_digest or None): the datasets a search's metrics are restricted to.
DatasetFilter = tuple[str, str | None]


def dataset_filters(datasets: Sequence[Mapping[str, Any]] | None) -> list[DatasetFilter]:
    """MLflow's ``datasets=[{"dataset_name": ..., "dataset_digest": ...}]``, checked."""
    out: list[DatasetFilter] = []
    for item in datasets or ():
        name = item.get("dataset_name") if isinstance(item, Mapping) else None
        if not name:
            raise InvalidParameterError(
                "Each entry of datasets needs a dataset_name: "
                '[{"dataset_name": "train", "dataset_digest": "<optional>"}].'
            )
        out.append((str(name), item.get("dataset_digest")))
    return out


def _on_datasets(datasets: Sequence[DatasetFilter], row: Any) -> list[ColumnElement[bool]]:
    if not datasets:
        return []
    return [
        sa.or_(
            *(
                sa.and_(
                    row.c.dataset_name == name,
                    *([row.c.dataset_digest == digest] if digest else []),
                )
                for name, digest in datasets
            )
        )
    ]


def _status_test(c: Comparison) -> ColumnElement[bool]:
    column = _models.c.status
    if c.op in ("IS NULL", "IS NOT NULL"):
        return column.is_(None) if c.op == "IS NULL" else column.is_not(None)
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    numbers = [LoggedModelStatus.parse(v).to_int() for v in values]
    if c.op in ("=", "IN"):
        return column.in_(numbers)
    if c.op in ("!=", "NOT IN"):
        return column.not_in(numbers)
    raise FilterSyntaxError(
        f"status takes = != IN or NOT IN (status = 'READY'); got {c.op}.", str(c.value), 0
    )


def _metric_test(c: Comparison, datasets: Sequence[DatasetFilter]) -> ColumnElement[bool]:
    row = _metrics.alias()
    found: Select[Any] = (
        sa.select(sa.literal_column("1"))
        .select_from(row)
        .where(
            row.c.model_id == _models.c.model_id, row.c.key == c.key, *_on_datasets(datasets, row)
        )
        .correlate(_models)
    )
    if c.op == "IS NULL":
        return ~found.exists()
    if c.op == "IS NOT NULL":
        return found.exists()
    value = float(c.value)  # type: ignore[arg-type]
    test: ColumnElement[bool]
    if math.isnan(value):
        test = row.c.is_nan.is_(c.op == "=")
    elif c.op == "!=":
        test = sa.or_(row.c.is_nan.is_(True), row.c.value != value)
    else:
        test = sa.and_(row.c.is_nan.is_(False), filter_sql._ORDERING[c.op](row.c.value, value))
    return found.where(test).exists()


def where(text: str | None, datasets: Sequence[DatasetFilter]) -> ColumnElement[bool]:
    """The WHERE condition over ``logged_models`` for a filter string and dataset filters."""
    node = search_filter._parse(text, SCHEMA)

    def leaf(c: Comparison) -> ColumnElement[bool]:
        if c.entity == "metric":
            return _metric_test(c, datasets)
        if c.entity == "param":
            return filter_sql._keyed_test(
                tables.logged_model_params, _models.c.model_id, "model_id", c
            )
        if c.entity == "tag":
            return filter_sql._keyed_test(
                tables.logged_model_tags, _models.c.model_id, "model_id", c
            )
        if c.key == "status":
            return _status_test(c)
        return filter_sql._column_test(_models.c[c.key], c)

    condition = sa.true() if node is None else filter_sql._compile(node, leaf)
    if datasets and not _mentions_metrics(text):
        # As in MLflow: with datasets and no metric filter, a model needs a point on one of them.
        row = _metrics.alias()
        any_point: Select[Any] = (
            sa.select(sa.literal_column("1"))
            .select_from(row)
            .where(row.c.model_id == _models.c.model_id, *_on_datasets(datasets, row))
            .correlate(_models)
        )
        condition = sa.and_(condition, any_point.exists())
    return condition


def _mentions_metrics(text: str | None) -> bool:
    node = search_filter._parse(text, SCHEMA)
    stack: list[Any] = [node] if node is not None else []
    while stack:
        item = stack.pop()
        if isinstance(item, Comparison):
            if item.entity == "metric":
                return True
        elif hasattr(item, "items"):
            stack.extend(item.items)
        elif hasattr(item, "item"):
            stack.append(item.item)
    return False


def _order_clause(clause: Any) -> tuple[OrderKey, list[DatasetFilter]]:
    if isinstance(clause, str):
        return search_filter._parse_orders([clause], SCHEMA)[0], []
    if not isinstance(clause, Mapping) or not clause.get("field_name"):
        raise InvalidParameterError(
            f"Invalid order_by entry {clause!r}: give dicts such as "
            '{"field_name": "metrics.accuracy", "ascending": False} (or "name ASC").'
        )
    field = str(clause["field_name"])
    direction = "ASC" if clause.get("ascending", True) else "DESC"
    key = search_filter._parse_orders([f"{_quoted(field)} {direction}"], SCHEMA)[0]
    name = clause.get("dataset_name")
    return key, [(str(name), clause.get("dataset_digest"))] if name else []


def _quoted(field: str) -> str:
    """``metrics.my key`` -> ``metrics.`my key``` so keys with spaces or dots parse."""
    prefix, dot, key = field.partition(".")
    if dot and prefix.lower() in ("metrics", "metric", "params", "param", "tags", "tag"):
        return f"{prefix}.`{key}`"
    return field


def order(stmt: Select[Any], clauses: Sequence[Any] | None) -> Select[Any]:
    """Order a query over ``logged_models``; newest first, then ``model_id``, break ties."""
    terms: list[Any] = []
    for clause in clauses or ():
        key, datasets = _order_clause(clause)
        if key.entity == "metric":
            latest = _latest_metric(key.key, datasets)
            stmt = stmt.outerjoin(latest, latest.c.model_id == _models.c.model_id)
            nan = latest.c.is_nan.is_(True)
            terms += filter_sql._sort_terms(
                latest.c.value, key.ascending, latest.c.value.is_(None), nan
            )
        elif key.entity in ("param", "tag"):
            table = (
                tables.logged_model_params if key.entity == "param" else tables.logged_model_tags
            )
            stmt, more = filter_sql._keyed_order(stmt, table, _models.c.model_id, "model_id", key)
            terms += more
        else:
            column = _models.c[key.key]
            terms += filter_sql._sort_terms(column, key.ascending, column.is_(None))
    terms += [_models.c.creation_timestamp_ms.desc(), _models.c.model_id.asc()]
    return stmt.order_by(*terms)


def _latest_metric(key: str, datasets: Sequence[DatasetFilter]) -> Any:
    """Each model's latest point of ``key`` (by timestamp, then step), as a subquery."""
    row = _metrics.alias()
    ranked = (
        sa.select(
            row.c.model_id,
            row.c.value,
            row.c.is_nan,
            sa.func.row_number()
            .over(
                partition_by=row.c.model_id,
                order_by=[row.c.timestamp.desc(), row.c.step.desc(), row.c.run_id.asc()],
            )
            .label("rank"),
        )
        .where(row.c.key == key, *_on_datasets(datasets, row))
        .subquery()
    )
    return (
        sa.select(ranked.c.model_id, ranked.c.value, ranked.c.is_nan)
        .where(ranked.c.rank == 1)
        .subquery()
    )
