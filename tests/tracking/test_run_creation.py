"""Creating a run with params and metrics: two write transactions, MLflow's semantics kept.

``log_params`` into the active run is queued with the metric points and written with the
run's end (or the writer's next flush); these tests pin what a user can observe of that.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event

import labtrack as mlflow
from labtrack.entities import Param
from labtrack.errors import InvalidParameterError, InvalidStateError
from labtrack.tracking import _state, context


def test_queued_params_are_seen_by_every_read_of_this_process():
    with mlflow.start_run() as run:
        mlflow.log_params({"a": 1, "b": "x"})
        client = mlflow.MlflowClient()
        assert client.get_run(run.info.run_id).data.params == {"a": "1", "b": "x"}
        mlflow.log_params({"c": 2.5})
        found = client.search_runs([run.info.experiment_id])
        assert found[0].data.params == {"a": "1", "b": "x", "c": "2.5"}
    assert mlflow.get_run(run.info.run_id).data.params == {"a": "1", "b": "x", "c": "2.5"}


def test_a_changed_param_is_refused_at_the_call_and_nothing_of_the_call_is_kept():
    with mlflow.start_run() as run:
        mlflow.log_params({"lr": 0.1})
        with pytest.raises(InvalidParameterError, match="cannot change") as error:
            mlflow.log_params({"new": 1, "lr": 0.2})
        assert error.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(InvalidParameterError, match="cannot change"):
            mlflow.log_param("lr", 0.3)
        mlflow.log_params({"lr": 0.1})  # the same value again is fine
    assert mlflow.get_run(run.info.run_id).data.params == {"lr": "0.1"}
    assert mlflow.get_run(run.info.run_id).info.status == "FINISHED"


def test_a_value_only_the_store_knows_is_refused_at_end_run():
    run = mlflow.start_run()
    run_id = run.info.run_id
    # Another writer (another process, here the explicit client) sets it first.
    mlflow.MlflowClient().log_param(run_id, "seed", "1")
    mlflow.log_params({"seed": 2, "other": 3})
    mlflow.log_metric("loss", 0.5)
    with pytest.raises(InvalidParameterError, match="queued by log_params") as error:
        mlflow.end_run()
    assert "is already '1'" in str(error.value)
    assert "marked FAILED" in str(error.value)
    stored = mlflow.MlflowClient().get_run(run_id)
    assert stored.data.params == {"seed": "1"}  # none of the refused batch
    assert stored.data.metrics == {"loss": 0.5}  # the points are kept
    assert stored.info.status == "FAILED"


def test_flush_raises_what_the_store_refused():
    with mlflow.start_run() as run:
        mlflow.MlflowClient().log_param(run.info.run_id, "seed", "1")
        mlflow.log_params({"seed": 2})
        with pytest.raises(InvalidParameterError, match="queued by log_params.*is already '1'"):
            mlflow.flush()
    assert mlflow.get_run(run.info.run_id).info.status == "FINISHED"  # told once, by flush


def test_params_of_a_run_deleted_meanwhile_are_refused_at_end_run():
    with pytest.raises(InvalidStateError, match="deleted"), mlflow.start_run() as run:
        mlflow.log_params({"a": 1})
        mlflow.MlflowClient().delete_run(run.info.run_id)
    stored = mlflow.MlflowClient().get_run(run.info.run_id)
    assert stored.data.params == {}


def test_queued_params_reach_the_store_while_the_run_goes_on():
    """Another process (the sidebar) reads the store itself: the writer's own flush writes
    the params within its interval, not only at the end of the run."""
    with mlflow.start_run() as run:
        mlflow.log_params({"a": 1})
        store = mlflow.MlflowClient().store
        deadline = time.monotonic() + 10
        while not store.get_run(run.info.run_id).data.params and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.get_run(run.info.run_id).data.params == {"a": "1"}


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement the SQLite store's connections run from now on."""
    seen: list[str] = []
    database = _state.client().store.database
    engines = (database.write_engine, database.read_engine)

    def trace(dbapi: sqlite3.Connection, _record: object) -> None:
        dbapi.set_trace_callback(seen.append)

    for engine in engines:
        engine.dispose()  # new connections, each traced
        event.listen(engine, "connect", trace)
    yield seen
    for engine in engines:
        event.remove(engine, "connect", trace)
        engine.dispose()


def test_a_run_with_params_and_metrics_is_two_write_transactions(statements: list[str]):
    mlflow.set_experiment("sweep")
    with mlflow.start_run():  # opens the connections
        pass
    statements.clear()
    with mlflow.start_run() as run:
        mlflow.log_params({f"p{k}": k for k in range(5)})
        mlflow.log_metrics({f"m{k}": float(k) for k in range(5)})
    writes = [s for s in statements if s.startswith("BEGIN IMMEDIATE")]
    assert len(writes) == 2, statements  # create; then params, points and end together
    stored = mlflow.get_run(run.info.run_id)
    assert len(stored.data.params) == 5 and len(stored.data.metrics) == 5
    assert stored.info.status == "FINISHED"


def test_create_run_explains_a_missing_or_deleted_experiment():
    client = mlflow.MlflowClient()
    with pytest.raises(mlflow.MlflowException, match="No experiment with id '4242'"):
        client.create_run("4242")
    exp = client.create_experiment("gone")
    client.delete_experiment(exp)
    with pytest.raises(InvalidStateError, match="is deleted"):
        client.create_run(exp)
    assert client.create_run("0").info.artifact_uri.endswith("/artifacts")


def test_git_files_are_read_again_only_when_they_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    ref = git / "refs" / "heads" / "main"
    ref.write_text("a" * 40 + "\n")
    old = time.time() - 60
    for path in (git / "HEAD", ref):
        os.utime(path, (old, old))
    monkeypatch.chdir(tmp_path)
    assert context.git_state() == ("a" * 40, "main")
    # Rewritten in place with its old size and times: nothing says it changed, so the text
    # read before is used (this is what saves the reads).
    ref.write_text("b" * 40 + "\n")
    os.utime(ref, (old, old))
    assert context.git_state() == ("a" * 40, "main")
    os.utime(ref, None)  # now it says so
    assert context.git_state() == ("b" * 40, "main")


def test_log_params_refuses_a_bad_key_at_the_call():
    with mlflow.start_run() as run, pytest.raises(InvalidParameterError, match="param key"):
        mlflow.log_params({"ok": 1, "bad!": 2})
    assert mlflow.get_run(run.info.run_id).data.params == {}


def test_params_logged_through_the_client_are_not_held_back():
    client = mlflow.MlflowClient()
    run = client.create_run("0")
    client.log_batch(run.info.run_id, params=[Param("a", "1")])
    assert client.store.get_run(run.info.run_id).data.params == {"a": "1"}


def test_start_run_asks_for_the_user_once(monkeypatch: pytest.MonkeyPatch):
    """The system tags name the user; creating the run does not look it up a second time
    (each lookup reads up to five environment variables)."""
    from labtrack.utils import user

    calls: list[str] = []
    real = user.current_user

    def counted() -> str:
        calls.append("user")
        return real()

    monkeypatch.setattr(context, "current_user", counted)
    monkeypatch.setattr("labtrack.tracking.client.current_user", counted)
    with mlflow.start_run() as run:
        pass
    assert len(calls) == 1
    assert mlflow.get_run(run.info.run_id).info.user_id == real()
    # Without the tag, MlflowClient.create_run still records the current user.
    created = mlflow.MlflowClient().create_run(run.info.experiment_id)
    assert created.info.user_id == real() and len(calls) == 2
