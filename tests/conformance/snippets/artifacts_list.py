# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.artifacts.html (list_artifacts docstring)
# Area: artifacts
# MLflow: 2 3
import json

import mlflow

with mlflow.start_run() as run:
    mlflow.log_text("a", "a.txt")
    mlflow.log_text("b", "dir/b.txt")

artifacts = mlflow.artifacts.list_artifacts(run_id=run.info.run_id)
print("RESULT", json.dumps(sorted((a.path, a.is_dir) for a in artifacts)))
artifacts = mlflow.artifacts.list_artifacts(artifact_uri=f"runs:/{run.info.run_id}/dir")
print("RESULT", json.dumps(sorted(a.path for a in artifacts)))
