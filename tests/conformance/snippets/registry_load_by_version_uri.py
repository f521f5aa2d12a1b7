# Source: https://mlflow.org/docs/latest/ml/model-registry/workflow/ (Fetching a model version: models:/<name>/<version>, latest)
# Area: registry
# MLflow: 2 3
import json

import numpy as np
from sklearn.linear_model import LinearRegression

import mlflow.pyfunc

X = np.array([[0.0], [1.0], [2.0]])
for slope in (1.0, 3.0):
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            LinearRegression().fit(X, slope * X.ravel()),
            "model",
            registered_model_name="sk-learn-random-forest-reg-model",
        )

model_name = "sk-learn-random-forest-reg-model"
model_version = 1

model = mlflow.pyfunc.load_model(model_uri=f"models:/{model_name}/{model_version}")
print("RESULT", json.dumps([round(v, 6) for v in model.predict(np.array([[2.0]]))]))

latest = mlflow.pyfunc.load_model(model_uri=f"models:/{model_name}/latest")
print("RESULT", json.dumps([round(v, 6) for v in latest.predict(np.array([[2.0]]))]))
