# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.models.html (ModelInfo) and mlflow.models.get_model_info
# Area: models
# MLflow: 3
import json

import numpy as np
from sklearn.linear_model import LinearRegression

import mlflow
from mlflow.models import infer_signature

X = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0], [4.0, 7.0]])
y = np.array([3.0, 5.0, 8.0, 11.0])
model = LinearRegression().fit(X, y)

with mlflow.start_run():
    info = mlflow.sklearn.log_model(
        model, name="linreg", signature=infer_signature(X, y), input_example=X[:2]
    )

print("RESULT", json.dumps(sorted(info.flavors)))
print("RESULT", json.dumps(info.name))
print("RESULT", json.dumps(info.signature.inputs.to_dict()))
print("RESULT", json.dumps(info.model_uri == f"models:/{info.model_id}"))
same = mlflow.models.get_model_info(info.model_uri)
print("RESULT", json.dumps(same.model_id == info.model_id))
print(
    "RESULT", json.dumps([round(v, 6) for v in mlflow.pyfunc.load_model(info.model_uri).predict(X)])
)
