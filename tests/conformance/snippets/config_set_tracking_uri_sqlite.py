# Source: https://mlflow.org/docs/latest/ml/tracking/backend-stores/ (mlflow.set_tracking_uri("sqlite:///mlflow.db"))
# Area: config
# MLflow: 2 3
# Tracking-URI: sqlite:///mlflow.db
import json

import mlflow

mlflow.set_tracking_uri("sqlite:///mlflow.db")
mlflow.set_experiment("sqlite-backed")

with mlflow.start_run():
    mlflow.log_metric("m", 1.0)

print("RESULT", json.dumps(mlflow.get_tracking_uri()))
print("RESULT", json.dumps(len(mlflow.search_runs(experiment_names=["sqlite-backed"]))))
