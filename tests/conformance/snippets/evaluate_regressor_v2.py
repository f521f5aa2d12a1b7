# Source: https://mlflow.org/docs/2.22.0/model-evaluation/index.html (mlflow.evaluate with model_type="regressor")
# Area: evaluate
# MLflow: 2
import json

from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split

import mlflow

X, y = load_diabetes(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = LinearRegression().fit(X_train, y_train)

eval_data = X_test.copy()
eval_data["target"] = y_test

with mlflow.start_run() as run:
    model_info = mlflow.sklearn.log_model(model, "model")
    result = mlflow.evaluate(
        model_info.model_uri,
        eval_data,
        targets="target",
        model_type="regressor",
        evaluators=["default"],
    )

print(
    "RESULT",
    json.dumps(
        {
            k: round(result.metrics[k], 4)
            for k in ("mean_squared_error", "r2_score", "mean_absolute_error")
        }
    ),
)
