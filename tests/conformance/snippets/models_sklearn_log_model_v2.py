# Source: https://mlflow.org/docs/2.22.0/getting-started/intro-quickstart/ (MLflow 2 quickstart: log_model with artifact_path=)
# Area: models
# MLflow: 2
import json

import pandas as pd
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

import mlflow
from mlflow.models import infer_signature

X, y = datasets.load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

params = {"solver": "lbfgs", "max_iter": 1000, "multi_class": "auto", "random_state": 8888}
params.pop("multi_class")  # removed from scikit-learn 1.7+
lr = LogisticRegression(**params)
lr.fit(X_train, y_train)
accuracy = accuracy_score(y_test, lr.predict(X_test))

mlflow.set_experiment("MLflow Quickstart")

with mlflow.start_run():
    mlflow.log_params(params)
    mlflow.log_metric("accuracy", accuracy)
    mlflow.set_tag("Training Info", "Basic LR model for iris data")
    signature = infer_signature(X_train, lr.predict(X_train))
    model_info = mlflow.sklearn.log_model(
        sk_model=lr,
        artifact_path="iris_model",
        signature=signature,
        input_example=X_train,
        registered_model_name="tracking-quickstart",
    )

loaded_model = mlflow.pyfunc.load_model(model_info.model_uri)
predictions = loaded_model.predict(X_test)
result = pd.DataFrame(X_test, columns=datasets.load_iris().feature_names)
result["actual_class"] = y_test
result["predicted_class"] = predictions
print("RESULT", json.dumps(result[:4]["predicted_class"].tolist()))
print("RESULT", json.dumps(model_info.artifact_path))
print("RESULT", json.dumps(model_info.model_uri.endswith("/iris_model")))
