# Source: https://mlflow.org/docs/latest/ml/model/python_model/ (PythonModel with artifacts and load_context)
# Area: pyfunc
# MLflow: 3
import json
import pickle

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression

import mlflow

X = np.arange(10, dtype=float).reshape(-1, 1)
model = LinearRegression().fit(X, 2 * X.ravel() + 1)
with open("linreg.pkl", "wb") as f:
    pickle.dump(model, f)


class ScaledModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["model"], "rb") as f:
            self.model = pickle.load(f)

    def predict(self, context, model_input, params=None):
        scale = (params or {}).get("scale", 1.0)
        return self.model.predict(model_input.values) * scale


with mlflow.start_run():
    info = mlflow.pyfunc.log_model(
        name="scaled",
        python_model=ScaledModel(),
        artifacts={"model": "linreg.pkl"},
        input_example=pd.DataFrame({"x": [1.0, 2.0]}),
    )

loaded = mlflow.pyfunc.load_model(info.model_uri)
print("RESULT", json.dumps([round(v, 6) for v in loaded.predict(pd.DataFrame({"x": [3.0, 4.0]}))]))
