# Source: https://mlflow.org/docs/latest/ml/tracking/autolog/ (mlflow.sklearn.autolog, then fit inside a run)
# Area: autolog
# MLflow: 2 3
import json

from sklearn.datasets import load_diabetes
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split

import mlflow

mlflow.sklearn.autolog(log_models=False)

db = load_diabetes()
X_train, X_test, y_train, y_test = train_test_split(db.data, db.target, random_state=0)

# Create and train models.
rf = RandomForestRegressor(n_estimators=10, max_depth=6, max_features=3, random_state=0)
with mlflow.start_run() as run:
    rf.fit(X_train, y_train)
    # Use the model to make predictions on the test dataset.
    predictions = rf.predict(X_test)

run = mlflow.get_run(run.info.run_id)
print(
    "RESULT",
    json.dumps({k: run.data.params[k] for k in ("n_estimators", "max_depth", "max_features")}),
)
print("RESULT", json.dumps(sorted(run.data.metrics)))
print(
    "RESULT",
    json.dumps(
        {k: v for k, v in run.data.tags.items() if k.startswith("estimator")}, sort_keys=True
    ),
)
