"""MLflow's environment variables and configuration calls, with labtrack's variables first."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import labtrack as mlflow
from labtrack import config
from labtrack.errors import InvalidParameterError, StoreError


def test_mlflow_tracking_uri_is_used_and_reported_as_set(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///tracking.db")
    with mlflow.start_run():
        mlflow.log_param("where", "env")
    assert mlflow.get_tracking_uri() == "sqlite:///tracking.db"  # as set, MLflow's behaviour
    assert mlflow.is_tracking_uri_set()
    assert (tmp_path / "tracking.db").is_file()


def test_labtrack_variable_wins_over_mlflows(monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("LABTRACK_TRACKING_URI", f"sqlite:///{tmp_path / 'labtrack.db'}")
    assert config.resolve().tracking_uri.endswith("/labtrack.db")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "from-mlflow")
    monkeypatch.setenv("LABTRACK_EXPERIMENT_NAME", "from-labtrack")
    with mlflow.start_run() as run:
        pass
    assert mlflow.get_experiment(run.info.experiment_id).name == "from-labtrack"


def test_set_tracking_uri_is_returned_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not mlflow.is_tracking_uri_set()
    mlflow.set_tracking_uri("sqlite:///mlflow.db")
    assert mlflow.get_tracking_uri() == "sqlite:///mlflow.db"
    assert mlflow.MlflowClient().tracking_uri == f"sqlite:///{tmp_path / 'mlflow.db'}"


def test_experiment_from_mlflow_name_and_id(monkeypatch):
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "fraud-detection")
    with mlflow.start_run() as run:
        pass
    exp = mlflow.get_experiment(run.info.experiment_id)
    assert exp.name == "fraud-detection"
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", "0")
    with pytest.raises(InvalidParameterError, match="not the id of the experiment named"):
        mlflow.start_run()
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", exp.experiment_id)
    with mlflow.start_run() as run:
        pass
    assert run.info.experiment_id == exp.experiment_id
    monkeypatch.setenv("MLFLOW_EXPERIMENT_ID", "999")
    with pytest.raises(InvalidParameterError, match="does not exist"):
        mlflow.start_run()


def test_mlflow_run_id_resumes_that_run_once(monkeypatch):
    with mlflow.start_run() as first:
        mlflow.log_param("a", 1)
    monkeypatch.setenv("MLFLOW_RUN_ID", first.info.run_id)
    with mlflow.start_run() as again:
        mlflow.log_param("b", 2)
    assert again.info.run_id == first.info.run_id
    assert "MLFLOW_RUN_ID" not in os.environ
    assert mlflow.get_run(first.info.run_id).data.params == {"a": "1", "b": "2"}
    with mlflow.start_run() as fresh:
        pass
    assert fresh.info.run_id != first.info.run_id


def test_registry_uri_defaults_to_the_tracking_uri_and_must_be_the_same_store(tmp_path):
    mlflow.set_tracking_uri(str(tmp_path / "a"))
    assert mlflow.get_registry_uri() == str(tmp_path / "a")
    client = mlflow.MlflowClient()
    client.create_registered_model("m1")
    mlflow.set_registry_uri(str(tmp_path / "a"))
    assert [m.name for m in client.search_registered_models()] == ["m1"]
    mlflow.set_registry_uri(str(tmp_path / "b"))
    assert mlflow.get_registry_uri() == str(tmp_path / "b")
    with pytest.raises(InvalidParameterError, match="keeps registered models in the tracking"):
        mlflow.MlflowClient().search_registered_models()
    with pytest.raises(InvalidParameterError, match="another store"):
        mlflow.MlflowClient(registry_uri="databricks-uc").get_registered_model("m1")


def test_in_memory_store_is_one_database_for_reads_and_writes():
    mlflow.set_tracking_uri("sqlite:///:memory:")
    for name in ("a", "b", "ab"):
        mlflow.create_experiment(name, tags={"k": name})
    found = mlflow.search_experiments(filter_string="name LIKE 'a%'", order_by=["name"])
    assert [e.name for e in found] == ["a", "ab"]
    errors: list[BaseException] = []

    def log(i: int) -> None:
        try:
            with mlflow.start_run() as run:
                for step in range(50):
                    mlflow.log_metric("m", step, step=step)
                mlflow.log_text("x", "a.txt")
            assert len(mlflow.MlflowClient().get_metric_history(run.info.run_id, "m")) == 50
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=log, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(mlflow.search_runs(search_all_experiments=True)) == 3
    assert mlflow.get_tracking_uri() == "sqlite:///:memory:"


def test_a_failed_read_says_read_not_written(tmp_path):
    from labtrack.store.sql.store import SqlTrackingStore

    db = tmp_path / "x.db"
    store = SqlTrackingStore(f"sqlite:///{db}", str(tmp_path / "a"))
    with sqlite3.connect(db) as other:  # another process damaged the store
        other.execute("DROP TABLE experiments")
    with pytest.raises(StoreError, match="could not be read"):
        store.get_experiment("0")
    store.close()


def test_a_script_runs_with_mlflow_variables_only(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import labtrack as mlflow\n"
        "with mlflow.start_run():\n"
        "    mlflow.log_param('p', 1)\n"
        "print(mlflow.get_experiment_by_name('from-env').experiment_id)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABTRACK_")}
    env.update(
        MLFLOW_TRACKING_URI=f"sqlite:///{tmp_path / 'env.db'}", MLFLOW_EXPERIMENT_NAME="from-env"
    )
    out = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "1"
    assert Path(tmp_path / "env.db").is_file()
