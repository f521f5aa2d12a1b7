# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_params, log_metrics, set_tags docstrings)
# Area: tracking
# MLflow: 2 3
import mlflow

params = {"learning_rate": 0.01, "n_estimators": 10}
metrics = {"mse": 2500.00, "rmse": 50.00}
tags = {
    "engineering": "ML Platform",
    "release.candidate": "RC1",
    "release.version": "2.2.0",
}

# Log a batch of parameters, metrics and tags
with mlflow.start_run():
    mlflow.log_params(params)
    mlflow.log_metrics(metrics)
    mlflow.set_tags(tags)
