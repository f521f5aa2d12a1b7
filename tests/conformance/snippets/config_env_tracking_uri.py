# Source: https://mlflow.org/docs/latest/ml/tracking/ (MLFLOW_TRACKING_URI environment variable)
# Area: config
# MLflow: 2 3
# Env: MLFLOW_TRACKING_URI=sqlite:///tracking.db
# Tracking-URI: sqlite:///tracking.db
import json

import mlflow

with mlflow.start_run():
    mlflow.log_param("where", "env")

print("RESULT", json.dumps(mlflow.get_tracking_uri()))
print("RESULT", json.dumps(mlflow.is_tracking_uri_set()))
