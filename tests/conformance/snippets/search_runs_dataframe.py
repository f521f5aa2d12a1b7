# Source: https://mlflow.org/docs/latest/ml/search/search-runs/ (Python API: mlflow.search_runs returns a pandas DataFrame)
# Area: search
# MLflow: 2 3
import json

import mlflow

mlflow.set_experiment("/search-run-guide")
for i, (lr, model) in enumerate([(0.001, "GPT-2"), (0.01, "GPT-3"), (0.001, "GPT-4")]):
    with mlflow.start_run(run_name=f"run_{i}"):
        mlflow.log_params({"learning_rate": lr, "model": model})
        mlflow.log_metrics({"accuracy": 0.1 * (i + 5), "loss": 1.0 - 0.1 * i})
        mlflow.set_tag("task", "classification")

runs = mlflow.search_runs(
    experiment_names=["/search-run-guide"], order_by=["metrics.accuracy DESC"]
)
print("RESULT", json.dumps(len(runs)))
print(
    "RESULT",
    json.dumps(sorted(c for c in runs.columns if c.split(".")[0] in ("params", "metrics"))),
)
print("RESULT", json.dumps(sorted(c for c in runs.columns if "." not in c)))
print("RESULT", json.dumps(runs["tags.mlflow.runName"].tolist()))
print("RESULT", json.dumps(runs["params.model"].tolist()))
print("RESULT", json.dumps([round(v, 6) for v in runs["metrics.accuracy"]]))
print("RESULT", json.dumps(runs["tags.task"].tolist()))
print("RESULT", json.dumps(runs["status"].tolist()))
