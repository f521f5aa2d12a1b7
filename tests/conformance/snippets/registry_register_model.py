# Source: https://mlflow.org/docs/latest/ml/model-registry/workflow/ (register a logged model with mlflow.register_model)
# Area: registry
# MLflow: 3
import json

from sklearn.datasets import make_regression
from sklearn.ensemble import RandomForestRegressor

import mlflow

X, y = make_regression(n_features=4, n_informative=2, random_state=0, shuffle=False)
model = RandomForestRegressor(max_depth=2, n_estimators=5, random_state=0).fit(X, y)

with mlflow.start_run() as run:
    model_info = mlflow.sklearn.log_model(
        model,
        name="sklearn-model",
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
    )

result = mlflow.register_model(model_info.model_uri, "sk-learn-random-forest-reg")
print("RESULT", json.dumps([result.name, result.version]))

# A second registration of the same model makes version 2
again = mlflow.register_model(
    f"runs:/{run.info.run_id}/sklearn-model", "sk-learn-random-forest-reg"
)
print("RESULT", json.dumps(again.version))
