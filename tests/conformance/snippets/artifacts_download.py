# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.artifacts.html (download_artifacts docstring)
# Area: artifacts
# MLflow: 2 3
import json
import os

import mlflow

with mlflow.start_run() as run:
    mlflow.log_text("hello world", "greetings/hello.txt")
    mlflow.log_dict({"a": 1}, "config.json")

local_dir = mlflow.artifacts.download_artifacts(
    run_id=run.info.run_id, artifact_path="greetings", dst_path="downloads"
)
print("RESULT", json.dumps(sorted(os.listdir(local_dir))))

local_file = mlflow.artifacts.download_artifacts(
    artifact_uri=f"runs:/{run.info.run_id}/config.json"
)
with open(local_file) as f:
    print("RESULT", json.dumps(json.load(f)))

everything = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path="all")
print("RESULT", json.dumps(sorted(os.listdir(everything))))
