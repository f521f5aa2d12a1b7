"""The public surface: MLflow's names exist, ``__all__`` is exact, importing stays light."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import labtrack

MLFLOW_FLUENT = """set_tracking_uri get_tracking_uri create_experiment set_experiment get_experiment
get_experiment_by_name search_experiments start_run end_run active_run last_active_run log_param
log_params log_metric log_metrics set_tag set_tags delete_tag log_artifact log_artifacts log_text
log_dict log_figure get_run search_runs delete_run""".split()  # noqa: SIM905

MLFLOW_CLIENT = """create_experiment get_experiment get_experiment_by_name search_experiments
delete_experiment restore_experiment rename_experiment set_experiment_tag create_run get_run
update_run set_terminated delete_run restore_run log_param log_metric set_tag delete_tag log_batch
get_metric_history search_runs log_artifact log_artifacts log_text log_dict log_figure
list_artifacts download_artifacts""".split()  # noqa: SIM905


def test_every_mlflow_fluent_name_is_exported():
    missing = [name for name in MLFLOW_FLUENT if not callable(getattr(labtrack, name, None))]
    assert missing == []


def test_client_has_the_explicit_id_methods():
    missing = [n for n in MLFLOW_CLIENT if not callable(getattr(labtrack.TrackingClient, n, None))]
    assert missing == []
    assert labtrack.MlflowClient is labtrack.TrackingClient


def test_all_lists_exactly_the_public_names():
    public = {n for n in dir(labtrack) if not n.startswith("_")}
    modules = {
        n
        for n in public
        if n not in labtrack._LAZY and isinstance(getattr(labtrack, n), types.ModuleType)
    }
    assert set(labtrack.__all__) - public - {"__version__"} == set()
    undeclared = public - set(labtrack.__all__) - modules - {"load_ipython_extension"}
    assert undeclared == set(), f"public but not in __all__: {sorted(undeclared)}"


def test_mlflow_exception_alias_catches_labtrack_errors():
    assert labtrack.exceptions.MlflowException is labtrack.LabtrackError


def test_import_does_not_load_heavy_libraries():
    code = (
        "import sys, json, labtrack;"
        "print(json.dumps([m for m in ('sqlalchemy','pandas','numpy','fsspec','tornado',"
        "'jupyter_server','alembic','yaml','click') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_lazy_names_resolve_to_callables():
    assert callable(labtrack.get_notebook_version)
    assert callable(labtrack.diff_notebook_versions)


def test_mlflow_style_submodules_resolve_without_an_import():
    code = (
        "import labtrack as mlflow;"
        "assert callable(mlflow.pyfunc.load_model);"
        "assert callable(mlflow.sklearn.log_model);"
        "assert callable(mlflow.sklearn.autolog)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
