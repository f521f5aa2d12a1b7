# Source: https://mlflow.org/docs/latest/ml/dataset/ (mlflow.data.from_pandas + mlflow.log_input)
# Area: data
# MLflow: 2 3
import json

import pandas as pd
from sklearn.datasets import load_diabetes

import mlflow

diabetes = load_diabetes(as_frame=True)
raw_data = diabetes.frame
dataset = mlflow.data.from_pandas(
    raw_data, source="diabetes.csv", name="diabetes", targets="target"
)

with mlflow.start_run() as run:
    mlflow.log_input(dataset, context="training")

# Retrieve the run information
logged_run = mlflow.get_run(run.info.run_id)

# Retrieve the Dataset object
logged_dataset = logged_run.inputs.dataset_inputs[0].dataset

# View some of the recorded Dataset information
print("RESULT", json.dumps(logged_dataset.name))
print("RESULT", json.dumps(dataset.targets))
print("RESULT", json.dumps(dataset.profile))
print("RESULT", json.dumps(len(pd.DataFrame(dataset.df))))
print("RESULT", json.dumps(logged_dataset.source_type))
