# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.sklearn.html (autolog(disable=True))
# Area: autolog
# MLflow: 2 3
import json

from sklearn.linear_model import LinearRegression

import mlflow

mlflow.sklearn.autolog()
mlflow.sklearn.autolog(disable=True)

with mlflow.start_run() as run:
    LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])

run = mlflow.get_run(run.info.run_id)
print("RESULT", json.dumps([run.data.params, run.data.metrics]))
