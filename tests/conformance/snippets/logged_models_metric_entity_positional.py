# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.entities.html (Metric: key, value, timestamp, step, model_id, dataset_name, dataset_digest, run_id) and the MlflowClient.log_batch docstring
# Area: logged-models
# MLflow: 3
import json
import time

from mlflow import MlflowClient
from mlflow.entities import Metric

client = MlflowClient()
run = client.create_run("0")
model = client.create_logged_model(experiment_id="0", name="scorer")

# MLflow 3's Metric takes the logged model fifth and the run id last, by position.
timestamp = int(time.time() * 1000)
point = Metric("acc", 0.91, timestamp, 2, model.model_id, "eval", "d1", run.info.run_id)
print("RESULT", json.dumps(list(point.to_dictionary())))
print("RESULT", json.dumps(point.model_id == model.model_id))
print("RESULT", json.dumps([point.dataset_name, point.dataset_digest]))
print("RESULT", json.dumps(point.run_id == run.info.run_id))

client.log_batch(run.info.run_id, metrics=[point])
client.set_terminated(run.info.run_id)
linked = client.get_logged_model(model.model_id)
print("RESULT", json.dumps([(m.key, m.value, m.step, m.dataset_name) for m in linked.metrics]))
print("RESULT", json.dumps(client.get_run(run.info.run_id).data.metrics))
