# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (restore_run, restore_experiment docstrings)
# Area: tracking
# MLflow: 3
import json

import mlflow

with mlflow.start_run() as run:
    mlflow.log_param("p", 0)

run_id = run.info.run_id
mlflow.delete_run(run_id)
print("RESULT", json.dumps(mlflow.get_run(run_id).info.lifecycle_stage))

mlflow.restore_run(run_id)
print("RESULT", json.dumps(mlflow.get_run(run_id).info.lifecycle_stage))

experiment_id = mlflow.create_experiment("New Experiment")
mlflow.delete_experiment(experiment_id)
mlflow.restore_experiment(experiment_id)
print("RESULT", json.dumps(mlflow.get_experiment(experiment_id).lifecycle_stage))
