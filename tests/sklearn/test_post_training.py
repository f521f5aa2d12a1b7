"""Post-training metrics: sklearn.metrics calls on an autologged model's predictions."""

from __future__ import annotations

import json

import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression

import labtrack
import labtrack.sklearn
from labtrack import TrackingClient


def metrics(run_id: str) -> dict[str, float]:
    return labtrack.get_run(run_id).data.metrics


def post(run_id: str) -> dict[str, float]:
    return {k: v for k, v in metrics(run_id).items() if not k.startswith("training_")}


def test_metric_keys_use_the_dataset_variable_and_count_repeats(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    labtrack.sklearn.autolog(log_models=False)
    model = RandomForestRegressor(n_estimators=10, random_state=0).fit(X_train, y_train)
    run_id = labtrack.last_active_run().info.run_id

    import sklearn.metrics
    from sklearn.metrics import mean_squared_error, r2_score

    y_pred = model.predict(X_test)
    first = mean_squared_error(y_test, y_pred)
    again = sklearn.metrics.mean_squared_error(y_test, y_pred)
    r2 = r2_score(y_test, y_pred)
    assert post(run_id) == {
        "mean_squared_error_X_test": pytest.approx(first),
        "mean_squared_error-2_X_test": pytest.approx(again),
        "r2_score_X_test": pytest.approx(r2),
    }
    # The run ended when fit returned; the metrics still landed in it.
    assert labtrack.get_run(run_id).info.status == "FINISHED"
    info = json.loads(TrackingClient().load_text(run_id, "metric_info.json"))
    assert info["mean_squared_error_X_test"] == ("mean_squared_error(y_true=y_test, y_pred=y_pred)")


def test_model_score_logs_estimator_score(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    labtrack.sklearn.autolog(log_models=False)
    model = LinearRegression().fit(X_train, y_train)
    run_id = labtrack.last_active_run().info.run_id
    value = model.score(X_test, y_test)
    assert post(run_id) == {"LinearRegression_score_X_test": pytest.approx(value)}


def test_another_dataset_with_the_same_name_gets_an_index(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    labtrack.sklearn.autolog(log_models=False)
    model = LinearRegression().fit(X_train, y_train)
    run_id = labtrack.last_active_run().info.run_id
    from sklearn.metrics import mean_absolute_error

    mean_absolute_error(y_test, model.predict(X_test))
    first = X_test
    X_test = X_train.iloc[:50]  # noqa: N806 - a new object under the same name
    mean_absolute_error(y_train.iloc[:50], model.predict(X_test))
    assert set(post(run_id)) == {"mean_absolute_error_X_test", "mean_absolute_error-2_X_test-2"}
    assert first is not X_test


def test_unnamed_inputs_fall_back_to_dataset_and_helpers_find_the_outer_name(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    labtrack.sklearn.autolog(log_models=False)
    model = LinearRegression().fit(X_train, y_train)
    run_id = labtrack.last_active_run().info.run_id
    from sklearn.metrics import max_error, mean_absolute_error

    max_error(y_test.iloc[:10], model.predict(X_test.iloc[:10]))

    def evaluate(estimator, data, truth):  # type: ignore[no-untyped-def]
        return mean_absolute_error(truth, estimator.predict(data))

    evaluate(model, X_test, y_test)
    assert set(post(run_id)) == {"max_error_dataset", "mean_absolute_error_X_test"}


def test_classifier_probabilities_and_derived_values(iris):
    X, y = iris
    labtrack.sklearn.autolog(log_models=False)
    model = LogisticRegression(max_iter=300).fit(X, y)
    run_id = labtrack.last_active_run().info.run_id
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

    X_eval, y_eval = X[::2], y[::2]  # noqa: N806
    proba = model.predict_proba(X_eval)
    log_loss(y_eval, proba)
    roc_auc_score(y_eval, proba, multi_class="ovr")
    accuracy_score(y_eval, model.predict(X_eval).copy())  # a copy is not the prediction
    assert set(post(run_id)) == {"log_loss_X_eval", "roc_auc_score_X_eval"}


def test_each_model_logs_to_its_own_run(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    labtrack.sklearn.autolog(log_models=False)
    first = LinearRegression().fit(X_train, y_train)
    first_run = labtrack.last_active_run().info.run_id
    second = RandomForestRegressor(n_estimators=5, random_state=0).fit(X_train, y_train)
    second_run = labtrack.last_active_run().info.run_id
    from sklearn.metrics import mean_squared_error

    mean_squared_error(y_test, second.predict(X_test))
    mean_squared_error(y_test, first.predict(X_test))
    assert set(post(first_run)) == {"mean_squared_error_X_test"}
    assert set(post(second_run)) == {"mean_squared_error_X_test"}


def test_nothing_is_logged_when_post_training_metrics_are_off(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    labtrack.sklearn.autolog(log_models=False, log_post_training_metrics=False)
    model = LinearRegression().fit(X_train, y_train)
    run_id = labtrack.last_active_run().info.run_id
    from sklearn.metrics import mean_squared_error

    mean_squared_error(y_test, model.predict(X_test))
    model.score(X_test, y_test)
    assert post(run_id) == {}


def test_models_fitted_before_autolog_are_not_tracked(diabetes):
    X_train, X_test, y_train, y_test = diabetes
    model = LinearRegression().fit(X_train, y_train)
    labtrack.sklearn.autolog(log_models=False)
    from sklearn.metrics import mean_squared_error

    assert mean_squared_error(y_test, model.predict(X_test)) > 0
    assert labtrack.last_active_run() is None
