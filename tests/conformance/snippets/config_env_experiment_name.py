# Source: https://mlflow.org/docs/latest/ml/tracking/tracking-api/ (MLFLOW_EXPERIMENT_NAME environment variable selects the experiment)
# Area: config
# MLflow: 2 3
# Env: MLFLOW_EXPERIMENT_NAME=fraud-detection
import json

import mlflow

with mlflow.start_run() as run:
    mlflow.log_param("threshold", 0.5)

print("RESULT", json.dumps(mlflow.get_experiment(run.info.experiment_id).name))
