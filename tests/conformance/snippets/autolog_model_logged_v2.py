# Source: https://mlflow.org/docs/2.22.0/tracking/autolog.html (sklearn autolog logs the model under "model"; load with runs:/)
# Area: autolog
# MLflow: 2
import json

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import mlflow

mlflow.sklearn.autolog()

X, y = load_iris(return_X_y=True)
with mlflow.start_run() as run:
    model = LogisticRegression(max_iter=500, random_state=0).fit(X, y)

loaded = mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model")
print("RESULT", json.dumps(loaded.predict(X[:5]).tolist()))
