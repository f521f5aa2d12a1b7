# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (set_experiment_tag, set_experiment_tags docstrings)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

mlflow.set_experiment("nlp-experiments")
mlflow.set_experiment_tag("nlp.framework", "Spark NLP")
tags = {
    "engineering": "ML Platform",
    "release.candidate": "RC1",
    "release.version": "2.2.0",
}
mlflow.set_experiment_tags(tags)

experiment = mlflow.get_experiment_by_name("nlp-experiments")
print(
    "RESULT",
    json.dumps(
        {k: v for k, v in experiment.tags.items() if not k.startswith("mlflow.")}, sort_keys=True
    ),
)
