"""MLflow 3's logged models through the fluent API and the client: ``log_model(name=...)``,
``models:/<model_id>``, search, tags, params, linked metrics, external and initialized models."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import labtrack as mlflow
import labtrack.sklearn
from labtrack.entities import LoggedModel, LoggedModelStatus
from labtrack.errors import InvalidParameterError, ResourceNotFoundError

X = np.array([[0.0], [1.0], [2.0], [3.0]])
Y = np.array([0, 0, 1, 1])


def _model(c: float = 1.0) -> LogisticRegression:
    return LogisticRegression(C=c).fit(X, Y)


def test_log_model_with_name_returns_mlflow_3s_model_info():
    with mlflow.start_run() as run:
        mlflow.log_param("alpha", 0.5)
        info = labtrack.sklearn.log_model(
            _model(), name="clf", params={"C": 1.0}, tags={"team": "a"}, model_type="classifier"
        )

    assert info.model_id and info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == run.info.run_id and info.name == "clf"
    assert info.params == {"C": "1.0", "alpha": "0.5"}  # the run's params come along
    assert info.tags["team"] == "a" and info.registered_model_version is None
    assert info.artifact_path.endswith(f"/models/{info.model_id}/artifacts")
    model = mlflow.get_logged_model(info.model_id)
    assert model.status == LoggedModelStatus.READY and model.model_type == "classifier"
    assert model.source_run_id == run.info.run_id and model.experiment_id == "0"
    stored = mlflow.get_run(run.info.run_id)
    assert [o.model_id for o in stored.outputs.model_outputs] == [info.model_id]
    assert run.outputs.model_outputs[0].model_id == info.model_id  # the active run's too
    assert mlflow.MlflowClient().list_artifacts(run.info.run_id) == []  # not in the run's files
    history = json.loads(stored.data.tags["mlflow.log-model.history"])  # 2.x readers
    assert history[0]["artifact_path"] == "clf" and history[0]["model_id"] == info.model_id


def test_the_model_loads_by_model_id_and_by_run(home):  # type: ignore[no-untyped-def]
    with mlflow.start_run() as run:
        info = labtrack.sklearn.log_model(_model(), name="clf")
    for uri in (info.model_uri, f"runs:/{run.info.run_id}/clf"):
        assert labtrack.sklearn.load_model(uri).predict(X).tolist() == [0, 0, 1, 1]
    local = mlflow.MlflowClient().download_artifacts(run.info.run_id, "clf")
    assert local.endswith("/clf") and "MLmodel" in {
        p.name for p in __import__("pathlib").Path(local).iterdir()
    }


def test_artifact_path_still_works_with_mlflows_deprecation_warning(caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="labtrack.models.model")
    with mlflow.start_run():
        info = labtrack.sklearn.log_model(_model(), "model")
    assert info.name == "model"
    assert "`artifact_path` is deprecated. Please use `name` instead." in caplog.text
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match="Please only specify"):
        labtrack.sklearn.log_model(_model(), "model", name="model")


def test_log_model_without_a_run_goes_to_the_active_experiment():
    mlflow.set_experiment("no-run")
    info = labtrack.sklearn.log_model(_model(), name="free")
    assert mlflow.active_run() is None and info.run_id is None
    model = mlflow.get_logged_model(info.model_id)
    assert model.experiment_id == mlflow.get_experiment_by_name("no-run").experiment_id


def test_a_failed_save_leaves_a_failed_model_not_a_pending_one():
    with mlflow.start_run(), pytest.raises(InvalidParameterError):
        labtrack.sklearn.log_model(_model(), name="bad", signature="not a signature")  # type: ignore[arg-type]
    (model,) = mlflow.search_logged_models(output_format="list")
    assert model.status == LoggedModelStatus.FAILED


def test_metrics_link_to_a_model_explicitly_and_at_log_time():
    with mlflow.start_run():
        mlflow.log_metric("before", 1.0)  # step 0 of the run: linked when the model is logged
        mlflow.log_metric("later_step", 2.0, step=5)
        info = labtrack.sklearn.log_model(_model(), name="clf")
        mlflow.log_metric("mse", 0.25, model_id=info.model_id)

    linked = mlflow.MlflowClient().get_logged_model(info.model_id).metrics or []
    assert sorted((m.key, m.value) for m in linked) == [("before", 1.0), ("mse", 0.25)]
    assert all(m.model_id == info.model_id and m.run_id == info.run_id for m in linked)
    # The run logged the model: it is an output of the run, not an input.
    assert mlflow.get_run(info.run_id).inputs.model_inputs == []


def test_metrics_on_a_model_the_run_did_not_log_make_it_an_input_once():
    model = mlflow.create_external_model(name="outside")
    with mlflow.start_run() as run:
        mlflow.log_metric("acc", 0.5, model_id=model.model_id)
        mlflow.log_metrics({"f1": 0.4, "auc": 0.6}, model_id=model.model_id)

    stored = mlflow.get_run(run.info.run_id)
    assert [i.model_id for i in stored.inputs.model_inputs] == [model.model_id]
    assert stored.outputs.model_outputs == []
    linked = mlflow.get_logged_model(model.model_id).metrics or []
    assert sorted(m.key for m in linked) == ["acc", "auc", "f1"]


def test_search_logged_models_as_a_frame_and_a_list():
    mlflow.set_experiment("model-search")
    for i, c in enumerate((0.01, 1.0, 100.0)):
        with mlflow.start_run():
            info = labtrack.sklearn.log_model(_model(c), name=f"logreg-{i}", params={"C": c})
            mlflow.log_metric("accuracy", 0.5 + i / 4, model_id=info.model_id)

    frame = mlflow.search_logged_models()
    assert list(frame.columns) == [
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
    assert len(frame) == 3 and str(frame["status"][0]) == "READY"
    best = mlflow.search_logged_models(
        filter_string="metrics.accuracy > 0.6",
        order_by=[{"field_name": "metrics.accuracy", "ascending": False}],
        output_format="list",
    )
    assert [m.params["C"] for m in best] == ["100.0", "1.0"]
    assert isinstance(best[0], LoggedModel)
    assert len(mlflow.search_logged_models(max_results=2, output_format="list")) == 2
    with pytest.raises(InvalidParameterError, match="Unsupported output format"):
        mlflow.search_logged_models(output_format="json")


def test_last_logged_model_tags_and_params():
    assert mlflow.last_logged_model() is None  # a new store: nothing logged in it yet
    with mlflow.start_run():
        info = labtrack.sklearn.log_model(_model(), name="clf")
    last = mlflow.last_logged_model()
    assert last is not None and last.model_id == info.model_id

    mlflow.set_logged_model_tags(info.model_id, {"stage": "dev"})
    mlflow.log_model_params({"threshold": "0.5"})
    mlflow.delete_logged_model_tag(info.model_id, "stage")

    model = mlflow.get_logged_model(info.model_id)
    assert "stage" not in model.tags and model.params["threshold"] == "0.5"


def test_initialize_then_log_into_then_finalize():
    model = mlflow.initialize_logged_model(name="staged", model_type="agent")
    assert model.status == LoggedModelStatus.PENDING and model.experiment_id == "0"

    info = labtrack.sklearn.log_model(_model(), model_id=model.model_id)

    assert info.model_id == model.model_id
    assert mlflow.get_logged_model(model.model_id).status == LoggedModelStatus.READY
    assert mlflow.finalize_logged_model(model.model_id, "FAILED").status == LoggedModelStatus.FAILED
    with pytest.raises(InvalidParameterError, match="READY or FAILED"):
        mlflow.MlflowClient().finalize_logged_model(model.model_id, "PENDING")


def test_an_external_model_is_ready_and_registers():
    model = mlflow.create_external_model(name="outside", params={"k": "v"})
    assert model.status == LoggedModelStatus.READY
    assert model.tags["mlflow.model.isExternal"] == "true"

    version = mlflow.register_model(model.model_uri, "ext")

    assert version.model_id == model.model_id
    tags = mlflow.get_logged_model(model.model_id).tags
    assert json.loads(tags["mlflow.modelVersions"]) == [{"name": "ext", "version": 1}]


def test_registered_model_name_links_the_version_to_the_model():
    with mlflow.start_run():
        info = labtrack.sklearn.log_model(_model(), name="clf", registered_model_name="churn")
    assert info.registered_model_version == 1
    version = mlflow.MlflowClient().get_model_version("churn", 1)
    assert version.model_id == info.model_id and version.run_id == info.run_id
    assert labtrack.sklearn.load_model("models:/churn/1").predict(X).tolist() == [0, 0, 1, 1]


def test_unknown_models_and_bad_names_are_clear_errors():
    with pytest.raises(ResourceNotFoundError, match="not found"):
        mlflow.get_logged_model("m-" + "0" * 32)
    with pytest.raises(ResourceNotFoundError, match="not found"):
        labtrack.sklearn.load_model("models:/m-" + "0" * 32)
    with mlflow.start_run(), pytest.raises(InvalidParameterError, match="Invalid model name"):
        labtrack.sklearn.log_model(_model(), name="a/b")
    with mlflow.start_run(), pytest.raises(ResourceNotFoundError, match="not found"):
        mlflow.log_metric("x", 1.0, model_id="m-" + "0" * 32)
    with pytest.raises(InvalidParameterError, match="log a model first"):
        mlflow.tracking._state.last_model_id = None
        mlflow.log_model_params({"a": "1"})


def test_the_active_model_takes_metrics_logged_without_a_model_id(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("MLFLOW_ACTIVE_MODEL_ID", raising=False)
    with mlflow.start_run() as run:
        info = labtrack.sklearn.log_model(_model(), name="clf")
    assert mlflow.get_active_model_id() is None  # logging a model does not make it active

    with mlflow.set_active_model(name="agent") as agent:  # no model of that name: one is made
        assert isinstance(agent, mlflow.ActiveModel) and agent.name == "agent"
        assert mlflow.get_active_model_id() == agent.model_id
        with mlflow.set_active_model(model_id=info.model_id):
            assert mlflow.get_active_model_id() == info.model_id
        assert mlflow.get_active_model_id() == agent.model_id  # the outer one comes back
        with mlflow.start_run() as run:
            mlflow.log_metric("acc", 0.75)
            mlflow.log_metrics({"f1": 0.5})
    assert mlflow.get_active_model_id() is None

    assert sorted(m.key for m in mlflow.get_logged_model(agent.model_id).metrics or []) == [
        "acc",
        "f1",
    ]
    assert [i.model_id for i in mlflow.get_run(run.info.run_id).inputs.model_inputs] == [
        agent.model_id
    ]
    # By name again: the same model, not a new one.
    assert mlflow.set_active_model(name="agent").model_id == agent.model_id
    mlflow.clear_active_model()
    assert mlflow.get_active_model_id() is None


def test_the_active_model_comes_from_the_environment_until_cleared(monkeypatch):  # type: ignore[no-untyped-def]
    model = mlflow.create_external_model(name="served")
    monkeypatch.setenv("MLFLOW_ACTIVE_MODEL_ID", model.model_id)
    assert mlflow.get_active_model_id() == model.model_id
    mlflow.clear_active_model()
    assert mlflow.get_active_model_id() is None


def test_set_active_model_says_what_it_needs():
    with pytest.raises(InvalidParameterError, match="name= or model_id="):
        mlflow.set_active_model()
    model = mlflow.create_external_model(name="one")
    with pytest.raises(InvalidParameterError, match="does not match"):
        mlflow.set_active_model(name="two", model_id=model.model_id)
    with pytest.raises(ResourceNotFoundError):
        mlflow.set_active_model(model_id="m-" + "0" * 32)
    assert mlflow.get_active_model_id() is None
