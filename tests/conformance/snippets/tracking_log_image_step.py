# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_image docstring: key and step form, MLflow 2.12+)
# Area: tracking
# MLflow: 3
import json

import numpy as np

import mlflow

rng = np.random.RandomState(0)
with mlflow.start_run() as run:
    for step in range(3):
        image = rng.randint(0, 256, size=(32, 32, 3), dtype=np.uint8)
        mlflow.log_image(image, key="dogs", step=step)

client = mlflow.MlflowClient()
print("RESULT", json.dumps(sorted(f.path for f in client.list_artifacts(run.info.run_id))))
