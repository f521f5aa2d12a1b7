# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (active_run, last_active_run docstrings)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

mlflow.start_run()
run = mlflow.active_run()
print("RESULT", json.dumps(run is not None))
print("RESULT", json.dumps(run.info.status))
mlflow.log_param("p", 1)
mlflow.end_run()
print("RESULT", json.dumps(mlflow.active_run() is None))

last = mlflow.last_active_run()
print("RESULT", json.dumps(last.info.run_id == run.info.run_id))
print("RESULT", json.dumps(last.info.status))
print("RESULT", json.dumps(last.data.params))
