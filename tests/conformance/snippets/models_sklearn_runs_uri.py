# Source: https://mlflow.org/docs/latest/ml/traditional-ml/sklearn/ (log then load with runs:/<run_id>/model and mlflow.sklearn.load_model)
# Area: models
# MLflow: 2 3
import json

from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor

import mlflow
import mlflow.sklearn

X, y = load_diabetes(return_X_y=True, as_frame=True)
model = RandomForestRegressor(n_estimators=10, max_depth=3, random_state=42)
model.fit(X, y)

with mlflow.start_run() as run:
    # Tree models: skops (the default format) needs their node storage type trusted;
    # cloudpickle is the documented alternative.
    mlflow.sklearn.log_model(
        model, "model", serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE
    )

model_uri = f"runs:/{run.info.run_id}/model"
loaded = mlflow.sklearn.load_model(model_uri)
print("RESULT", json.dumps(type(loaded).__name__))
print("RESULT", json.dumps([round(v, 4) for v in loaded.predict(X.head(3))]))

pyfunc_model = mlflow.pyfunc.load_model(model_uri)
print("RESULT", json.dumps([round(v, 4) for v in pyfunc_model.predict(X.head(3))]))
