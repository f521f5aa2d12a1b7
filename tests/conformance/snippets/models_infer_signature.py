# Source: https://mlflow.org/docs/latest/ml/model/signatures/ (infer_signature with pandas input and numpy output)
# Area: models
# MLflow: 2 3
import json

from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier

from mlflow.models import infer_signature

iris = datasets.load_iris()
iris_train = iris.data
clf = RandomForestClassifier(max_depth=7, random_state=0, n_estimators=5)
X, y = datasets.load_iris(return_X_y=True, as_frame=True)
clf.fit(X, y)

signature = infer_signature(X, clf.predict(X))
print("RESULT", json.dumps(signature.inputs.input_names()))
print("RESULT", json.dumps([str(t) for t in signature.inputs.input_types()]))
print("RESULT", json.dumps(signature.to_dict()["inputs"] is not None))
print("RESULT", json.dumps(json.loads(signature.to_dict()["outputs"])))

params_signature = infer_signature(X, clf.predict(X), params={"max_depth": 7})
print("RESULT", json.dumps(params_signature.params is not None))
