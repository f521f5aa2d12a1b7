# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.entities.html (RunInfo, RunStatus, ViewType, Param) and mlflow.exceptions.MlflowException
# Area: client
# MLflow: 2 3
import json

import mlflow
from mlflow.entities import LifecycleStage, Param, RunStatus, RunTag, ViewType
from mlflow.exceptions import MlflowException

with mlflow.start_run(run_name="entities") as run:
    mlflow.log_param("alpha", 0.5)

info = dict(mlflow.get_run(run.info.run_id).info)
print("RESULT", json.dumps(sorted(info)))
print("RESULT", json.dumps([info["status"], info["lifecycle_stage"], info["run_name"]]))
print("RESULT", json.dumps(info["run_id"] == run.info.run_id))

print("RESULT", json.dumps(dict(Param("alpha", "0.5"))))
print("RESULT", json.dumps(dict(RunTag("team", "ml"))))
print(
    "RESULT", json.dumps([RunStatus.to_string(RunStatus.KILLED), RunStatus.from_string("FAILED")])
)
print("RESULT", json.dumps(RunStatus.is_terminated(RunStatus.FINISHED)))
print(
    "RESULT", json.dumps([ViewType.from_string("all"), ViewType.to_string(ViewType.DELETED_ONLY)])
)
print("RESULT", json.dumps(LifecycleStage.view_type_to_stages(ViewType.ALL)))

try:
    mlflow.get_run("0" * 32)
except MlflowException as e:
    print("RESULT", json.dumps(e.error_code))
