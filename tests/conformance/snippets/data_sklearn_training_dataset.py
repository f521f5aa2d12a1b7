# Source: https://mlflow.org/docs/latest/ml/dataset/ (log a training and an evaluation dataset with the run)
# Area: data
# MLflow: 3
import json

from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

import mlflow

iris = load_iris(as_frame=True)
train_df, test_df = train_test_split(iris.frame, test_size=0.25, random_state=0)

train_dataset = mlflow.data.from_pandas(train_df, name="iris-train", targets="target")
eval_dataset = mlflow.data.from_pandas(test_df, name="iris-test", targets="target")

with mlflow.start_run() as run:
    mlflow.log_input(train_dataset, context="training")
    mlflow.log_input(eval_dataset, context="evaluation")

run = mlflow.get_run(run.info.run_id)
contexts = sorted(
    (d.dataset.name, {t.key: t.value for t in d.tags}.get("mlflow.data.context"))
    for d in run.inputs.dataset_inputs
)
print("RESULT", json.dumps(contexts))
print(
    "RESULT",
    json.dumps(json.loads(train_dataset.schema.to_json()) if train_dataset.schema else None),
)
