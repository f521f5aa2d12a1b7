# Source: https://mlflow.org/docs/latest/api_reference/python_api/mlflow.sklearn.html (save_model / load_model docstrings)
# Area: models
# MLflow: 2 3
import json

from sklearn import tree
from sklearn.datasets import load_iris

import mlflow.sklearn

iris = load_iris()
sk_model = tree.DecisionTreeClassifier(random_state=0)
sk_model = sk_model.fit(iris.data, iris.target)

# Save the model in cloudpickle format
# set path to location for persistence
sk_path_dir_1 = "./sk_models/sk_model_cloudpickle"
mlflow.sklearn.save_model(
    sk_model=sk_model,
    path=sk_path_dir_1,
    serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
)

# load model for inference
loaded = mlflow.sklearn.load_model(sk_path_dir_1)
print("RESULT", json.dumps(loaded.predict(iris.data[:5]).tolist()))
print(
    "RESULT", json.dumps(mlflow.pyfunc.load_model(sk_path_dir_1).predict(iris.data[-3:]).tolist())
)
