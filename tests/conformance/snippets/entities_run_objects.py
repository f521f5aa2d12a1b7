# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.entities.html (Run, RunInfo, RunData, RunStatus)
# Area: client
# MLflow: 2 3
import json

import mlflow
from mlflow.entities import Run, RunStatus

with mlflow.start_run(run_name="entities") as active:
    mlflow.log_param("alpha", 0.5)
    mlflow.log_metric("rmse", 0.7)
    mlflow.set_tag("stage", "dev")

run = mlflow.get_run(active.info.run_id)
print("RESULT", json.dumps(isinstance(run, Run)))
print("RESULT", json.dumps(run.info.status == RunStatus.to_string(RunStatus.FINISHED)))
print("RESULT", json.dumps(RunStatus.is_terminated(RunStatus.from_string(run.info.status))))
print("RESULT", json.dumps(run.info.lifecycle_stage))
print("RESULT", json.dumps(run.info.artifact_uri.endswith("/artifacts")))
print("RESULT", json.dumps(sorted(run.to_dictionary().keys())))
print("RESULT", json.dumps(sorted(run.to_dictionary()["data"].keys())))
