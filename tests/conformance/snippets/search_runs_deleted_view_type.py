# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.entities.html (ViewType) and mlflow.delete_run docstring
# Area: search
# MLflow: 2 3
import json

import mlflow
from mlflow.entities import ViewType

with mlflow.start_run(run_name="keep"):
    mlflow.log_param("p", 1)
with mlflow.start_run(run_name="drop") as run:
    mlflow.log_param("p", 2)

mlflow.delete_run(run.info.run_id)

for view in (ViewType.ACTIVE_ONLY, ViewType.DELETED_ONLY, ViewType.ALL):
    runs = mlflow.search_runs(experiment_ids=["0"], run_view_type=view)
    print("RESULT", json.dumps(sorted(runs["tags.mlflow.runName"].tolist())))

print("RESULT", json.dumps(mlflow.get_run(run.info.run_id).info.lifecycle_stage))
