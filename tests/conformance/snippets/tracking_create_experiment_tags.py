# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (create_experiment docstring)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

# Create an experiment name, which must be unique and case sensitive
experiment_id = mlflow.create_experiment(
    "Social NLP Experiments",
    tags={"version": "v1", "priority": "P1"},
)
experiment = mlflow.get_experiment(experiment_id)
print("RESULT", json.dumps(experiment.name))
print(
    "RESULT",
    json.dumps(
        {k: v for k, v in experiment.tags.items() if not k.startswith("mlflow.")}, sort_keys=True
    ),
)
print("RESULT", json.dumps(experiment.lifecycle_stage))
by_name = mlflow.get_experiment_by_name("Social NLP Experiments")
print("RESULT", json.dumps(by_name.experiment_id == experiment_id))
