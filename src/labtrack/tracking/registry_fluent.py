"""``labtrack.register_model``: register a logged model under a name (MLflow's fluent call).

>>> import labtrack as mlflow
>>> with mlflow.start_run() as run:                                        # doctest: +SKIP
...     mlflow.sklearn.log_model(model, "model")
>>> mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", "churn")   # doctest: +SKIP
>>> mv.version                                                              # doctest: +SKIP
1
"""

from __future__ import annotations

import os
from typing import Any

from labtrack.entities.model_registry import ModelVersion, RegisteredModel
from labtrack.tracking import _state

__all__ = ["register_model", "search_model_versions", "search_registered_models"]


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

    # The model is created only once the source and tags were checked: a refused call
    # leaves no empty registered model behind.
    return _state.client().create_model_version(name, model_uri, tags=tags, create_model=True)


def _all_pages(search: Any, max_results: int | None, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    token = None
    while True:
        want = 1000 if max_results is None else min(1000, max_results - len(out))
        page = search(max_results=want, page_token=token, **kwargs)
        out.extend(page)
        token = page.token
        if not token or (max_results is not None and len(out) >= max_results):
            return out


def search_registered_models(
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[RegisteredModel]:
    """Every registered model matching ``filter_string`` (``"name LIKE 'churn%'"``)."""
    return _all_pages(
        _state.client().search_registered_models,
        max_results,
        filter_string=filter_string,
        order_by=order_by,
    )


def search_model_versions(
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[ModelVersion]:
    """Every model version matching ``filter_string`` (``"name = 'churn'"``)."""
    return _all_pages(
        _state.client().search_model_versions,
        max_results,
        filter_string=filter_string,
        order_by=order_by,
    )
