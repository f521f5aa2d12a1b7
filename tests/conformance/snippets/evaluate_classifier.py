# Source: https://mlflow.org/docs/latest/ml/evaluation/model-eval/ (mlflow.models.evaluate on a logged classifier, model_type="classifier")
# Area: evaluate
# MLflow: 3
import json

import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import mlflow
from mlflow.models import infer_signature

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
model = LogisticRegression(max_iter=5000, random_state=0).fit(X_train, y_train)

eval_data = X_test.copy()
eval_data["label"] = y_test

with mlflow.start_run():
    signature = infer_signature(X_test, model.predict(X_test))
    model_info = mlflow.sklearn.log_model(model, name="model", signature=signature)
    result = mlflow.models.evaluate(
        model_info.model_uri,
        eval_data,
        targets="label",
        model_type="classifier",
        evaluators=["default"],
    )

print(
    "RESULT",
    json.dumps(
        {
            k: round(result.metrics[k], 6)
            for k in ("accuracy_score", "precision_score", "recall_score", "f1_score")
        }
    ),
)
print("RESULT", json.dumps(isinstance(pd.DataFrame(), pd.DataFrame)))
