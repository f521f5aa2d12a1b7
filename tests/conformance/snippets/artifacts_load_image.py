# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.artifacts.html (load_image docstring)
# Area: artifacts
# MLflow: 2 3
import json

from PIL import Image

import mlflow

with mlflow.start_run() as run:
    image = Image.new("RGB", (100, 100))
    artifact_uri = run.info.artifact_uri
    mlflow.log_image(image, "image.png")
    image = mlflow.artifacts.load_image(artifact_uri + "/image.png")
    print("RESULT", json.dumps([image.size, image.mode]))

again = mlflow.artifacts.load_image(f"runs:/{run.info.run_id}/image.png")
print("RESULT", json.dumps(list(again.getpixel((0, 0)))))
