# Source: https://mlflow.org/docs/latest/ml/traditional-ml/tutorials/hyperparameter-tuning/part1-child-runs/ (child runs, filter on tags.mlflow.parentRunId)
# Area: nested
# MLflow: 2 3
import json

import mlflow

mlflow.set_experiment("Nested Child Association")

with mlflow.start_run(run_name="parent") as parent_run:
    mlflow.log_param("num_trials", 3)
    for i, alpha in enumerate([0.1, 0.5, 1.0]):
        with mlflow.start_run(run_name=f"child_{i}", nested=True):
            mlflow.log_param("alpha", alpha)
            mlflow.log_metric("loss", 1.0 - alpha / 2)

children = mlflow.search_runs(
    filter_string=f"tags.mlflow.parentRunId = '{parent_run.info.run_id}'",
    order_by=["params.alpha ASC"],
)
print("RESULT", json.dumps(len(children)))
print("RESULT", json.dumps(children["tags.mlflow.runName"].tolist()))
print("RESULT", json.dumps(children["params.alpha"].tolist()))
