# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (get_parent_run docstring)
# Area: nested
# MLflow: 2 3
import json

import mlflow

with mlflow.start_run(run_name="outer"):
    with mlflow.start_run(run_name="inner", nested=True) as child_run:
        pass

parent_run = mlflow.get_parent_run(child_run.info.run_id)
print("RESULT", json.dumps(parent_run.info.run_name))
print("RESULT", json.dumps(mlflow.get_parent_run(parent_run.info.run_id) is None))
