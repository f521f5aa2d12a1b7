# Source: https://mlflow.org/docs/2.22.0/python_api/mlflow.pyfunc.html (AddN example with save_model and artifact_path)
# Area: pyfunc
# MLflow: 2
import json

import pandas as pd

import mlflow.pyfunc


# Define the model class
class AddN(mlflow.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


# Construct and save the model
model_path = "add_n_model"
add5_model = AddN(n=5)
mlflow.pyfunc.save_model(path=model_path, python_model=add5_model)

# Load the model in `python_function` format
loaded_model = mlflow.pyfunc.load_model(model_path)

# Evaluate the model
model_input = pd.DataFrame([range(10)])
model_output = loaded_model.predict(model_input)
assert model_output.equals(pd.DataFrame([range(5, 15)]))
print("RESULT", json.dumps(model_output.values.tolist()))

with mlflow.start_run():
    info = mlflow.pyfunc.log_model(artifact_path="add_n", python_model=AddN(n=2))
print(
    "RESULT",
    json.dumps(mlflow.pyfunc.load_model(info.model_uri).predict(model_input).values.tolist()),
)
