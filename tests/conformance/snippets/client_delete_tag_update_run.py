# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.client.html (delete_tag, update_run docstrings)
# Area: client
# MLflow: 2 3
import json

from mlflow import MlflowClient

client = MlflowClient()
tags = {"t1": 1, "t2": 2}
experiment_id = "0"
run = client.create_run(experiment_id, tags=tags)

client.delete_tag(run.info.run_id, "t1")
run = client.get_run(run.info.run_id)
print("RESULT", json.dumps({k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}))

client.update_run(run.info.run_id, status="FINISHED", name="renamed-run")
run = client.get_run(run.info.run_id)
print("RESULT", json.dumps(run.info.status))
print("RESULT", json.dumps(run.info.run_name))
