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
    "autolog_model_logged_v2": "runs[0].artifacts (only in each): mlflow=['model/MLmodel'] "
    "labtrack=[]",
    "evaluate_classifier": "runs[0].metrics.accuracy_score.history.length: mlflow=2 labtrack=1",
    "evaluate_regressor_v2": "runs[0].artifacts (only in each): mlflow=['model/MLmodel'] "
    "labtrack=[]",
    "models_set_signature_v2": "runs[0].artifacts (only in each): mlflow=['model/MLmodel'] "
    "labtrack=[]",
    "models_sklearn_log_model_v2": "results[1]: mlflow='iris_model' "
    "labtrack='<workdir>/labtrack/artifacts/1/models/<model:0>/artifacts'",
    "pyfunc_python_model_v2": "runs[0].artifacts (only in each): mlflow=['add_n/MLmodel'] "
    "labtrack=[]",
    "registry_aliases": "registered_models[0].versions[1].aliases (only in each): mlflow=[] "
    "labtrack=['champion']",
    "registry_copy_model_version_v2": "runs[0].artifacts (only in each): "
    "mlflow=['model/MLmodel'] labtrack=[]",
    "registry_log_model_registered_name_v2": "runs[0].artifacts (only in each): "
    "mlflow=['sklearn-model/MLmodel'] labtrack=[]",
    "registry_stages": "runs[0].artifacts (only in each): mlflow=['model/MLmodel'] labtrack=[]",
}


def render(entries: dict[str, str]) -> str:
    """This module's text with ``entries`` as the manifest."""
    head = PATH.read_text().split("XFAIL: dict[str, str] = ", 1)[0]
    body = pprint.pformat(
        {name: reason[:200] for name, reason in sorted(entries.items())}, width=95, sort_dicts=False
    )
    tail = PATH.read_text().split("\n\n\ndef render", 1)[1]
    return f"{head}XFAIL: dict[str, str] = {body}\n\n\ndef render{tail}"
