"""``@remote``: a store contract method of the REST store, declared by its signature only and
answered by the server's store (``POST labtrack/api/store/<method>``)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

__all__ = ["remote"]

F = TypeVar("F", bound=Callable[..., Any])


class Caller(Protocol):
    """What a class with remote methods has: one way to call the server."""

    def call(self, name: str, arguments: dict[str, Any]) -> Any: ...


def remote(method: F) -> F:
    """Make a declared contract method call the server's method of the same name."""
    name = method.__name__
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(self: Caller, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        del arguments["self"]
        return self.call(name, arguments)

    return call  # type: ignore[return-value]
