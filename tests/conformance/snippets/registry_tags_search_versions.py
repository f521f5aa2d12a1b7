# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.client.html (set_registered_model_tag, set_model_version_tag, search_model_versions docstrings)
# Area: registry
# MLflow: 3
import json

from sklearn.linear_model import LinearRegression

import mlflow
from mlflow import MlflowClient

for i in range(3):
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            LinearRegression().fit([[0.0], [1.0]], [0.0, float(i)]),
            name="model",
            registered_model_name="RandomForestRegression",
        )

client = MlflowClient()
client.set_registered_model_tag("RandomForestRegression", "task", "regression")
client.set_model_version_tag("RandomForestRegression", "1", "validation_status", "approved")
client.set_model_version_tag("RandomForestRegression", "2", "validation_status", "pending")

versions = client.search_model_versions("name='RandomForestRegression'")
print("RESULT", json.dumps(sorted(v.version for v in versions)))
approved = client.search_model_versions(
    "name='RandomForestRegression' and tag.validation_status = 'approved'"
)
print("RESULT", json.dumps([v.version for v in approved]))
print("RESULT", json.dumps(client.get_registered_model("RandomForestRegression").tags))
print("RESULT", json.dumps(client.get_model_version("RandomForestRegression", "2").tags))

client.delete_model_version_tag("RandomForestRegression", "2", "validation_status")
client.delete_registered_model_tag("RandomForestRegression", "task")
print("RESULT", json.dumps(client.get_model_version("RandomForestRegression", "2").tags))
