# Source: https://mlflow.org/docs/latest/ml/evaluation/model-eval/ (evaluate a static dataset: predictions column, model_type="classifier", multiclass)
# Area: evaluate
# MLflow: 2 3
import json

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import mlflow

X, y = load_iris(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
model = LogisticRegression(max_iter=1000, random_state=0).fit(X_train, y_train)

eval_data = X_test.copy()
eval_data["label"] = y_test
eval_data["prediction"] = model.predict(X_test)

with mlflow.start_run():
    result = mlflow.evaluate(
        data=eval_data,
        targets="label",
        predictions="prediction",
        model_type="classifier",
    )

print("RESULT", json.dumps(sorted(result.metrics)))
print(
    "RESULT",
    json.dumps({k: round(result.metrics[k], 4) for k in ("accuracy_score", "f1_score")}),
)
print("RESULT", json.dumps(sorted(result.artifacts)))
per_class = result.artifacts["per_class_metrics"].content
print("RESULT", json.dumps(per_class["positive_class"].tolist()))
