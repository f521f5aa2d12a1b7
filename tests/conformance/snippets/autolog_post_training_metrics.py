# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.sklearn.html (autolog post-training metrics: sklearn.metrics calls after fit)
# Area: autolog
# MLflow: 2 3
import json

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

import mlflow

mlflow.sklearn.autolog(log_models=False, log_datasets=False)

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

with mlflow.start_run() as run:
    model = LogisticRegression(max_iter=500, random_state=0).fit(X_train, y_train)
    y_pred = model.predict(X_test)
    acc = accuracy_score(y_test, y_pred)

run = mlflow.get_run(run.info.run_id)
print("RESULT", json.dumps(sorted(k for k in run.data.metrics if not k.startswith("training_"))))
print("RESULT", json.dumps(round(acc, 6)))
