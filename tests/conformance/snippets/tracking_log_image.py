# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_image docstring, artifact_file form)
# Area: tracking
# MLflow: 2 3
import numpy as np

import mlflow

image = np.random.RandomState(0).randint(0, 256, size=(100, 100, 3), dtype=np.uint8)

with mlflow.start_run():
    mlflow.log_image(image, "image.png")
    mlflow.log_image(image, "images/image.png")
