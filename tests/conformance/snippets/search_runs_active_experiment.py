# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (search_runs: "If no experiment is set, searches the active experiment")
# Area: search
# MLflow: 2 3
import json

import mlflow

experiment = mlflow.set_experiment("demand-forecast")
for horizon in (7, 14, 28):
    with mlflow.start_run(run_name=f"h{horizon}"):
        mlflow.log_param("horizon", horizon)
        mlflow.log_metric("mape", horizon / 100)

runs = mlflow.search_runs()
print("RESULT", json.dumps(runs["tags.mlflow.runName"].tolist()))
print("RESULT", json.dumps(runs["experiment_id"].nunique()))
best = mlflow.search_runs(order_by=["metrics.mape ASC"], max_results=1)
print("RESULT", json.dumps(best.loc[0, "params.horizon"]))
last = mlflow.search_runs(
    experiment_ids=[experiment.experiment_id],
    filter_string="params.horizon = '28'",
    output_format="list",
)[0]
print("RESULT", json.dumps(last.info.run_name))
