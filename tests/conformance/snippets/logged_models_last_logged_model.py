# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (last_logged_model docstring) and the MLflow 3 LoggedModel guide
# Area: logged-models
# MLflow: 3
import json

from sklearn.linear_model import LogisticRegression

import mlflow

with mlflow.start_run() as run:
    model_info = mlflow.sklearn.log_model(
        LogisticRegression().fit([[0], [1]], [0, 1]), name="model"
    )

logged_model = mlflow.last_logged_model()
print("RESULT", json.dumps(logged_model.model_id == model_info.model_id))
print("RESULT", json.dumps(logged_model.name))
print("RESULT", json.dumps(logged_model.source_run_id == run.info.run_id))
print("RESULT", json.dumps(str(logged_model.status)))
print("RESULT", json.dumps(logged_model.model_uri == f"models:/{model_info.model_id}"))
