# Source: https://mlflow.org/docs/2.22.0/python_api/mlflow.client.html (MlflowClient.copy_model_version docstring)
# Area: registry
# MLflow: 2
import json

import numpy as np
from sklearn.linear_model import LinearRegression

import mlflow
from mlflow import MlflowClient

X = np.array([[0.0], [1.0], [2.0]])
with mlflow.start_run():
    mlflow.sklearn.log_model(
        LinearRegression().fit(X, 3 * X.ravel()),
        "model",
        registered_model_name="staging-model",
    )

client = MlflowClient()
client.set_model_version_tag("staging-model", "1", "validated", "yes")
client.set_registered_model_alias("staging-model", "champion", 1)

# Copy the champion of the staging model into the production model
copied = client.copy_model_version("models:/staging-model@champion", "prod-model")
print("RESULT", json.dumps([copied.name, copied.version]))
print("RESULT", json.dumps(copied.tags))
again = client.copy_model_version("models:/staging-model/1", "prod-model")
print("RESULT", json.dumps(again.version))

model = mlflow.pyfunc.load_model("models:/prod-model/2")
print("RESULT", json.dumps([round(v, 6) for v in model.predict(np.array([[4.0]]))]))

# The alias stays with the staging model; retire it now that production has a copy.
print("RESULT", json.dumps(client.get_model_version_by_alias("staging-model", "champion").version))
client.delete_registered_model_alias("staging-model", "champion")
