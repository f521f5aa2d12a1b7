"""When a model saved as a pickle may be loaded, and what the caller is told.

Unpickling runs code stored in the file: the same trust as ``pickle.load``. The rule:

- ``allow_unsafe=None`` (the default of ``load_model``): a user loading a model in their own
  Python process made an explicit call, as they would with ``pickle.load``. It loads, with a
  :class:`UnsafeModelWarning` (MLflow loads these silently).
  ``LABTRACK_ALLOW_PICKLE_DESERIALIZATION`` or MLflow's ``MLFLOW_ALLOW_PICKLE_DESERIALIZATION``
  set to ``false`` refuses instead.
- ``allow_unsafe=False``: refused with :class:`~labtrack.errors.UnsafeModelError`. Serving does
  this unless the server was started with ``c.Labtrack.allow_unsafe_models = True``: a REST
  request never makes the server unpickle a file.
- ``allow_unsafe=True``: loads, no warning.

skops files never come here: loading them runs no code from the file (see
:mod:`labtrack.sklearn.serialize`).
"""

from __future__ import annotations

import sys
import warnings

from labtrack import config
from labtrack.errors import UnsafeModelError

__all__ = [
    "PickleRefusedError",
    "UnsafeModelWarning",
    "check_pickle_load",
    "pickle_save_warning",
]


class UnsafeModelWarning(UserWarning):
    """A model saved as a pickle was loaded: its file could run any code."""


def _user_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside labtrack."""
    level, frame = 1, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("labtrack."):
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    return level


def _env_refuses() -> bool:
    value = config.env_value("ALLOW_PICKLE_DESERIALIZATION")
    return value is not None and value.strip().lower() in ("false", "0", "no", "off")


class PickleRefusedError(UnsafeModelError):
    """A pickle refused by policy: the one refusal a switch (``allow_unsafe``, the server's
    ``allow_unsafe_models``, ``--allow-unsafe``) can lift. A skops file holding untrusted types
    or a tampered tree is refused whatever the switches say, so its error never names them."""


def check_pickle_load(allow_unsafe: bool | None, what: str) -> None:
    """Raise :class:`UnsafeModelError` if the pickle ``what`` describes may not be loaded here;
    warn when it loads by default."""
    if allow_unsafe is True:
        return
    if allow_unsafe is False or _env_refuses():
        how = (
            "unset LABTRACK_ALLOW_PICKLE_DESERIALIZATION / MLFLOW_ALLOW_PICKLE_DESERIALIZATION "
            "or pass allow_unsafe=True"
            if allow_unsafe is None
            else "pass allow_unsafe=True"
        )
        raise PickleRefusedError(
            f"{what} is a pickle: loading it runs arbitrary code stored in the file, so anyone "
            "who could write to the model's location could run code on this machine. If you "
            f"trust its source, {how}; better, save models with the default "
            "serialization_format='skops'."
        )
    warnings.warn(
        f"{what} is a pickle: loading it runs code stored in the file (the same trust as "
        "pickle.load). Load only models from sources you trust; set "
        "LABTRACK_ALLOW_PICKLE_DESERIALIZATION=false to refuse them, and prefer "
        "serialization_format='skops'.",
        UnsafeModelWarning,
        stacklevel=_user_stacklevel(),
    )


def pickle_save_warning(flavor: str) -> None:
    """MLflow's warning when a model is saved as a pickle."""
    warnings.warn(
        f"Saving {flavor} models in the pickle or cloudpickle format requires exercising "
        "caution because these formats rely on Python's object serialization mechanism, which "
        "can execute arbitrary code during deserialization. The recommended safe alternative is "
        "the 'skops' format.",
        UnsafeModelWarning,
        stacklevel=_user_stacklevel(),
    )
