# Source: mlflow/examples/sklearn_elasticnet_wine style scripts; MlflowClient via mlflow.tracking (2.x docs: mlflow.tracking.MlflowClient)
# Area: client
# MLflow: 2 3
import json

import mlflow
from mlflow.tracking import MlflowClient

client = MlflowClient()
experiment_id = client.create_experiment("client-experiment", tags={"team": "forecasting"})
experiment = client.get_experiment(experiment_id)
print("RESULT", json.dumps(experiment.name))

for alpha in (0.1, 0.2, 0.3):
    with mlflow.start_run(experiment_id=experiment_id):
        mlflow.log_param("alpha", alpha)
        mlflow.log_metric("rmse", 1.0 - alpha)

runs = client.search_runs(
    experiment_ids=[experiment_id],
    filter_string="metrics.rmse < 0.85",
    order_by=["metrics.rmse ASC"],
    max_results=10,
)
print("RESULT", json.dumps([r.data.params["alpha"] for r in runs]))
print("RESULT", json.dumps([round(r.data.metrics["rmse"], 6) for r in runs]))
