"""evaluate: MLflow's default evaluator for regressors and classifiers, names and values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split

import labtrack as mlflow
import labtrack.sklearn
from labtrack.errors import InvalidParameterError

REGRESSOR = [
    "example_count",
    "max_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_on_target",
    "mean_squared_error",
    "r2_score",
    "root_mean_squared_error",
    "sum_on_target",
]


def test_static_predictions_give_mlflows_regressor_metrics():
    data = pd.DataFrame(
        {"target": [1.0, 2.0, 3.0, 4.0, 5.0], "prediction": [1.1, 1.9, 3.2, 3.8, 5.1]}
    )
    with mlflow.start_run() as run:
        result = mlflow.evaluate(
            data=data, targets="target", predictions="prediction", model_type="regressor"
        )
    assert sorted(result.metrics) == REGRESSOR
    assert round(result.metrics["mean_squared_error"], 6) == 0.022
    assert round(result.metrics["r2_score"], 6) == 0.989
    assert result.run_id == run.info.run_id
    stored = mlflow.get_run(run.info.run_id).data.metrics
    assert stored["sum_on_target"] == 15.0 and stored["example_count"] == 5.0


def test_the_evaluated_data_is_an_input_of_the_run_as_mlflow_records_it():
    # MLflow 3.17.2 records this frame as dataset 'dataset', digest a774a1b6, with no tags.
    df = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [0, 1, 0, 1], "p": [0, 1, 1, 1]})
    with mlflow.start_run() as run:
        mlflow.evaluate(data=df, targets="y", predictions="p", model_type="classifier")
    (used,) = mlflow.get_run(run.info.run_id).inputs.dataset_inputs
    assert (used.dataset.name, used.dataset.digest, used.tags) == ("dataset", "a774a1b6", [])
    with mlflow.start_run() as run:
        mlflow.evaluate(
            data=np.array([[1.0], [2.0]]),
            targets=np.array([1.0, 2.0]),
            model=lambda x: np.asarray(x)[:, 0],
            model_type="regressor",
        )
    assert len(mlflow.get_run(run.info.run_id).inputs.dataset_inputs) == 1


def test_a_logged_regressor_adds_its_score_and_a_run_is_started_when_none_is():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    model = LinearRegression().fit(X_train, y_train)
    with mlflow.start_run():
        uri = labtrack.sklearn.log_model(model, "model").model_uri
    data = X_test.assign(target=y_test)
    result = mlflow.models.evaluate(uri, data, targets="target", model_type="regressor")
    assert round(result.metrics["mean_squared_error"], 4) == 3180.1596  # MLflow 2.22.5's value
    assert result.metrics["score"] == pytest.approx(result.metrics["r2_score"])
    assert mlflow.active_run() is None  # the run evaluate started is ended
    assert mlflow.get_run(result.run_id).info.status == "FINISHED"


def test_binary_classifier_metrics_and_plots_match_mlflows():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    model = LogisticRegression(max_iter=5000, random_state=0).fit(X_train, y_train)
    with mlflow.start_run() as run:
        result = mlflow.evaluate(
            model, X_test.assign(label=y_test), targets="label", model_type="classifier"
        )
    # Values MLflow 3.17.2 logged for the same data and model.
    assert round(result.metrics["accuracy_score"], 6) == 0.95614
    assert round(result.metrics["f1_score"], 6) == 0.965517
    assert round(result.metrics["roc_auc"], 6) == round(0.9977071732721913, 6)
    assert round(result.metrics["precision_recall_auc"], 6) == round(0.9986821513878592, 6)
    assert (result.metrics["true_positives"], result.metrics["false_positives"]) == (70, 4)
    files = sorted(f.path for f in mlflow.MlflowClient().list_artifacts(run.info.run_id))
    assert files == [
        "calibration_curve_plot.png",
        "confusion_matrix.png",
        "lift_curve_plot.png",
        "precision_recall_curve_plot.png",
        "roc_curve_plot.png",
    ]
    assert result.artifacts["confusion_matrix"].content.size[0] > 100


def test_multiclass_classifier_logs_per_class_metrics():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(X, y)
    with mlflow.start_run() as run:
        result = mlflow.evaluate(
            model,
            X,
            targets=y,
            model_type="classifier",
            evaluator_config={"metric_prefix": "val_"},
        )
    assert {"val_accuracy_score", "val_roc_auc", "val_log_loss"} <= set(result.metrics)
    table = result.tables["per_class_metrics"]
    assert table["positive_class"].tolist() == [0, 1, 2]
    files = {f.path for f in mlflow.MlflowClient().list_artifacts(run.info.run_id)}
    assert {"val_per_class_metrics.csv", "val_confusion_matrix.png"} <= files


def test_what_is_out_of_scope_says_so():
    data = pd.DataFrame({"t": [1.0, 2.0], "p": [1.0, 2.0]})
    with pytest.raises(InvalidParameterError, match="'regressor' or 'classifier'"):
        mlflow.evaluate(data=data, targets="t", predictions="p", model_type="question-answering")
    with pytest.raises(InvalidParameterError, match="default evaluator only"):
        mlflow.evaluate(
            data=data, targets="t", predictions="p", model_type="regressor", evaluators=["shap"]
        )
    with pytest.raises(InvalidParameterError, match="extra_metrics"):
        mlflow.evaluate(
            data=data,
            targets="t",
            predictions="p",
            model_type="regressor",
            extra_metrics=[object()],
        )
    with pytest.raises(InvalidParameterError, match="predictions='<column>'"):
        mlflow.evaluate(data=data, targets="t", model_type="regressor")
    with pytest.raises(InvalidParameterError, match="columns"):
        mlflow.evaluate(data=data, targets="nope", predictions="p", model_type="regressor")
    assert np.isfinite(
        mlflow.evaluate(data=data, targets="t", predictions="p", model_type="regressor").metrics[
            "r2_score"
        ]
    )
