"""scikit-learn autologging: what a fit records, where, and that user code never changes."""

from __future__ import annotations

import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest
import sklearn.model_selection
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import labtrack
import labtrack.pyfunc
import labtrack.sklearn
from labtrack import TrackingClient
from labtrack.sklearn import AutologgingWarning, training
from labtrack.tracking import fluent


def artifacts(run_id: str, path: str | None = None) -> list[str]:
    return [f.path for f in TrackingClient().list_artifacts(run_id, path)]


def last_run():  # type: ignore[no-untyped-def]
    run = labtrack.last_active_run()
    assert run is not None
    return run


def test_regressor_fit_logs_params_metrics_tags_and_model(diabetes):
    X_train, X_test, y_train, _ = diabetes
    labtrack.sklearn.autolog()
    model = RandomForestRegressor(n_estimators=10, max_depth=4, random_state=0)
    assert model.fit(X_train, y_train) is model
    run = last_run()
    assert run.info.status == "FINISHED" and labtrack.active_run() is None
    assert run.data.params["n_estimators"] == "10" and run.data.params["max_depth"] == "4"
    assert run.data.tags["estimator_name"] == "RandomForestRegressor"
    assert run.data.tags["estimator_class"] == "sklearn.ensemble._forest.RandomForestRegressor"
    assert run.data.tags["mlflow.autologging"] == "sklearn"
    assert set(run.data.metrics) == {
        "training_mean_squared_error",
        "training_root_mean_squared_error",
        "training_mean_absolute_error",
        "training_r2_score",
        "training_score",
    }
    mse = run.data.metrics["training_mean_squared_error"]
    assert run.data.metrics["training_root_mean_squared_error"] == pytest.approx(mse**0.5)
    assert run.data.metrics["training_score"] == pytest.approx(model.score(X_train, y_train))
    # MLflow 3: the model is a logged model of the run, its files kept with the model.
    assert "model" not in artifacts(run.info.run_id)
    (model_output,) = run.outputs.model_outputs
    logged = labtrack.get_logged_model(model_output.model_id)
    assert logged.name == "model" and logged.source_run_id == run.info.run_id
    assert logged.params["n_estimators"] == "10" and str(logged.status) == "READY"
    linked = {m.key for m in logged.metrics or []}
    assert set(run.data.metrics) <= linked  # and the score computed below, post-training
    training = [m for m in logged.metrics or [] if m.key.startswith("training_")]
    assert {m.dataset_name for m in training} == {"dataset"}
    (train,) = run.inputs.dataset_inputs
    assert {t.key: t.value for t in train.tags} == {"mlflow.data.context": "train"}
    assert train.dataset.digest == labtrack.data.from_pandas(X_train).digest
    assert "estimator.html" in artifacts(run.info.run_id)
    loaded = labtrack.sklearn.load_model(f"runs:/{run.info.run_id}/model")
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    pyfunc = labtrack.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    assert pyfunc.metadata.get_input_schema().input_names()[:2] == ["age", "sex"]


def test_classifier_logs_classification_metrics_and_confusion_matrix(iris):
    X, y = iris
    labtrack.sklearn.autolog()
    RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)
    run = last_run()
    assert set(run.data.metrics) == {
        "training_accuracy_score",
        "training_precision_score",
        "training_recall_score",
        "training_f1_score",
        "training_log_loss",
        "training_roc_auc",
        "training_score",
    }
    assert 0.9 <= run.data.metrics["training_accuracy_score"] <= 1.0
    assert "training_confusion_matrix.png" in artifacts(run.info.run_id)
    png = TrackingClient().download_artifacts(run.info.run_id, "training_confusion_matrix.png")
    assert Path(png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_binary_classifier_without_predict_proba_skips_probability_metrics(iris):
    from sklearn.svm import LinearSVC

    X, y = iris
    labtrack.sklearn.autolog()
    LinearSVC().fit(X, y == 0)
    metrics = last_run().data.metrics
    assert "training_f1_score" in metrics and "training_log_loss" not in metrics


def test_pipeline_makes_one_run_with_the_params_of_its_steps(iris):
    X, y = iris
    labtrack.sklearn.autolog()
    client = TrackingClient()
    before = len(client.search_runs("0"))
    Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(C=0.5))]).fit(X, y)
    assert len(client.search_runs("0")) == before + 1
    params = last_run().data.params
    assert params["clf__C"] == "0.5" and params["scale__with_mean"] == "True"
    assert "steps" in params and last_run().data.tags["estimator_name"] == "Pipeline"


def test_grid_search_makes_a_parent_with_best_params_and_child_runs(iris):
    X, y = iris
    labtrack.sklearn.autolog(max_tuning_runs=2)
    grid = {"max_depth": [1, 2, 4], "n_estimators": [3, 5]}
    search = GridSearchCV(RandomForestClassifier(random_state=0), grid, cv=3).fit(X, y)
    parent = last_run()
    params = parent.data.params
    assert params["best_max_depth"] == str(search.best_params_["max_depth"])
    assert params["best_n_estimators"] == str(search.best_params_["n_estimators"])
    assert params["cv"] == "3" and "estimator" in params
    assert "estimator__max_depth" not in params  # the seed's untuned params are not logged
    assert parent.data.metrics["best_cv_score"] == pytest.approx(search.best_score_)
    assert "cv_results.csv" in artifacts(parent.info.run_id)
    names = {m.name for m in labtrack.search_logged_models(output_format="list")}
    assert {"model", "best_estimator"} <= names
    csv = TrackingClient().load_text(parent.info.run_id, "cv_results.csv")
    assert csv.splitlines()[0].startswith("mean_fit_time") and len(csv.splitlines()) == 7
    children = TrackingClient().search_runs(
        parent.info.experiment_id,
        f"tags.`mlflow.parentRunId` = '{parent.info.run_id}'",
    )
    assert len(children) == 2
    ranks = sorted(c.data.metrics["rank_test_score"] for c in children)
    assert ranks == sorted(search.cv_results_["rank_test_score"])[:2]
    child = children[0]
    assert child.info.status == "FINISHED"
    assert {"mean_test_score", "std_test_score", "mean_fit_time"} <= set(child.data.metrics)
    assert not any(k.startswith("split") for k in child.data.metrics)
    assert child.data.params["max_depth"] in {"1", "2", "4"} and "random_state" in child.data.params
    best = labtrack.sklearn.load_model(f"runs:/{parent.info.run_id}/best_estimator")
    np.testing.assert_array_equal(best.predict(X), search.best_estimator_.predict(X))


def test_randomized_search_is_autologged_too(iris):
    X, y = iris
    labtrack.sklearn.autolog(log_models=False)
    RandomizedSearchCV(
        LogisticRegression(max_iter=300), {"C": [0.1, 1, 10]}, n_iter=2, cv=2, random_state=0
    ).fit(X, y)
    run = last_run()
    assert "best_C" in run.data.params and not run.outputs.model_outputs


def test_a_users_run_is_used_and_left_open(diabetes):
    X_train, _, y_train, _ = diabetes
    labtrack.sklearn.autolog()
    with labtrack.start_run() as run:
        LinearRegression().fit(X_train, y_train)
        active = labtrack.active_run()
        assert active is not None and active.info.run_id == run.info.run_id
        stored = labtrack.get_run(run.info.run_id)
        assert stored.info.status == "RUNNING"
        assert "training_r2_score" in stored.data.metrics
        # A second fit with other params keeps the first values and says so.
        with pytest.warns(AutologgingWarning, match="already have other values"):
            LinearRegression(fit_intercept=False).fit(X_train, y_train)
    assert labtrack.get_run(run.info.run_id).data.params["fit_intercept"] == "True"


def test_exclusive_leaves_user_runs_alone(diabetes):
    X_train, _, y_train, _ = diabetes
    labtrack.sklearn.autolog(exclusive=True)
    with labtrack.start_run() as run:
        LinearRegression().fit(X_train, y_train)
    stored = labtrack.get_run(run.info.run_id)
    assert stored.data.metrics == {} and "estimator_name" not in stored.data.tags


def test_autolog_runs_go_where_start_run_puts_them(diabetes, monkeypatch: pytest.MonkeyPatch):
    X_train, _, y_train, _ = diabetes
    monkeypatch.setenv("LABTRACK_EXPERIMENT_NAME", "diabetes-notebook")
    labtrack.sklearn.autolog()
    LinearRegression().fit(X_train, y_train)
    experiment = labtrack.get_experiment_by_name("diabetes-notebook")
    assert experiment is not None
    assert last_run().info.experiment_id == experiment.experiment_id


class Boom(RuntimeError):
    pass


class Exploding(BaseEstimator):
    """A user's own step whose fit fails."""

    error = Boom("bad data")

    def fit(self, X, y=None):  # type: ignore[no-untyped-def]
        raise self.error

    def transform(self, X):  # type: ignore[no-untyped-def]
        return X


def test_a_failing_fit_ends_the_run_failed_and_raises_the_users_error(iris):
    X, y = iris
    labtrack.sklearn.autolog()
    pipe = Pipeline([("bad", Exploding()), ("clf", LogisticRegression(C=0.25))])
    with pytest.raises(Boom) as caught:
        pipe.fit(X, y)
    assert caught.value is Exploding.error
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert frames[-1].name == "fit" and frames[-1].filename == __file__  # raised where it was
    run = last_run()
    assert run.info.status == "FAILED" and labtrack.active_run() is None
    assert run.data.params["clf__C"] == "0.25"  # params were logged before training


def test_sklearns_own_errors_pass_through_unchanged(diabetes):
    X_train, _, y_train, _ = diabetes
    bad_y = y_train.copy()
    bad_y.iloc[0] = np.nan
    with pytest.raises(ValueError) as plain:
        LinearRegression().fit(X_train, bad_y)
    labtrack.sklearn.autolog()
    with pytest.raises(ValueError) as logged:
        LinearRegression().fit(X_train, bad_y)
    assert type(logged.value) is type(plain.value) and str(logged.value) == str(plain.value)
    assert last_run().info.status == "FAILED"


def test_an_internal_error_becomes_one_warning_and_fit_still_returns(
    iris, monkeypatch: pytest.MonkeyPatch
):
    X, y = iris

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("metrics are broken")

    monkeypatch.setattr(training, "training_metrics", broken)
    labtrack.sklearn.autolog()
    model = LogisticRegression(max_iter=300)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert model.fit(X, y) is model
    ours = [w for w in caught if issubclass(w.category, AutologgingWarning)]
    assert len(ours) == 1
    assert "metrics are broken" in str(ours[0].message) and ours[0].filename == __file__
    run = last_run()
    assert run.info.status == "FINISHED" and "C" in run.data.params


def test_silent_hides_the_warning(iris, monkeypatch: pytest.MonkeyPatch):
    X, y = iris
    monkeypatch.setattr(training, "training_metrics", lambda *a, **k: 1 / 0)
    labtrack.sklearn.autolog(silent=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AutologgingWarning)
        LogisticRegression(max_iter=300).fit(X, y)


def test_a_broken_store_does_not_break_fit(iris, monkeypatch: pytest.MonkeyPatch):
    X, y = iris

    def no_run(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(fluent, "start_run", no_run)
    labtrack.sklearn.autolog()
    with pytest.warns(AutologgingWarning, match="disk full"):
        model = LogisticRegression(max_iter=300).fit(X, y)
    assert hasattr(model, "coef_")


def test_disable_restores_the_original_methods(iris):
    X, y = iris
    originals = {
        (cls, name): cls.__dict__.get(name)
        for cls in (RandomForestClassifier, Pipeline, GridSearchCV, LogisticRegression, KMeans)
        for name in ("fit", "predict", "score", "fit_predict", "predict_proba")
    }
    metric = sklearn.metrics.accuracy_score
    cross_val_score = sklearn.model_selection.cross_val_score
    labtrack.sklearn.autolog()
    assert sklearn.metrics.accuracy_score is not metric
    assert hasattr(make_pipeline(StandardScaler(), PCA()), "fit_transform")
    assert not hasattr(make_pipeline(StandardScaler(), PCA()), "predict_proba")
    labtrack.sklearn.autolog(disable=True)
    for (cls, name), original in originals.items():
        assert cls.__dict__.get(name) is original, (cls, name)
    assert sklearn.metrics.accuracy_score is metric
    assert sklearn.model_selection.cross_val_score is cross_val_score
    count = len(TrackingClient().search_runs("0"))
    LogisticRegression(max_iter=300).fit(X, y)
    assert len(TrackingClient().search_runs("0")) == count


def test_cross_validation_helpers_do_not_log_each_fold(iris):
    from sklearn.model_selection import cross_val_predict  # imported before autolog()

    X, y = iris
    labtrack.sklearn.autolog()
    count = len(TrackingClient().search_runs("0"))
    sklearn.model_selection.cross_val_score(LogisticRegression(max_iter=300), X, y, cv=3)
    cross_val_predict(LogisticRegression(max_iter=300), X, y, cv=3)
    assert len(TrackingClient().search_runs("0")) == count


def test_fit_transform_and_fit_predict_are_autologged(iris):
    X, y = iris
    labtrack.sklearn.autolog(log_models=False)
    PCA(n_components=2).fit_transform(X)
    assert last_run().data.tags["estimator_name"] == "PCA"
    KMeans(n_clusters=3, n_init=2, random_state=0).fit_predict(X)
    run = last_run()
    assert run.data.tags["estimator_name"] == "KMeans"
    assert "training_score" in run.data.metrics and run.data.params["n_clusters"] == "3"


def test_preprocessing_alone_is_not_logged(iris):
    X, _ = iris
    labtrack.sklearn.autolog()
    count = len(TrackingClient().search_runs("0"))
    StandardScaler().fit(X)
    assert len(TrackingClient().search_runs("0")) == count


def test_input_examples_and_signatures_follow_the_options(diabetes):
    X_train, _, y_train, _ = diabetes
    labtrack.sklearn.autolog(log_input_examples=True, log_model_signatures=False)
    LinearRegression().fit(X_train, y_train)
    model = labtrack.pyfunc.load_model(f"runs:/{last_run().info.run_id}/model")
    assert model.metadata.signature is None
    assert model.metadata.saved_input_example_info["type"] == "dataframe"


def test_long_param_values_are_truncated_safely(iris):
    X, y = iris
    labtrack.sklearn.autolog(log_models=False)
    long_grid = {"C": [float(i) for i in range(1, 3000)]}
    RandomizedSearchCV(
        LogisticRegression(max_iter=200), long_grid, n_iter=1, cv=2, random_state=0
    ).fit(X, y)
    value = last_run().data.params["param_distributions"]
    assert len(value) == 6000 and value.endswith("...")


def test_generic_autolog_enables_sklearn(iris):
    import labtrack.tracking.autolog  # noqa: F401 - the module does not shadow the function

    X, y = iris
    labtrack.autolog(log_models=False, max_tuning_runs=1)
    LogisticRegression(max_iter=300).fit(X, y)
    assert last_run().data.tags["estimator_name"] == "LogisticRegression"
    labtrack.autolog(disable=True)
    count = len(TrackingClient().search_runs("0"))
    LogisticRegression(max_iter=300).fit(X, y)
    assert len(TrackingClient().search_runs("0")) == count


def test_bad_options_are_refused():
    from labtrack.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="max_tuning_runs"):
        labtrack.sklearn.autolog(max_tuning_runs=-1)
    with pytest.raises(InvalidParameterError, match="serialization_format"):
        labtrack.sklearn.autolog(serialization_format="joblib")


def test_global_autolog_leaves_an_earlier_sklearn_disable_alone(iris):
    """MLflow's rule: mlflow.autolog() does not override mlflow.sklearn.autolog(disable=True)."""
    X, y = iris
    labtrack.sklearn.autolog()
    labtrack.sklearn.autolog(disable=True)
    labtrack.autolog(log_models=False, log_datasets=False)
    with labtrack.start_run() as run:
        LogisticRegression(max_iter=300).fit(X, y)
    data = labtrack.get_run(run.info.run_id).data
    assert data.params == {} and data.metrics == {}


def test_estimator_html_is_logged_with_every_autologged_fit(iris):
    X, y = iris
    labtrack.sklearn.autolog(log_models=False, log_datasets=True)
    LogisticRegression(max_iter=300).fit(X, y)
    run_id = last_run().info.run_id
    page = TrackingClient().load_text(run_id, "estimator.html")
    assert page.startswith("<!DOCTYPE html>") and "LogisticRegression" in page
    assert '<meta charset="UTF-8"/>' in page
