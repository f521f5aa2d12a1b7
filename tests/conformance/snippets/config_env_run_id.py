# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (start_run: "If you pass a run_id or the MLFLOW_RUN_ID environment variable is set, start_run attempts to resume a run")
# Area: config
# MLflow: 2 3
import json
import os

import mlflow

with mlflow.start_run(run_name="first") as first:
    mlflow.log_param("a", 1)

# What a launcher does before handing the run to a script.
os.environ["MLFLOW_RUN_ID"] = first.info.run_id

with mlflow.start_run() as resumed:
    mlflow.log_param("b", 2)

print("RESULT", json.dumps(resumed.info.run_id == first.info.run_id))
print("RESULT", json.dumps("MLFLOW_RUN_ID" in os.environ))
run = mlflow.get_run(first.info.run_id)
print("RESULT", json.dumps(run.data.params, sort_keys=True))
print("RESULT", json.dumps(run.info.status))

with mlflow.start_run() as fresh:
    pass
print("RESULT", json.dumps(fresh.info.run_id != first.info.run_id))
