# Source: https://mlflow.org/docs/latest/ml/model-registry/workflow/ (rename, delete model version, delete registered model)
# Area: registry
# MLflow: 2 3
import json

from sklearn.linear_model import LinearRegression

import mlflow
from mlflow import MlflowClient

model = LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0])
for _ in range(3):
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model, "model", registered_model_name="sk-learn-random-forest-reg-model"
        )

client = MlflowClient()
client.rename_registered_model(
    name="sk-learn-random-forest-reg-model",
    new_name="sk-learn-random-forest-reg-model-100",
)
# Delete versions 1,2, and 3 of the model
versions = [1, 2]
for version in versions:
    client.delete_model_version(name="sk-learn-random-forest-reg-model-100", version=version)

print("RESULT", json.dumps([m.name for m in client.search_registered_models()]))
print(
    "RESULT",
    json.dumps(
        [
            v.version
            for v in client.search_model_versions("name='sk-learn-random-forest-reg-model-100'")
        ]
    ),
)

client.create_registered_model("to-delete")
client.delete_registered_model(name="to-delete")
print("RESULT", json.dumps(sorted(m.name for m in client.search_registered_models())))
