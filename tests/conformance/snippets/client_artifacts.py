# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.client.html (MlflowClient.log_artifact, list_artifacts, download_artifacts docstrings)
# Area: client
# MLflow: 2 3
import json
import os
import tempfile

from mlflow import MlflowClient

features = "rooms, zipcode, median_price, school_rating, transport"
with open("features.txt", "w") as f:
    f.write(features)

# Create a run under the default experiment (whose id is '0').
client = MlflowClient()
experiment_id = "0"
run = client.create_run(experiment_id)

# Log an artifact and fetch the list of artifacts
client.log_artifact(run.info.run_id, "features.txt", artifact_path="features")
client.log_text(run.info.run_id, "hello", "notes/hello.txt")
client.log_dict(run.info.run_id, {"a": 1}, "config.json")
client.set_terminated(run.info.run_id)

artifacts = client.list_artifacts(run.info.run_id)
print("RESULT", json.dumps([(a.path, a.is_dir) for a in sorted(artifacts, key=lambda a: a.path)]))
inner = client.list_artifacts(run.info.run_id, "features")
print("RESULT", json.dumps([(a.path, a.is_dir, a.file_size) for a in inner]))

dst = tempfile.mkdtemp()
local_path = client.download_artifacts(run.info.run_id, "features", dst)
print("RESULT", json.dumps(sorted(os.listdir(local_path))))
with open(os.path.join(local_path, "features.txt")) as f:
    print("RESULT", json.dumps(f.read()))
