# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.html (log_table, load_table docstrings)
# Area: tracking
# MLflow: 2 3
import json

import mlflow

table_dict = {
    "inputs": ["What is MLflow?", "What is Databricks?"],
    "outputs": ["MLflow is ...", "Databricks is ..."],
    "toxicity": [0.0, 0.0],
}
with mlflow.start_run() as run:
    # Log the dictionary as a table
    mlflow.log_table(data=table_dict, artifact_file="qabot_eval_results.json")

# Load the table
table = mlflow.load_table("qabot_eval_results.json", run_ids=[run.info.run_id])
print("RESULT", json.dumps(sorted(table.columns)))
print("RESULT", json.dumps(table["inputs"].tolist()))
print("RESULT", json.dumps(len(table)))
