# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.client.html (MlflowClient.log_batch docstring)
# Area: client
# MLflow: 2 3
import json
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag


def print_run_info(r):
    print("RESULT", json.dumps(r.data.params, sort_keys=True))
    print("RESULT", json.dumps(r.data.metrics, sort_keys=True))
    print(
        "RESULT", json.dumps({k: v for k, v in r.data.tags.items() if not k.startswith("mlflow.")})
    )
    print("RESULT", json.dumps(r.info.status))


# Create MLflow entities and a run under the default experiment (whose id is '0').
timestamp = int(time.time() * 1000)
metrics = [Metric("m", 1.5, timestamp, 1)]
params = [Param("p", "p")]
tags = [RunTag("t", "t")]
experiment_id = "0"
client = MlflowClient()
run = client.create_run(experiment_id)

# Log entities, terminate the run, and fetch run status
client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags)
client.set_terminated(run.info.run_id)
run = client.get_run(run.info.run_id)
print_run_info(run)
