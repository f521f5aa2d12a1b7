# Source: https://mlflow.org/docs/latest/ml/evaluation/model-eval/ (evaluate a static dataset with a predictions column)
# Area: evaluate
# MLflow: 2 3
import json

import pandas as pd

import mlflow

eval_data = pd.DataFrame(
    {
        "target": [1.0, 2.0, 3.0, 4.0, 5.0],
        "prediction": [1.1, 1.9, 3.2, 3.8, 5.1],
    }
)

with mlflow.start_run():
    result = mlflow.evaluate(
        data=eval_data,
        targets="target",
        predictions="prediction",
        model_type="regressor",
    )

print(
    "RESULT",
    json.dumps(
        {
            k: round(result.metrics[k], 6)
            for k in ("mean_squared_error", "mean_absolute_error", "r2_score")
        }
    ),
)
