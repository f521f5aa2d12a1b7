# Source: https://mlflow.org/docs/latest/ml/model-registry/workflow/ (aliases: set_registered_model_alias, models:/name@alias)
# Area: registry
# MLflow: 3
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
            name="model",
            registered_model_name="example-model",
        )

client = MlflowClient()
# create "champion" alias for version 1 of model "example-model"
client.set_registered_model_alias("example-model", "champion", 1)
client.set_registered_model_alias("example-model", "challenger", 2)

# get a model version by alias
mv = client.get_model_version_by_alias("example-model", "champion")
print("RESULT", json.dumps(mv.version))
print("RESULT", json.dumps(sorted(client.get_registered_model("example-model").aliases)))

champion = mlflow.pyfunc.load_model("models:/example-model@champion")
print("RESULT", json.dumps([round(v, 6) for v in champion.predict(np.array([[3.0]]))]))

# reassign the alias and delete the other one
client.set_registered_model_alias("example-model", "champion", 2)
client.delete_registered_model_alias("example-model", "challenger")
print("RESULT", json.dumps(client.get_model_version_by_alias("example-model", "champion").version))
