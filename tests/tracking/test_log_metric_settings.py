"""``log_metric`` reads its environment settings on every call (one lookup when none is set):
a setting switched on or off while the process runs takes effect at the next call."""

from __future__ import annotations

import pytest

import labtrack as mlflow
from labtrack.tracking.async_logging import RunOperations


def test_async_logging_switched_on_and_off_between_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LABTRACK_ENABLE_ASYNC_LOGGING", "MLFLOW_ENABLE_ASYNC_LOGGING"):
        monkeypatch.delenv(name, raising=False)
    with mlflow.start_run():
        assert mlflow.log_metric("loss", 1.0) is None
        monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_LOGGING", "true")
        assert isinstance(mlflow.log_metric("loss", 0.5), RunOperations)
        monkeypatch.setenv("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
        assert mlflow.log_metric("loss", 0.25) is None
        monkeypatch.setenv("LABTRACK_ENABLE_ASYNC_LOGGING", "1")  # labtrack's name wins
        assert isinstance(mlflow.log_metric("loss", 0.125), RunOperations)


def test_the_active_model_from_the_environment_takes_the_next_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MLFLOW_ACTIVE_MODEL_ID", raising=False)
    model = mlflow.create_external_model(name="served")
    with mlflow.start_run() as run:
        mlflow.log_metric("before", 1.0)  # no active model: queued for the run only
        monkeypatch.setenv("MLFLOW_ACTIVE_MODEL_ID", model.model_id)
        mlflow.log_metric("acc", 0.75)
        monkeypatch.delenv("MLFLOW_ACTIVE_MODEL_ID")
        mlflow.log_metric("after", 2.0)
    assert [m.key for m in mlflow.get_logged_model(model.model_id).metrics or []] == ["acc"]
    assert set(mlflow.get_run(run.info.run_id).data.metrics) == {"before", "acc", "after"}
