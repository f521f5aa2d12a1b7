# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (start_run: "the run is ended with FAILED status on exception"; end_run status)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

try:
    with mlflow.start_run(run_name="crashes") as run:
        mlflow.log_param("epochs", 3)
        raise ValueError("training diverged")
except ValueError:
    pass

print("RESULT", json.dumps(mlflow.get_run(run.info.run_id).info.status))

mlflow.start_run(run_name="killed")
mlflow.end_run(status="KILLED")
print("RESULT", json.dumps(mlflow.last_active_run().info.status))
