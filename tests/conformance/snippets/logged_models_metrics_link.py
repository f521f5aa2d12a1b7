# Source: https://mlflow.org/docs/latest/ml/model/ (MLflow 3: metrics logged after log_model are linked to the active model)
# Area: logged-models
# MLflow: 3
import json

from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error

import mlflow
from mlflow import MlflowClient

X, y = load_diabetes(return_X_y=True)
with mlflow.start_run():
    model = Ridge(alpha=1.0).fit(X, y)
    model_info = mlflow.sklearn.log_model(model, name="ridge")
    mlflow.log_metric("mse", mean_squared_error(y, model.predict(X)), model_id=model_info.model_id)

logged = MlflowClient().get_logged_model(model_info.model_id)
print("RESULT", json.dumps([(m.key, round(m.value, 4)) for m in logged.metrics]))
print("RESULT", json.dumps(logged.name))
