# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (start_run docstring: nested=True, parent_run_id)
# Area: nested
# MLflow: 2 3
import json

import mlflow

# Create nested runs
experiment_id = mlflow.create_experiment("experiment1")
with mlflow.start_run(
    run_name="PARENT_RUN",
    experiment_id=experiment_id,
    tags={"version": "v1", "priority": "P1"},
    description="parent",
) as parent_run:
    mlflow.log_param("parent", "yes")
    with mlflow.start_run(
        run_name="CHILD_RUN",
        experiment_id=experiment_id,
        description="child",
        nested=True,
    ) as child_run:
        mlflow.log_param("child", "yes")

child = mlflow.get_run(child_run.info.run_id)
print("RESULT", json.dumps(child.data.tags["mlflow.parentRunId"] == parent_run.info.run_id))

mlflow.start_run(
    run_name="ANOTHER_CHILD", parent_run_id=parent_run.info.run_id, experiment_id=experiment_id
)
mlflow.log_param("child", "two")
mlflow.end_run()
