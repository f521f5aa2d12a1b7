"""``labtrack.register_model``: register a logged model under a name (MLflow's fluent call).

>>> import labtrack as mlflow
>>> with mlflow.start_run() as run:                                        # doctest: +SKIP
...     mlflow.sklearn.log_model(model, "model")
>>> mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", "churn")   # doctest: +SKIP
>>> mv.version                                                              # doctest: +SKIP
1
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from labtrack.entities.model_registry import ModelVersion
from labtrack.errors import ResourceAlreadyExistsError
from labtrack.tracking import _state

__all__ = ["register_model"]


def register_model(
    model_uri: str | os.PathLike[str],
    name: str,
    await_registration_for: int = 300,
    *,
    tags: dict[str, Any] | None = None,
) -> ModelVersion:
    """Create the registered model ``name`` if needed and add a version from ``model_uri``.

    ``model_uri`` is ``runs:/<run_id>/<path>`` (referenced in place), ``models:/...`` or a local
    model folder (copied into the store). Registration is synchronous, so
    ``await_registration_for`` is accepted and unused. Returns the new :class:`ModelVersion`.
    """

    client = _state.client()
    with contextlib.suppress(ResourceAlreadyExistsError):  # it exists: add a version
        client.create_registered_model(name)
    return client.create_model_version(name, model_uri, tags=tags)
