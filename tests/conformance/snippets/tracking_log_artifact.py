# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_artifact docstring)
# Area: tracking
# MLflow: 2 3
import json
import tempfile
from pathlib import Path

import mlflow

# Create a features.txt artifact file
features = "rooms, zipcode, median_price, school_rating, transport"
with tempfile.TemporaryDirectory() as tmp_dir:
    path = Path(tmp_dir, "features.txt")
    path.write_text(features)
    # With artifact_path=None write features.txt under
    # root artifact_uri/artifacts directory
    with mlflow.start_run() as run:
        mlflow.log_artifact(path)
        mlflow.log_artifact(path, artifact_path="data")

client = mlflow.MlflowClient()
print("RESULT", json.dumps(sorted(f.path for f in client.list_artifacts(run.info.run_id))))
