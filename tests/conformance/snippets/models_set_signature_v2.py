# Source: https://mlflow.org/docs/2.22.0/python_api/mlflow.models.html (set_signature, get_model_info docstrings)
# Area: models
# MLflow: 2
import json

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

import mlflow
from mlflow.models import get_model_info, infer_signature, set_signature

X = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.5, 0.1, 0.2]})
model = LinearRegression().fit(X, X["a"] * 2)
with mlflow.start_run() as run:
    mlflow.sklearn.log_model(model, "model")

# load model from run artifacts
run_id = run.info.run_id
artifact_path = "model"
model_uri = f"runs:/{run_id}/{artifact_path}"
print("RESULT", json.dumps(get_model_info(model_uri).signature is None))
model = mlflow.pyfunc.load_model(model_uri)

# determine model signature
test_df = X
predictions = model.predict(test_df)
signature = infer_signature(test_df, predictions)

# set the signature for the logged model
set_signature(model_uri, signature)

info = get_model_info(model_uri)
print("RESULT", json.dumps(info.signature.inputs.input_names()))
print("RESULT", json.dumps(json.loads(info.signature.to_dict()["outputs"])))
reloaded = mlflow.pyfunc.load_model(model_uri)
print("RESULT", json.dumps([round(v, 6) for v in np.asarray(reloaded.predict(test_df))]))
