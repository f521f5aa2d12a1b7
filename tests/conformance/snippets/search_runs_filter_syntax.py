# Source: https://mlflow.org/docs/latest/ml/search/search-runs/ (Example queries: metrics, params, attributes, tags, LIKE, IN)
# Area: search
# MLflow: 2 3
import json

import mlflow
import numpy as np

mlflow.set_experiment("/search-run-guide")

accuracy = np.arange(0, 1, 0.1)
loss = np.arange(1, 0, -0.1)
batch_size = [2] * 5 + [4] * 5
learning_rate = [0.001, 0.01] * 5
model = ["GPT-2", "GPT-3", "GPT-3.5", "GPT-4"] + [None] * 6
task = ["classification", "regression", "causal lm"] + [None] * 7

for i in range(10):
    with mlflow.start_run(run_name=f"run_{i}"):
        mlflow.log_metrics({"accuracy": accuracy[i], "loss": loss[i]})
        mlflow.log_params({"batch_size": batch_size[i], "learning_rate": learning_rate[i]})
        if model[i]:
            mlflow.log_param("model", model[i])
        if task[i]:
            mlflow.set_tag("task", task[i])


def names(filter_string, **kwargs):
    runs = mlflow.search_runs(
        experiment_names=["/search-run-guide"], filter_string=filter_string, **kwargs
    )
    return sorted(runs["tags.mlflow.runName"].tolist())


print("RESULT", json.dumps(names("metrics.accuracy > 0.75")))
print("RESULT", json.dumps(names("params.batch_size = '2' and metrics.loss < 0.75")))
print("RESULT", json.dumps(names("params.model LIKE 'GPT-3%'")))
print("RESULT", json.dumps(names("tags.task = 'regression'")))
print("RESULT", json.dumps(names("attributes.run_name = 'run_7'")))
print("RESULT", json.dumps(names("tags.task != 'regression'")))
print(
    "RESULT",
    json.dumps(
        names("params.learning_rate = '0.01'", max_results=3, order_by=["metrics.loss ASC"])
    ),
)
print("RESULT", json.dumps(names("attributes.status = 'FINISHED' and metrics.accuracy <= 0.2")))
