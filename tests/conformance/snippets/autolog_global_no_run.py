# Source: https://mlflow.org/docs/latest/ml/tracking/autolog/ (mlflow.autolog() with no explicit run; last_active_run)
# Area: autolog
# MLflow: 2 3
import json

from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.model_selection import train_test_split

import mlflow

mlflow.autolog(log_models=False, log_datasets=False)

db = load_diabetes()
X_train, X_test, y_train, y_test = train_test_split(db.data, db.target, random_state=0)

# Create and train models.
model = Ridge(alpha=0.5)
model.fit(X_train, y_train)

# Use the model to make predictions on the test dataset.
predictions = model.predict(X_test)
autolog_run = mlflow.last_active_run()
print("RESULT", json.dumps(autolog_run.data.params.get("alpha")))
print("RESULT", json.dumps(sorted(autolog_run.data.metrics)))
print("RESULT", json.dumps(round(autolog_run.data.metrics["training_r2_score"], 6)))
