"""The runs query the sidebar sends, turned into one filter string for the store.

Quick filters (status, start time, "has a model") are added as clauses of the same filter
language, so the database does all the filtering. The user's own filter is parsed on its own
first, so an error points at the right character of what the user typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labtrack.entities import status_name
from labtrack.errors import InvalidParameterError
from labtrack.store import search_filter
from labtrack.utils.mlflow_tags import LOGGED_MODELS, REGISTERED_MODELS

MAX_PAGE = 10_000


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _flag(value: str | None, name: str) -> bool | None:
    if value in (None, ""):
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise InvalidParameterError(f"{name} must be true or false; got {value!r}.")


@dataclass
class RunQuery:
    experiment_ids: list[str]
    filter_string: str = ""
    order_by: list[str] = field(default_factory=list)
    max_results: int = 100
    page_token: str | None = None
    columns: list[str] | None = None
    view: int = 1
    statuses: list[str] = field(default_factory=list)
    started_after: int | None = None
    has_model: bool | None = None
    has_registered_model: bool | None = None

    @classmethod
    def from_handler(cls, handler, view: int) -> RunQuery:  # type: ignore[no-untyped-def]
        ids = handler.list_arg("experiment_id")
        if not ids:
            raise InvalidParameterError("Give experiment_id (one or more, comma-separated).")
        started = handler.arg("started_after")
        try:
            started_after = int(started) if started else None
        except ValueError:
            raise InvalidParameterError(
                f"started_after must be milliseconds since the epoch; got {started!r}."
            ) from None
        columns = handler.list_arg("columns")
        return cls(
            experiment_ids=ids,
            filter_string=handler.arg("filter") or "",
            order_by=handler.list_arg("order_by"),
            max_results=handler.int_arg("max_results", 100, 1, MAX_PAGE),
            page_token=handler.arg("page_token") or None,
            columns=columns if handler.get_query_arguments("columns") else None,
            view=view,
            statuses=[status_name(s) for s in handler.list_arg("status")],
            started_after=started_after,
            has_model=_flag(handler.arg("has_model"), "has_model"),
            has_registered_model=_flag(handler.arg("has_registered_model"), "has_registered_model"),
        )

    def full_filter(self) -> str:
        """The user's filter AND the quick filters, as one filter string."""
        search_filter.parse_filter(self.filter_string)  # errors point into the user's text
        clauses = [f"({self.filter_string})"] if self.filter_string.strip() else []
        if self.statuses:
            clauses.append(
                "attributes.status IN (" + ", ".join(_quote(s) for s in self.statuses) + ")"
            )
        if self.started_after is not None:
            clauses.append(f"attributes.start_time >= {self.started_after}")
        for flag, tag in (
            (self.has_model, LOGGED_MODELS),
            (self.has_registered_model, REGISTERED_MODELS),
        ):
            if flag is not None:
                clauses.append(f"tags.`{tag}` IS {'NOT ' if flag else ''}NULL")
        return " AND ".join(clauses)
