"""The active model (MLflow 3's ``set_active_model``, in ``logged_models``): metrics logged
without ``model_id=`` link to it.

>>> with mlflow.set_active_model(name="agent") as model:          # doctest: +SKIP
...     mlflow.log_metric("accuracy", 0.9)                         # linked to model.model_id

The choice is per thread, as in MLflow; a thread that made none starts from the
``MLFLOW_ACTIVE_MODEL_ID`` environment variable (so a subprocess can inherit it).
"""

from __future__ import annotations

import os
import threading
from dataclasses import fields

from labtrack import config
from labtrack.entities.logged_model import LoggedModel

__all__ = ["ActiveModel", "clear_active_model", "get_active_model_id"]

# MLflow's public variable first, then its older internal one.
ENV_VARS = ("MLFLOW_ACTIVE_MODEL_ID", "_MLFLOW_ACTIVE_MODEL_ID")


class _Context(threading.local):
    # ``model_id`` None and ``chosen`` False: nothing chosen in this thread yet (read the env).
    model_id: str | None = None
    chosen: bool = False


_context = _Context()


def _from_env() -> str | None:
    return config.env_first(ENV_VARS)  # on every log_metric: the fast lookup


def chosen_model_id() -> str | None:
    """The model ``set_active_model`` chose in this thread, without reading the environment
    (what :func:`get_active_model_id` gives when ``ENV_VARS`` are all unset)."""
    return _context.model_id if _context.chosen else None


def get_active_model_id() -> str | None:
    """The active model's id in this thread, else ``MLFLOW_ACTIVE_MODEL_ID``, else None."""
    return _context.model_id if _context.chosen else _from_env()


class ActiveModel(LoggedModel):
    """The logged model ``set_active_model`` made active; as a context manager, the model that
    was active before comes back on exit."""

    def __init__(self, logged_model: LoggedModel) -> None:
        super().__init__(**{f.name: getattr(logged_model, f.name) for f in fields(logged_model)})
        self._previous = (_context.model_id, _context.chosen)
        _context.model_id, _context.chosen = logged_model.model_id, True

    def __enter__(self) -> ActiveModel:
        return self

    def __exit__(self, *exc: object) -> None:
        _context.model_id, _context.chosen = self._previous


def clear_active_model() -> None:
    """No active model in this thread, and none from ``MLFLOW_ACTIVE_MODEL_ID`` any more."""
    for name in ENV_VARS:
        os.environ.pop(name, None)
    _context.model_id, _context.chosen = None, False
