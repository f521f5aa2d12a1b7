# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.artifacts.html (load_dict, load_text docstrings)
# Area: artifacts
# MLflow: 2 3
import json

import mlflow

with mlflow.start_run() as run:
    artifact_uri = run.info.artifact_uri
    mlflow.log_dict({"mlflow-version": "0.28", "n_cores": "10"}, "config.json")
    mlflow.log_text("line1\nline2", "notes.txt")

config_json = mlflow.artifacts.load_dict(artifact_uri + "/config.json")
print("RESULT", json.dumps(config_json, sort_keys=True))
text = mlflow.artifacts.load_text(artifact_uri + "/notes.txt")
print("RESULT", json.dumps(text))
print(
    "RESULT",
    json.dumps(mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/config.json")["n_cores"]),
)
