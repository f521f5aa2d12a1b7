# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.client.html (MlflowClient.create_run, log_param, log_metric, set_terminated docstrings)
# Area: client
# MLflow: 2 3
import json

from mlflow import MlflowClient

# Create a run with a tag under the default experiment (whose id is '0').
tags = {"engineering": "ML Platform"}
name = "platform-run-24"
client = MlflowClient()
experiment_id = "0"
run = client.create_run(experiment_id, tags=tags, run_name=name)
print("RESULT", json.dumps(run.info.status))

client.log_param(run.info.run_id, "p", 1)
client.log_metric(run.info.run_id, "m", 1.5)
client.log_metric(run.info.run_id, "m", 2.5, step=1)
client.set_tag(run.info.run_id, "tag", "value")
client.set_terminated(run.info.run_id)

run = client.get_run(run.info.run_id)
print("RESULT", json.dumps(run.info.run_name))
print("RESULT", json.dumps(run.info.status))
print("RESULT", json.dumps(run.data.params))
print("RESULT", json.dumps(run.data.metrics))
print(
    "RESULT",
    json.dumps(
        {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}, sort_keys=True
    ),
)
