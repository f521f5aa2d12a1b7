# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_param, log_metrics, set_tag: synchronous=False returns a future; flush_async_logging)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

with mlflow.start_run() as run:
    operation = mlflow.log_param("learning_rate", 0.01, synchronous=False)
    operation.wait()
    mlflow.log_params({"batch_size": 32, "epochs": 5}, synchronous=False)
    for step in range(3):
        mlflow.log_metrics({"loss": 1.0 / (step + 1)}, step=step, synchronous=False)
    mlflow.set_tag("mode", "async", synchronous=False)
    mlflow.log_metric("accuracy", 0.9, synchronous=True)
    mlflow.flush_async_logging()

run = mlflow.get_run(run.info.run_id)
print("RESULT", json.dumps(run.data.params, sort_keys=True))
print("RESULT", json.dumps({k: round(v, 6) for k, v in sorted(run.data.metrics.items())}))
print("RESULT", json.dumps(run.data.tags["mode"]))
history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "loss")
print("RESULT", json.dumps(sorted(m.step for m in history)))
