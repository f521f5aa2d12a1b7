# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (search_runs docstring: output_format="list")
# Area: search
# MLflow: 2 3
import json

import mlflow

# Create an experiment and log two runs under it
experiment_name = "Social NLP Experiments"
experiment_id = mlflow.create_experiment(experiment_name)
with mlflow.start_run(experiment_id=experiment_id):
    mlflow.log_metric("m", 1.55)
    mlflow.set_tag("s.release", "1.1.0-RC")
with mlflow.start_run(experiment_id=experiment_id):
    mlflow.log_metric("m", 2.50)
    mlflow.set_tag("s.release", "1.2.0-GA")

# Search for all the runs in the experiment with the given experiment ID
runs = mlflow.search_runs(
    experiment_ids=[experiment_id], output_format="list", order_by=["metrics.m DESC"]
)
print("RESULT", json.dumps([type(r).__name__ for r in runs]))
print("RESULT", json.dumps([r.data.metrics for r in runs]))
print("RESULT", json.dumps([r.data.tags["s.release"] for r in runs]))

# Search the experiment_id using a filter_string with tag
# that has a case insensitive pattern
filter_string = "tags.s.release ILIKE '%rc%'"
runs = mlflow.search_runs(
    experiment_names=[experiment_name], filter_string=filter_string, output_format="list"
)
print("RESULT", json.dumps([r.data.tags["s.release"] for r in runs]))
