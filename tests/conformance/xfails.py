"""The ratchet: snippets that do not yet run unchanged under labtrack, with what differs.

Each entry makes ``test_conformance.py`` expect that snippet to fail (``xfail(strict=True)``).
When labtrack is fixed the snippet passes, the strict xfail turns into a failure (XPASS), and
the entry must go: the count of entries only goes down. Regenerate after a fix with
``python -m tests.conformance xfails --write``; never add an entry for a snippet that passed.
"""

from __future__ import annotations

import pprint
from pathlib import Path

PATH = Path(__file__)

XFAIL: dict[str, str] = {
    "autolog_model_logged": "AttributeError: module 'labtrack' has no attribute "
    "'last_logged_model'",
    "autolog_model_logged_v2": "runs[0].inputs.length: mlflow=1 labtrack=0",
    "autolog_sklearn": "runs[0].inputs.length: mlflow=2 labtrack=0",
    "data_from_numpy": "AttributeError: module 'labtrack' has no attribute 'data'",
    "data_from_pandas_log_input": "AttributeError: module 'labtrack' has no attribute 'data'",
    "data_sklearn_training_dataset": "AttributeError: module 'labtrack' has no attribute 'data'",
    "entities_run_objects": "results[5] (only in each): mlflow=['inputs', 'outputs'] labtrack=[]",
    "evaluate_classifier": "TypeError: log_model() got an unexpected keyword argument 'name'",
    "evaluate_classifier_static": "runs[0].inputs.length: mlflow=1 labtrack=0",
    "evaluate_regressor_v2": "runs[0].inputs.length: mlflow=1 labtrack=0",
    "evaluate_static_predictions": "runs[0].inputs.length: mlflow=1 labtrack=0",
    "examples_elasticnet_train": "runs[0].artifacts (only in each): mlflow=[] "
    "labtrack=['model/MLmodel']",
    "logged_models_last_logged_model": "TypeError: log_model() got an unexpected keyword "
    "argument 'name'",
    "logged_models_metrics_link": "TypeError: log_model() got an unexpected keyword argument "
    "'name'",
    "logged_models_search": "TypeError: log_model() got an unexpected keyword argument 'name'",
    "models_model_info": "TypeError: log_model() got an unexpected keyword argument 'name'",
    "models_sklearn_log_model_v3": "TypeError: log_model() got an unexpected keyword argument "
    "'name'",
    "models_sklearn_runs_uri": "runs[0].artifacts (only in each): mlflow=[] "
    "labtrack=['model/MLmodel']",
    "pyfunc_context_artifacts": "runs[0].artifacts (only in each): mlflow=[] "
    "labtrack=['scaled/MLmodel']",
    "pyfunc_python_model": "runs[0].artifacts (only in each): mlflow=[] labtrack=['model/MLmodel']",
    "registry_aliases": "TypeError: log_model() got an unexpected keyword argument 'name'",
    "registry_client_crud": "runs[0].artifacts (only in each): mlflow=[] "
    "labtrack=['model/MLmodel']",
    "registry_load_by_version_uri": "runs[0].artifacts (only in each): mlflow=[] "
    "labtrack=['model/MLmodel']",
    "registry_log_model_registered_name": "TypeError: log_model() got an unexpected keyword "
    "argument 'name'",
    "registry_register_model": "TypeError: log_model() got an unexpected keyword argument 'name'",
    "registry_rename_delete": "runs[0].artifacts (only in each): mlflow=[] "
    "labtrack=['model/MLmodel']",
    "registry_tags_search_versions": "TypeError: log_model() got an unexpected keyword argument "
    "'name'",
}


def render(entries: dict[str, str]) -> str:
    """This module's text with ``entries`` as the manifest."""
    head = PATH.read_text().split("XFAIL: dict[str, str] = ", 1)[0]
    body = pprint.pformat(
        {name: reason[:200] for name, reason in sorted(entries.items())}, width=95, sort_dicts=False
    )
    tail = PATH.read_text().split("\n\n\ndef render", 1)[1]
    return f"{head}XFAIL: dict[str, str] = {body}\n\n\ndef render{tail}"
