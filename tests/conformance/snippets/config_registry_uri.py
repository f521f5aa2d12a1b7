# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (set_registry_uri, get_registry_uri docstrings)
# Area: config
# MLflow: 2 3
import json

import mlflow

# Set model registry uri, fetch the set uri, and compare
# it with the tracking uri. They should be different
mlflow.set_registry_uri("sqlite:///registry.db")
mr_uri = mlflow.get_registry_uri()
print("RESULT", json.dumps(mr_uri))
tracking_uri = mlflow.get_tracking_uri()
# They should be different
print("RESULT", json.dumps(tracking_uri != mr_uri))
