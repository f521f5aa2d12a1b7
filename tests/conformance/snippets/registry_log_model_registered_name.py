# Source: https://mlflow.org/docs/latest/ml/getting-started/registering-first-model/step1-register-model/ (log_model with registered_model_name)
# Area: registry
# MLflow: 3
import json

from sklearn.datasets import make_regression
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

import mlflow
import mlflow.sklearn

with mlflow.start_run() as run:
    X, y = make_regression(n_features=4, n_informative=2, random_state=0, shuffle=False)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

    params = {"max_depth": 2, "random_state": 42, "n_estimators": 10}
    model = RandomForestRegressor(**params)
    model.fit(X_train, y_train)

    # Log parameters and metrics using the MLflow APIs
    mlflow.log_params(params)

    y_pred = model.predict(X_test)
    mlflow.log_metrics({"mse": mean_squared_error(y_test, y_pred)})

    # Log the sklearn model and register as version 1
    mlflow.sklearn.log_model(
        sk_model=model,
        name="sklearn-model",
        input_example=X_train,
        registered_model_name="sk-learn-random-forest-reg-model",
        # MLflow 3.17's default format (skops) refuses tree models unless trusted
        serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
    )

model = mlflow.sklearn.load_model("models:/sk-learn-random-forest-reg-model/1")
print("RESULT", json.dumps([round(v, 4) for v in model.predict(X_test[:3])]))
