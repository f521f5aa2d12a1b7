"""MLflow 3's logged models in the fluent API: find, tag and create models outside
``log_model``, and the model the process logged last.

>>> info = mlflow.sklearn.log_model(model, name="model")               # doctest: +SKIP
>>> mlflow.last_logged_model().model_id == info.model_id               # doctest: +SKIP
True
>>> mlflow.search_logged_models(filter_string="metrics.accuracy > 0.9", output_format="list")
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labtrack.entities.logged_model import LoggedModel, LoggedModelStatus
from labtrack.errors import InvalidParameterError
from labtrack.tracking import _state, context
from labtrack.tracking.active_model import ActiveModel, get_active_model_id
from labtrack.tracking.fluent import _resolve_experiment_id, active_run

__all__ = [
    "create_external_model",
    "delete_logged_model_tag",
    "finalize_logged_model",
    "get_logged_model",
    "initialize_logged_model",
    "last_logged_model",
    "log_model_params",
    "search_logged_models",
    "set_active_model",
    "set_logged_model_tags",
]

# MLflow's tag for a model whose files live outside the store.
MODEL_IS_EXTERNAL = "mlflow.model.isExternal"


def create_logged_model(
    name: str | None = None,
    source_run_id: str | None = None,
    tags: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    model_type: str | None = None,
    experiment_id: str | None = None,
) -> LoggedModel:
    """A PENDING logged model of the active run (if any) and experiment, with the run
    context's system tags (who, which source) under the given ones."""
    current = active_run()
    if source_run_id is None and current is not None:
        source_run_id = current.info.run_id
    if experiment_id is None:
        if current is not None:
            experiment_id = current.info.experiment_id
        elif source_run_id is not None:
            experiment_id = _state.client().get_run(source_run_id).info.experiment_id
        else:
            experiment_id = _resolve_experiment_id()
    all_tags = {**context.system_tags(), **{k: str(v) for k, v in (tags or {}).items()}}
    model = _state.client().create_logged_model(
        experiment_id, name, source_run_id, all_tags, params, model_type
    )
    remember(model.model_id)
    return model


def remember(model_id: str) -> None:
    """Make ``model_id`` what ``last_logged_model()`` returns."""
    _state.last_model_id = model_id


@contextlib.contextmanager
def finalizing(model: LoggedModel) -> Iterator[LoggedModel]:
    """READY when the block ends, FAILED (and the error raised on) when it raises."""
    try:
        yield model
    except BaseException:
        _state.client().finalize_logged_model(model.model_id, LoggedModelStatus.FAILED)
        raise
    _state.client().finalize_logged_model(model.model_id, LoggedModelStatus.READY)


def initialize_logged_model(
    name: str | None = None,
    source_run_id: str | None = None,
    tags: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    model_type: str | None = None,
    experiment_id: str | None = None,
) -> LoggedModel:
    """A PENDING logged model to fill in yourself; ``finalize_logged_model`` ends it."""
    return create_logged_model(name, source_run_id, tags, params, model_type, experiment_id)


def finalize_logged_model(model_id: str, status: Any) -> LoggedModel:
    """Mark a logged model READY or FAILED."""
    return _state.client().finalize_logged_model(model_id, status)


def create_external_model(
    name: str | None = None,
    source_run_id: str | None = None,
    tags: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
    model_type: str | None = None,
    experiment_id: str | None = None,
) -> LoggedModel:
    """A READY logged model whose files live elsewhere: only a minimal ``MLmodel`` is stored
    (so it can be registered), tagged ``mlflow.model.isExternal``."""
    model = create_logged_model(
        name,
        source_run_id,
        {**(tags or {}), MODEL_IS_EXTERNAL: "true"},
        params,
        model_type,
        experiment_id,
    )
    client = _state.client()
    # Imported here: tempfile (and datetime below) would add a dozen modules to `import labtrack`.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="labtrack-model-") as tmp:
        _external_mlmodel(model, Path(tmp) / "MLmodel")
        client.log_model_artifacts(model.model_id, tmp)
    return client.finalize_logged_model(model.model_id, LoggedModelStatus.READY)


def _external_mlmodel(model: LoggedModel, path: Path) -> None:
    """A minimal ``MLmodel`` (no flavors): enough to register the model, as MLflow writes."""
    from datetime import datetime, timezone

    import yaml  # lazy: only external models write YAML from here

    content: dict[str, Any] = {
        "artifact_path": model.artifact_location,
        "flavors": {},
        "model_id": model.model_id,
        "model_uuid": model.model_id,
        "run_id": model.source_run_id,
        "utc_time_created": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    path.write_text(yaml.safe_dump(content, sort_keys=True), encoding="utf-8")


def get_logged_model(model_id: str) -> LoggedModel:
    """The logged model with its params, tags and linked metrics."""
    return _state.client().get_logged_model(model_id)


def last_logged_model() -> LoggedModel | None:
    """The model this process logged (or created) last, or ``None``."""
    return get_logged_model(_state.last_model_id) if _state.last_model_id else None


def set_logged_model_tags(model_id: str, tags: dict[str, Any]) -> None:
    _state.client().set_logged_model_tags(model_id, tags)


def delete_logged_model_tag(model_id: str, key: str) -> None:
    _state.client().delete_logged_model_tag(model_id, key)


def log_model_params(params: dict[str, Any], model_id: str | None = None) -> None:
    """Add params to a logged model (by default the active one, else the one logged last)."""
    model_id = model_id or get_active_model_id() or _state.last_model_id
    if model_id is None:
        raise InvalidParameterError(
            "log_model_params needs a model: give model_id=, or log a model first."
        )
    _state.client().log_model_params(model_id, params)


def search_logged_models(
    experiment_ids: list[str] | None = None,
    filter_string: str | None = None,
    datasets: list[dict[str, Any]] | None = None,
    max_results: int | None = None,
    order_by: list[dict[str, Any]] | None = None,
    output_format: str = "pandas",
) -> Any:
    """Logged models matching the filter, as a pandas DataFrame (MLflow's columns) or, with
    ``output_format="list"``, a list of :class:`LoggedModel`. Searches the active experiment
    by default."""
    if output_format not in ("pandas", "list"):
        raise InvalidParameterError(
            f"Unsupported output format: {output_format!r}. Supported string values are "
            "'pandas' or 'list'"
        )
    ids = experiment_ids or [_resolve_experiment_id()]
    client = _state.client()
    models: list[LoggedModel] = []
    token = None
    while True:
        page = client.search_logged_models(
            ids, filter_string, datasets, max_results, order_by, token
        )
        models.extend(page)
        token = page.token
        if not token or (max_results is not None and len(models) >= max_results):
            break
    if max_results is not None:
        models = models[:max_results]
    if output_format == "list":
        return models
    import pandas as pd

    rows = []
    for model in models:
        row = model.to_dictionary()
        row["status"] = model.status
        rows.append(row)
    return pd.DataFrame(rows, columns=LOGGED_MODEL_COLUMNS)


# The columns of search_logged_models' DataFrame, as MLflow gives them.
LOGGED_MODEL_COLUMNS = [
    "artifact_location",
    "creation_timestamp",
    "experiment_id",
    "last_updated_timestamp",
    "metrics",
    "model_id",
    "model_type",
    "name",
    "params",
    "source_run_id",
    "status",
    "status_message",
    "tags",
]


def set_active_model(*, name: str | None = None, model_id: str | None = None) -> ActiveModel:
    """Make a logged model active: by ``model_id``, or by ``name`` (the newest model of that
    name in the active experiment, created as an external model if there is none)."""
    if name is None and model_id is None:
        raise InvalidParameterError("set_active_model needs name= or model_id=.")
    if model_id is not None:
        model = get_logged_model(model_id)
        if name is not None and model.name != name:
            raise InvalidParameterError(
                f"LoggedModel with model_id {model_id!r} has name {model.name!r}, which does not "
                f"match the provided name {name!r}. Give one of the two, or matching ones."
            )
        return ActiveModel(model)
    found: list[Any] = search_logged_models(
        filter_string=f"name = '{_quoted(str(name))}'", max_results=1, output_format="list"
    )
    model = found[0] if found else create_external_model(name=name)
    return ActiveModel(model)


def _quoted(value: str) -> str:
    if "'" in value:
        raise InvalidParameterError(
            f"set_active_model(name=...) cannot look up a name with a quote in it: {value!r}. "
            "Give model_id= instead."
        )
    return value
