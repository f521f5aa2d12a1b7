# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_artifacts docstring)
# Area: tracking
# MLflow: 2 3
import json
import tempfile
from pathlib import Path

import mlflow

# Create some files to preserve as artifacts
features = "rooms, zipcode, median_price, school_rating, transport"
data = {"state": "TX", "Available": 25, "Type": "Detached"}
with tempfile.TemporaryDirectory() as tmp_dir:
    tmp_dir = Path(tmp_dir)
    with (tmp_dir / "data.json").open("w") as f:
        json.dump(data, f, indent=2)
    with (tmp_dir / "features.json").open("w") as f:
        f.write(features)
    (tmp_dir / "nested").mkdir()
    (tmp_dir / "nested" / "notes.txt").write_text("a note")
    # Write all files in `tmp_dir` to root artifact_uri/states
    with mlflow.start_run() as run:
        mlflow.log_artifacts(tmp_dir, artifact_path="states")

client = mlflow.MlflowClient()
print(
    "RESULT", json.dumps(sorted(f.path for f in client.list_artifacts(run.info.run_id, "states")))
)
