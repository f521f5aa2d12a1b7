"""What to say when MLflow code reaches for a part of MLflow that labtrack does not have.

``import labtrack as mlflow`` then ``mlflow.pytorch.log_model(...)`` would otherwise fail with
Python's bare "module 'labtrack' has no attribute 'pytorch'", which reads like a labtrack bug.
The error stays an ``AttributeError`` (so ``hasattr`` and ``getattr(..., default)`` behave), but
its message says what labtrack does instead. The full list, with reasons, is
``docs/mlflow-compatibility.md``; keep the two in step.

Nothing is imported here: ``labtrack.__getattr__`` loads this module on a miss, and ``import
labtrack`` stays light.
"""

from __future__ import annotations

_SEE = "See 'MLflow compatibility' in labtrack's documentation (docs/mlflow-compatibility.md)."

_FLAVOR = (
    "labtrack has no {name} flavor (MLflow's mlflow.{name}). It saves scikit-learn models "
    "(labtrack.sklearn.log_model) and Python models (labtrack.pyfunc.log_model(python_model=...)); "
    "wrap a {name} model in a labtrack.pyfunc.PythonModel, or save it with its own library and "
    "log the file with labtrack.log_artifact."
)
_TRACING = (
    "labtrack does not record GenAI traces (MLflow's mlflow.{name}): it tracks runs, their "
    "parameters, metrics, artifacts and models. Log what a call produced with labtrack.log_dict "
    "or labtrack.log_table."
)
_PROJECTS = (
    "labtrack does not run MLflow Projects (mlflow.{name}): run the script or notebook itself "
    "inside labtrack.start_run(); a notebook's run can be re-run from its captured version in "
    'JupyterLab ("Reproduce run" on the run page).'
)
_DEPLOYMENTS = (
    "labtrack has no deployments client or AI gateway (mlflow.{name}): it serves registered "
    "models from JupyterLab (the Serving tab of a model page) or with `labtrack serve`."
)
_SYSTEM_METRICS = (
    "labtrack does not sample system metrics (mlflow.{name}); log the figures you need with "
    "labtrack.log_metric."
)
_DATABRICKS = (
    "mlflow.{name} is Databricks-only; labtrack tracks to a local SQLite store (the default) or "
    "a PostgreSQL URI given to labtrack.set_tracking_uri."
)

_FLAVORS = [
    "pytorch",
    "tensorflow",
    "keras",
    "xgboost",
    "lightgbm",
    "catboost",
    "transformers",
    "sentence_transformers",
    "langchain",
    "llama_index",
    "openai",
    "onnx",
    "statsmodels",
    "prophet",
    "spacy",
    "h2o",
    "fastai",
    "paddle",
    "pmdarima",
    "diviner",
    "johnsnowlabs",
    "promptflow",
    "dspy",
    "gluon",
    "shap",
]

MESSAGES: dict[str, str] = {
    **{name: _FLAVOR for name in _FLAVORS},
    "spark": (
        "labtrack has no Spark support (MLflow's mlflow.spark, pyfunc.spark_udf): it tracks "
        "single-process Python work from JupyterLab. Collect a Spark DataFrame with toPandas() "
        "before logging or evaluating it."
    ),
    "pyspark": (
        "labtrack has no Spark support (MLflow's mlflow.pyspark.ml autologging): it tracks "
        "single-process Python work; autologging covers scikit-learn (labtrack.sklearn.autolog)."
    ),
    **{name: _TRACING for name in ("genai", "tracing", "trace", "start_span", "search_traces")},
    **{name: _TRACING for name in ("get_trace", "update_current_trace", "get_current_active_span")},
    **{name: _PROJECTS for name in ("projects", "run")},
    **{name: _DEPLOYMENTS for name in ("deployments", "gateway")},
    **{
        name: _SYSTEM_METRICS
        for name in (
            "enable_system_metrics_logging",
            "disable_system_metrics_logging",
            "set_system_metrics_sampling_interval",
            "set_system_metrics_samples_before_logging",
        )
    },
    "login": _DATABRICKS,
}


def missing_attribute(name: str) -> AttributeError:
    """The ``AttributeError`` for ``labtrack.<name>``: MLflow's part named and what to do."""
    template = MESSAGES.get(name)
    if template is None:
        return AttributeError(f"module 'labtrack' has no attribute {name!r}")
    return AttributeError(f"{template.format(name=name)} {_SEE}")
