# Source: https://mlflow.org/docs/latest/ml/traditional-ml/sklearn/ (autolog with models: load the autologged model)
# Area: autolog
# MLflow: 3
import json

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import mlflow

mlflow.sklearn.autolog()

X, y = load_iris(return_X_y=True)
with mlflow.start_run() as run:
    model = LogisticRegression(max_iter=500, random_state=0).fit(X, y)

logged = mlflow.last_logged_model()
print("RESULT", json.dumps(logged.name))
print("RESULT", json.dumps(logged.source_run_id == run.info.run_id))
loaded = mlflow.sklearn.load_model(f"models:/{logged.model_id}")
print("RESULT", json.dumps(loaded.predict(X[:5]).tolist()))
