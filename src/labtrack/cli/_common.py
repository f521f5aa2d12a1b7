"""What every command shares: the client, error handling, tables and times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any

import click

from labtrack.errors import LabtrackError
from labtrack.tracking.client import TrackingClient
from labtrack.utils.redact import redact

VIEWS = {"active": 1, "deleted": 2, "all": 3}


def client(ctx: click.Context):  # type: ignore[no-untyped-def]

    return TrackingClient(ctx.obj.get("tracking_uri"))


def friendly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn labtrack errors into a one-line message and exit code 1, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LabtrackError as exc:
            raise click.ClickException(redact(exc.message)) from None

    return wrapper


def time(ms: int | None) -> str:
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)
