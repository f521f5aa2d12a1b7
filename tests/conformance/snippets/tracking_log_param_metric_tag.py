# Source: https://mlflow.org/docs/latest/ml/tracking/tracking-api/ (Logging Functions)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

with mlflow.start_run() as run:
    mlflow.log_param("learning_rate", 0.01)
    mlflow.log_param("optimizer", "adam")
    mlflow.log_metric("accuracy", 0.95)
    mlflow.set_tag("model_type", "classifier")

run = mlflow.get_run(run.info.run_id)
print("RESULT", json.dumps(run.data.params, sort_keys=True))
print("RESULT", json.dumps(run.data.metrics, sort_keys=True))
print("RESULT", json.dumps(run.info.status))
