# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (start_run docstring: run_name, description)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

with mlflow.start_run(run_name="baseline", description="First baseline model") as run:
    mlflow.log_param("alpha", 0.5)
    print("RESULT", json.dumps(run.info.run_name))

run = mlflow.get_run(run.info.run_id)
print("RESULT", json.dumps(run.data.tags.get("mlflow.note.content")))
print("RESULT", json.dumps(run.data.tags.get("mlflow.runName")))
