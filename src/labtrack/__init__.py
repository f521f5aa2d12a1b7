"""labtrack: notebook-native experiment tracking with MLflow's API.

>>> import labtrack as mlflow
>>> with mlflow.start_run():                       # doctest: +SKIP
...     mlflow.log_param("alpha", 0.5)
...     mlflow.log_metric("rmse", 0.73)

Heavy libraries (SQLAlchemy, pandas, fsspec) load on first use, so importing is cheap.
"""

from labtrack import entities, errors, exceptions
from labtrack._jupyter_paths import (
    _jupyter_labextension_paths as _jupyter_labextension_paths,
)
from labtrack._jupyter_paths import (
    _jupyter_server_extension_points as _jupyter_server_extension_points,
)
from labtrack.entities import (
    Experiment,
    Metric,
    Param,
    Run,
    RunData,
    RunInfo,
    RunStatus,
    RunTag,
    ViewType,
)
from labtrack.errors import LabtrackError, MlflowException
from labtrack.notebook.hooks import install as _install_notebook_hooks
from labtrack.tracking.active_model import ActiveModel, clear_active_model, get_active_model_id
from labtrack.tracking.client import TrackingClient
from labtrack.tracking.fluent import (
    ActiveRun,
    active_run,
    create_experiment,
    delete_experiment,
    delete_run,
    end_run,
    get_artifact_uri,
    get_experiment,
    get_experiment_by_name,
    get_parent_run,
    get_registry_uri,
    get_run,
    get_tracking_uri,
    is_tracking_uri_set,
    last_active_run,
    restore_experiment,
    restore_run,
    search_experiments,
    set_experiment,
    set_experiment_tag,
    set_experiment_tags,
    set_registry_uri,
    set_tracking_uri,
    start_run,
)
from labtrack.tracking.fluent_logging import (
    delete_tag,
    flush,
    flush_artifact_async_logging,
    flush_async_logging,
    load_table,
    log_artifact,
    log_artifacts,
    log_dict,
    log_figure,
    log_image,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    log_table,
    log_text,
    set_tag,
    set_tags,
)
from labtrack.tracking.inputs import log_input, log_inputs, log_outputs
from labtrack.tracking.logged_models import (
    create_external_model,
    delete_logged_model_tag,
    finalize_logged_model,
    get_logged_model,
    initialize_logged_model,
    last_logged_model,
    log_model_params,
    search_logged_models,
    set_active_model,
    set_logged_model_tags,
)
from labtrack.tracking.search_frame import search_runs
from labtrack.utils.version import __version__

MlflowClient = TrackingClient

# Loaded on first use, so ``import labtrack`` stays light (PEP 562).
_LAZY = {
    "get_notebook_version": "labtrack.notebook.versions",
    "diff_notebook_versions": "labtrack.notebook.versions",
    "show_runs": "labtrack.widgets",
    "show_run": "labtrack.widgets",
    "compare": "labtrack.widgets",
    "autolog": "labtrack.tracking.autolog",
    "Image": "labtrack.tracking.media",
    "evaluate": "labtrack.models.evaluation",
    "register_model": "labtrack.tracking.registry_fluent",
    "search_registered_models": "labtrack.tracking.registry_fluent",
    "search_model_versions": "labtrack.tracking.registry_fluent",
    "reproduce_run": "labtrack.reproduce",
    "notebook_parameters": "labtrack.reproduce",
}


# Submodules MLflow code reaches as attributes (``mlflow.pyfunc.load_model``), imported on use.
_LAZY_MODULES = ("artifacts", "pyfunc", "sklearn", "models", "share", "widgets", "notebook", "data")


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f"labtrack.{name}")
    module = _LAZY.get(name)
    if module is None:
        # MLflow code reaching for a part labtrack lacks gets told what to do instead.
        from labtrack.utils.not_in_labtrack import missing_attribute

        raise missing_attribute(name)
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


# The notebook integration (its experiment, tags and version capture) plugs into tracking.
_install_notebook_hooks()


def load_ipython_extension(ipython) -> None:  # type: ignore[no-untyped-def]
    """``%load_ext labtrack``: register the magics (%%track, %experiment, %runs, ...)."""
    from labtrack.magics import load_ipython_extension as load

    load(ipython)


__all__ = [
    "ActiveModel",
    "ActiveRun",
    "Image",
    "Experiment",
    "LabtrackError",
    "Metric",
    "MlflowClient",
    "MlflowException",
    "Param",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "TrackingClient",
    "ViewType",
    "__version__",
    "active_run",
    "autolog",
    "clear_active_model",
    "create_experiment",
    "create_external_model",
    "delete_experiment",
    "delete_run",
    "delete_logged_model_tag",
    "delete_tag",
    "diff_notebook_versions",
    "end_run",
    "entities",
    "errors",
    "evaluate",
    "exceptions",
    "finalize_logged_model",
    "flush",
    "flush_artifact_async_logging",
    "flush_async_logging",
    "get_active_model_id",
    "get_artifact_uri",
    "get_experiment",
    "get_experiment_by_name",
    "get_logged_model",
    "get_notebook_version",
    "get_parent_run",
    "get_registry_uri",
    "get_run",
    "get_tracking_uri",
    "initialize_logged_model",
    "is_tracking_uri_set",
    "last_active_run",
    "load_table",
    "last_logged_model",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_input",
    "log_inputs",
    "log_metric",
    "log_metrics",
    "log_model_params",
    "log_outputs",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "notebook_parameters",
    "register_model",
    "reproduce_run",
    "restore_experiment",
    "restore_run",
    "search_experiments",
    "search_model_versions",
    "search_registered_models",
    "search_logged_models",
    "search_runs",
    "set_active_model",
    "set_experiment",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_registry_uri",
    "set_logged_model_tags",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "show_run",
    "show_runs",
    "compare",
    "start_run",
]
