# Source: https://mlflow.org/docs/latest/ml/model/python_model/ (custom PythonModel: AddN example)
# Area: pyfunc
# MLflow: 3
import json

import pandas as pd

import mlflow


# Define the model class
class AddN(mlflow.pyfunc.PythonModel):
    def __init__(self, n):
        self.n = n

    def predict(self, context, model_input, params=None):
        return model_input.apply(lambda column: column + self.n)


# Construct and log the model
add5_model = AddN(n=5)
with mlflow.start_run():
    model_info = mlflow.pyfunc.log_model(name="model", python_model=add5_model)

# Load the model in `python_function` format
loaded_model = mlflow.pyfunc.load_model(model_info.model_uri)

# Evaluate the model
model_input = pd.DataFrame([range(10)])
model_output = loaded_model.predict(model_input)
assert model_output.equals(pd.DataFrame([range(5, 15)]))
print("RESULT", json.dumps(model_output.values.tolist()))
