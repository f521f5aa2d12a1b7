# Source: https://mlflow.org/docs/latest/ml/model-registry/workflow/ (MlflowClient: create_registered_model, create_model_version, update_*, search)
# Area: registry
# MLflow: 2 3
import json

from sklearn.linear_model import LinearRegression

import mlflow
from mlflow import MlflowClient

model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
with mlflow.start_run() as run:
    mlflow.sklearn.log_model(model, "model")

client = MlflowClient()
client.create_registered_model(
    "sk-learn-linreg", tags={"team": "forecast"}, description="A linear model"
)
result = client.create_model_version(
    name="sk-learn-linreg",
    source=f"runs:/{run.info.run_id}/model",
    run_id=run.info.run_id,
)
print("RESULT", json.dumps(result.version))

client.update_registered_model(
    name="sk-learn-linreg",
    description="This sentiment analysis model classifies the tone-happy, sad, angry.",
)
client.update_model_version(
    name="sk-learn-linreg", version=1, description="This model version is a linear model."
)

model = client.get_registered_model("sk-learn-linreg")
print("RESULT", json.dumps(model.description))
version = client.get_model_version("sk-learn-linreg", "1")
print(
    "RESULT", json.dumps([version.version, version.description, version.run_id == run.info.run_id])
)
print("RESULT", json.dumps([m.name for m in client.search_registered_models()]))
print(
    "RESULT",
    json.dumps([m.name for m in client.search_registered_models(filter_string="name LIKE 'sk-%'")]),
)
