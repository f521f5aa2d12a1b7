# Source: https://mlflow.org/docs/latest/ml/tracking/tracking-api/ (log_metric with step) and MlflowClient.get_metric_history docstring
# Area: tracking
# MLflow: 2 3
import json

import mlflow
from mlflow import MlflowClient

with mlflow.start_run() as run:
    for epoch in range(5):
        loss = 1.0 / (epoch + 1)
        mlflow.log_metric("loss", loss, step=epoch)
        mlflow.log_metric("val_loss", loss * 1.1, step=epoch)

client = MlflowClient()
history = client.get_metric_history(run.info.run_id, "loss")
print("RESULT", json.dumps([[m.step, round(m.value, 6)] for m in history]))
print("RESULT", json.dumps(round(mlflow.get_run(run.info.run_id).data.metrics["loss"], 6)))
