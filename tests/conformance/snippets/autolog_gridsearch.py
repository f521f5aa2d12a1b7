# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.sklearn.html (autolog: parameter search estimators log child runs)
# Area: autolog
# MLflow: 2 3
# Unstable: runs[].inputs
# (MLflow 3.17.2 logs the child runs' dataset inputs from parallel threads; on SQLite, racing
# inserts of the one dataset fail, so which children keep an input varies from run to run.)
import json

from sklearn import datasets, svm
from sklearn.model_selection import GridSearchCV

import mlflow

mlflow.sklearn.autolog(log_models=False, log_datasets=False)

iris = datasets.load_iris()
parameters = {"kernel": ("linear", "rbf"), "C": [1, 10]}
svc = svm.SVC(random_state=0)
clf = GridSearchCV(svc, parameters, cv=3)

with mlflow.start_run() as run:
    clf.fit(iris.data, iris.target)

children = mlflow.search_runs(filter_string=f"tags.mlflow.parentRunId = '{run.info.run_id}'")
print("RESULT", json.dumps(len(children)))
print("RESULT", json.dumps(sorted(c for c in children.columns if c.startswith("params."))))
parent = mlflow.get_run(run.info.run_id)
print("RESULT", json.dumps({k: parent.data.params[k] for k in ("best_C", "best_kernel", "cv")}))
