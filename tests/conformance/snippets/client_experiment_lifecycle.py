# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.client.html (rename_experiment, delete_experiment, restore_experiment docstrings)
# Area: client
# MLflow: 2 3
import json

from mlflow import MlflowClient
from mlflow.entities import ViewType

client = MlflowClient()
experiment_id = client.create_experiment("New Experiment")
client.rename_experiment(experiment_id, "Renamed Experiment")
print("RESULT", json.dumps(client.get_experiment(experiment_id).name))

client.delete_experiment(experiment_id)
experiment = client.get_experiment(experiment_id)
print("RESULT", json.dumps(experiment.lifecycle_stage))
print(
    "RESULT",
    json.dumps([e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]),
)

client.restore_experiment(experiment_id)
print("RESULT", json.dumps(client.get_experiment(experiment_id).lifecycle_stage))
client.set_experiment_tag(experiment_id, "nlp.framework", "Spark NLP")
print(
    "RESULT",
    json.dumps(client.get_experiment_by_name("Renamed Experiment").tags.get("nlp.framework")),
)
