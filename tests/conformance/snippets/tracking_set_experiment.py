# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (set_experiment docstring)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

# Set an experiment name, which must be unique and case-sensitive.
experiment = mlflow.set_experiment("Social NLP Experiments")

# Get Experiment Details
print("RESULT", json.dumps(experiment.name))
print("RESULT", json.dumps(experiment.lifecycle_stage))

with mlflow.start_run():
    mlflow.log_param("p", 1)

again = mlflow.set_experiment("Social NLP Experiments")
print("RESULT", json.dumps(again.experiment_id == experiment.experiment_id))
