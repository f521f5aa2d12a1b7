# Source: https://mlflow.org/docs/latest/ml/search/search-models/ (mlflow.search_logged_models, filter on metrics and params)
# Area: logged-models
# MLflow: 3
import json

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

import mlflow

mlflow.set_experiment("model-search")
X, y = load_iris(return_X_y=True)
for i, C in enumerate((0.01, 1.0, 100.0)):
    with mlflow.start_run():
        model = LogisticRegression(C=C, max_iter=1000, random_state=0).fit(X, y)
        model_info = mlflow.sklearn.log_model(model, name=f"logreg-{i}", params={"C": C})
        mlflow.log_metric(
            "accuracy", accuracy_score(y, model.predict(X)), model_id=model_info.model_id
        )

models = mlflow.search_logged_models(
    output_format="list", order_by=[{"field_name": "name", "ascending": True}]
)
print("RESULT", json.dumps([m.name for m in models]))
best = mlflow.search_logged_models(
    filter_string="metrics.accuracy > 0.9",
    order_by=[{"field_name": "metrics.accuracy", "ascending": False}],
    output_format="list",
)
print("RESULT", json.dumps([m.params["C"] for m in best]))
df = mlflow.search_logged_models()
print("RESULT", json.dumps(len(df)))
