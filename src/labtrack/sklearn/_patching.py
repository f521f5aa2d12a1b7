"""Installing and removing autologging patches, and the per-thread autologging state.

Methods are replaced by :class:`PatchedMethod`, a descriptor that wraps whatever the class had
(a plain function or one of scikit-learn's ``available_if`` descriptors, so ``hasattr(pipe,
"predict_proba")`` keeps its meaning). ``unpatch_all`` puts every original back exactly: an
attribute the class defined itself is restored, an inherited one is deleted again.
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AutologgingWarning", "Config", "PatchedMethod", "local", "patch_method"]

# hook(bound_original, instance, args, kwargs) -> result
Hook = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]


class AutologgingWarning(UserWarning):
    """Something autologging tried to record was not recorded; the user's code ran normally."""


@dataclass
class Config:
    log_models: bool = True
    log_input_examples: bool = False
    log_model_signatures: bool = True
    log_post_training_metrics: bool = True
    log_datasets: bool = True
    max_tuning_runs: int | None = 5
    exclusive: bool = False
    silent: bool = False
    serialization_format: str = "skops"
    registered_model_name: str | None = None
    pos_label: Any = None
    extra_tags: dict[str, Any] = field(default_factory=dict)


# The active configuration; None while autologging is off.
config: Config | None = None
# Who set it last: "integration" (labtrack.sklearn.autolog), "global" (labtrack.autolog), or
# None (nobody yet). labtrack.autolog leaves an integration's own choice alone (MLflow's rule).
configured_by: str | None = None


class _Local(threading.local):
    depth = 0  # > 0 inside an autologged fit: inner fits run unlogged
    disabled = 0  # > 0 inside cross_val_score and similar: no autologging at all
    quiet = 0  # > 0 while labtrack computes metrics itself: no post-training capture


local = _Local()


@contextmanager
def raised(attr: str) -> Iterator[None]:
    setattr(local, attr, getattr(local, attr) + 1)
    try:
        yield
    finally:
        setattr(local, attr, getattr(local, attr) - 1)


class PatchedMethod:
    """Stands in for an estimator method and routes calls through ``hook``."""

    def __init__(self, raw: Any, hook: Hook) -> None:
        self.raw = raw
        self.hook = hook
        self.__doc__ = getattr(raw, "__doc__", None)

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        get = getattr(self.raw, "__get__", None)
        bound = get(obj, owner) if get is not None else self.raw
        if obj is None:
            return bound
        hook = self.hook

        @functools.wraps(bound)
        def call(*args: Any, **kwargs: Any) -> Any:
            return hook(bound, obj, args, kwargs)

        return call


# (owner, name, had its own attribute, that attribute)
_installed: list[tuple[Any, str, bool, Any]] = []


def patch_method(cls: type, name: str, hook: Hook) -> bool:
    try:
        raw = inspect.getattr_static(cls, name)
    except AttributeError:
        return False
    if isinstance(raw, PatchedMethod):
        raw = raw.raw  # inherited from a class patched earlier: wrap the original
    if not (callable(raw) or hasattr(raw, "__get__")) or isinstance(raw, (property, type)):
        return False
    had = name in cls.__dict__
    _installed.append((cls, name, had, cls.__dict__.get(name)))
    setattr(cls, name, PatchedMethod(raw, hook))
    return True


def patch_function(module: Any, name: str, wrapper: Callable[..., Any]) -> None:
    _installed.append((module, name, True, getattr(module, name)))
    setattr(module, name, wrapper)


def unpatch_all() -> None:
    while _installed:
        owner, name, had, original = _installed.pop()
        if had:
            setattr(owner, name, original)
        else:
            with suppress(AttributeError):
                delattr(owner, name)


def is_patched() -> bool:
    return bool(_installed)


def user_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside labtrack."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("labtrack."):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def warn(message: str) -> None:
    if config is not None and config.silent:
        return
    warnings.warn(message, AutologgingWarning, stacklevel=user_stacklevel())
