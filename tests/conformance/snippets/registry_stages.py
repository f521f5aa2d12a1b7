# Source: https://mlflow.org/docs/2.22.0/model-registry.html (transition_model_version_stage, get_latest_versions, models:/name/Stage)
# Area: registry
# MLflow: 2
import json

import numpy as np
from sklearn.linear_model import LinearRegression

import mlflow
from mlflow import MlflowClient

X = np.array([[0.0], [1.0], [2.0]])
for slope in (1.0, 2.0):
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            LinearRegression().fit(X, slope * X.ravel()),
            artifact_path="model",
            registered_model_name="sk-learn-random-forest-reg-model",
        )

client = MlflowClient()
client.transition_model_version_stage(
    name="sk-learn-random-forest-reg-model", version=1, stage="Production"
)
client.transition_model_version_stage(
    name="sk-learn-random-forest-reg-model", version=2, stage="Staging"
)
latest = client.get_latest_versions("sk-learn-random-forest-reg-model", stages=["Production"])
print("RESULT", json.dumps([(v.version, v.current_stage) for v in latest]))

model = mlflow.pyfunc.load_model(model_uri="models:/sk-learn-random-forest-reg-model/Staging")
print("RESULT", json.dumps([round(v, 6) for v in model.predict(np.array([[3.0]]))]))

client.transition_model_version_stage(
    name="sk-learn-random-forest-reg-model",
    version=2,
    stage="Production",
    archive_existing_versions=True,
)
versions = client.search_model_versions("name='sk-learn-random-forest-reg-model'")
print("RESULT", json.dumps(sorted((v.version, v.current_stage) for v in versions)))
