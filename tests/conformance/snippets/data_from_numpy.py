# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.data.html (mlflow.data.from_numpy docstring)
# Area: data
# MLflow: 2 3
import json

import numpy as np

import mlflow

x = np.random.RandomState(0).uniform(size=[2, 5, 4])
y = np.random.RandomState(1).randint(2, size=[2])
dataset = mlflow.data.from_numpy(x, targets=y, name="uniform")

with mlflow.start_run() as run:
    mlflow.log_input(dataset, context="validation", tags={"version": "1"})

run = mlflow.get_run(run.info.run_id)
inputs = run.inputs.dataset_inputs
print("RESULT", json.dumps([i.dataset.name for i in inputs]))
print("RESULT", json.dumps(sorted((t.key, t.value) for t in inputs[0].tags)))
print("RESULT", json.dumps(dataset.profile))
