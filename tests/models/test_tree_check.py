"""Tree models load from skops files out of the box; tampered trees are refused before use.

Each tampering edits the saved file itself (the ``.npy`` arrays or ``schema.json`` inside the
skops zip), as an attacker would.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import (
    ExtraTreesClassifier,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    IsolationForest,
    RandomForestRegressor,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from labtrack.models import UnsafeModelError
from labtrack.models.tree_check import check_model
from labtrack.sklearn import serialize


def save(model: Any, tmp_path: Path, name: str = "model.skops") -> Path:
    path = tmp_path / name
    serialize.dump(model, path, "skops")
    return path


def states(schema: Any, loader: str) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if schema.get("__loader__") == loader:
            yield schema
        for value in schema.values():
            yield from states(value, loader)
    elif isinstance(schema, list):
        for value in schema:
            yield from states(value, loader)


def rewrite(path: Path, edit: Callable[[dict[str, Any], dict[str, np.ndarray]], None]) -> None:
    """Apply ``edit(schema, arrays)`` to a skops file; arrays maps .npy name -> array."""
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    schema = json.loads(files["schema.json"])
    arrays = {
        n: np.load(io.BytesIO(b), allow_pickle=False)
        for n, b in files.items()
        if n.endswith(".npy")
    }
    edit(schema, arrays)
    files["schema.json"] = json.dumps(schema).encode()
    for name, arr in arrays.items():
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        files[name] = buf.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)


def first_tree(schema: dict[str, Any]) -> dict[str, Any]:
    return next(states(schema, "TreeNode"))


def edit_nodes(change: Callable[[np.ndarray], None], which: int = 0):  # type: ignore[no-untyped-def]
    def edit(schema: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        tree = list(states(schema, "TreeNode"))[which]
        name = tree["content"]["content"]["nodes"]["file"]
        nodes = arrays[name].copy()
        change(nodes)
        arrays[name] = nodes

    return edit


def split_index(nodes: np.ndarray) -> int:
    return int(np.flatnonzero(nodes["left_child"] != -1)[-1])


@pytest.fixture(scope="module")
def iris():  # type: ignore[no-untyped-def]
    return load_iris(return_X_y=True)


@pytest.fixture(scope="module")
def diabetes():  # type: ignore[no-untyped-def]
    return load_diabetes(return_X_y=True)


# -- models that must load ------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: DecisionTreeClassifier(max_depth=3, random_state=0),
        lambda: ExtraTreesClassifier(n_estimators=5, random_state=0),
        lambda: GradientBoostingClassifier(n_estimators=5, random_state=0),
        lambda: HistGradientBoostingClassifier(max_iter=5, random_state=0),
        lambda: IsolationForest(n_estimators=5, random_state=0),
        lambda: make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0)),
    ],
    ids=[
        "tree",
        "extra-trees",
        "gradient-boosting",
        "hist-gradient-boosting",
        "isolation",
        "pipeline",
    ],
)
def test_tree_models_load_and_predict_the_same(make, iris, tmp_path: Path):
    X, y = iris
    model = make().fit(X, y)
    loaded = serialize.load(save(model, tmp_path), "skops")
    method = "predict" if hasattr(model, "predict") else "score_samples"
    np.testing.assert_array_equal(getattr(loaded, method)(X), getattr(model, method)(X))


def test_regressors_and_categorical_hist_gradient_boosting_load(diabetes, tmp_path: Path):
    X, y = diabetes
    for i, model in enumerate(
        [
            RandomForestRegressor(n_estimators=10, random_state=0),
            GradientBoostingRegressor(n_estimators=5, random_state=0),
            DecisionTreeRegressor(max_depth=4, random_state=0),
        ]
    ):
        model.fit(X, y)
        loaded = serialize.load(save(model, tmp_path, f"m{i}.skops"), "skops")
        np.testing.assert_allclose(loaded.predict(X), model.predict(X))
    Xc = X.copy()
    Xc[:, 1] = (Xc[:, 1] > 0).astype(float)
    hgb = HistGradientBoostingClassifier(max_iter=5, categorical_features=[1]).fit(Xc, y > 140)
    loaded = serialize.load(save(hgb, tmp_path, "hgb.skops"), "skops")
    np.testing.assert_array_equal(loaded.predict(Xc), hgb.predict(Xc))


def test_categorical_frames_load_with_their_preprocessor(tmp_path: Path):
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"color": pd.Categorical(rng.choice(["r", "g", "b"], 200)), "size": rng.normal(size=200)}
    )
    y = (frame["color"] == "r") ^ (frame["size"] > 0)
    model = HistGradientBoostingClassifier(max_iter=5, categorical_features="from_dtype")
    model.fit(frame, y)
    loaded = serialize.load(save(model, tmp_path), "skops")
    np.testing.assert_array_equal(loaded.predict(frame), model.predict(frame))


# -- tampered files are refused -------------------------------------------------------------
def tampered(tmp_path: Path, iris, edit) -> Path:  # type: ignore[no-untyped-def]
    X, y = iris
    path = save(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y), tmp_path)
    rewrite(path, edit)
    return path


def set_field(field: str, value: Any, leaf: bool = False):  # type: ignore[no-untyped-def]
    def change(nodes: np.ndarray) -> None:
        i = int(np.flatnonzero(nodes["left_child"] == -1)[0]) if leaf else split_index(nodes)
        nodes[field][i] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_field("left_child", 10**6), "left child out of range"),
        (set_field("right_child", -7), "right child out of range"),
        (set_field("left_child", 0), "left child out of range"),  # a cycle back to the root
        (set_field("feature", 4), r"feature index outside \[0, 4\)"),
        (set_field("feature", -3), r"feature index outside"),
        (set_field("threshold", np.nan), "threshold that is not finite"),
        (set_field("right_child", 1, leaf=True), "half a leaf"),
        (set_field("feature", 0, leaf=True), "leaf with a feature index"),
    ],
    ids=[
        "child-too-big",
        "child-negative",
        "cycle",
        "feature-too-big",
        "feature-negative",
        "nan-threshold",
        "half-leaf",
        "leaf-feature",
    ],
)
def test_tampered_nodes_are_refused(change, message, iris, tmp_path: Path):
    path = tampered(tmp_path, iris, edit_nodes(change))
    with pytest.raises(UnsafeModelError, match=message) as err:
        serialize.load(path, "skops")
    assert "modified after it was saved" in str(err.value)


def test_node_count_must_match_the_nodes(iris, tmp_path: Path):
    def edit(schema, arrays):  # type: ignore[no-untyped-def]
        first_tree(schema)["content"]["content"]["node_count"]["content"] = "1000"

    with pytest.raises(UnsafeModelError, match="node_count 1000"):
        serialize.load(tampered(tmp_path, iris, edit), "skops")


def test_values_must_match_nodes_outputs_and_classes(iris, tmp_path: Path):
    def edit(schema, arrays):  # type: ignore[no-untyped-def]
        name = first_tree(schema)["__reduce__"]["args"]["content"][1]["file"]
        arrays[name] = np.array([5])

    with pytest.raises(UnsafeModelError, match="values of shape"):
        serialize.load(tampered(tmp_path, iris, edit), "skops")


def test_code_where_tree_data_belongs_is_refused(iris, tmp_path: Path):
    def edit(schema, arrays):  # type: ignore[no-untyped-def]
        first_tree(schema)["content"]["content"]["max_depth"] = {
            "__class__": "system",
            "__module__": "os",
            "__loader__": "FunctionNode",
            "content": {"module_path": "os", "function": "system"},
            "__id__": 1,
        }

    with pytest.raises(UnsafeModelError):
        serialize.load(tampered(tmp_path, iris, edit), "skops")


def test_a_forest_tree_reading_more_columns_than_the_forest_is_refused(diabetes, tmp_path):
    X, y = diabetes
    path = save(RandomForestRegressor(n_estimators=3, random_state=0).fit(X, y), tmp_path)

    def edit(schema, arrays):  # type: ignore[no-untyped-def]
        # Widen one tree (and its estimator) to 50 features and split on feature 40: each
        # tree alone is consistent, but the forest feeds it only 10 columns.
        # skops shares one node per saved object id, so the edited values get fresh ids.
        tree = list(states(schema, "TreeNode"))[1]
        tree["__reduce__"]["args"]["content"][0].update(content="50", __id__=7001)
        nodes = arrays[tree["content"]["content"]["nodes"]["file"]]
        nodes["feature"][split_index(nodes)] = 40
        for est in states(schema, "ObjectNode"):
            content = est.get("content", {}).get("content", {})
            if content.get("tree_") is tree:
                content["n_features_in_"].update(content="50", __id__=7002)

    rewrite(path, edit)
    with pytest.raises(UnsafeModelError, match="takes 10 input columns but one of its trees"):
        serialize.load(path, "skops")


def test_tampered_hist_gradient_boosting_nodes_are_refused(iris, tmp_path: Path):
    X, y = iris
    path = save(HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, y), tmp_path)

    def edit(schema, arrays):  # type: ignore[no-untyped-def]
        predictor = next(
            s for s in states(schema, "ObjectNode") if s["__class__"] == "TreePredictor"
        )
        nodes = arrays[predictor["content"]["content"]["nodes"]["file"]]
        nodes["right"][0] = 10**6

    rewrite(path, edit)
    with pytest.raises(UnsafeModelError, match="right child out of range"):
        serialize.load(path, "skops")


def test_hist_gradient_boosting_categorical_split_on_a_numeric_feature_is_refused(iris):
    X, y = iris
    model = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, y)
    nodes = model._predictors[0][0].nodes
    nodes["is_categorical"][0] = 1
    with pytest.raises(UnsafeModelError, match="not categorical|bitset index"):
        check_model(model)


def test_gradient_boosting_stage_grid_must_match_its_outputs(iris):
    X, y = iris
    model = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y)
    model.estimators_ = model.estimators_[:, :2]
    with pytest.raises(UnsafeModelError, match="stage grid"):
        check_model(model)


def add_os_system(schema: dict[str, Any], _arrays: dict[str, np.ndarray]) -> None:
    """A :func:`rewrite` edit: the model's state gains ``os.system`` (a skops function node)."""
    schema["content"]["content"]["evil"] = {
        "__class__": "system",
        "__module__": "os",
        "__loader__": "FunctionNode",
        "content": {"module_path": "os", "function": "system"},
        "__id__": 99,
    }


def test_untrusted_types_are_refused_by_name(tmp_path: Path):
    path = save(StandardScaler().fit([[0.0], [1.0]]), tmp_path)
    rewrite(path, add_os_system)
    with pytest.raises(UnsafeModelError, match="os.system"):
        serialize.load(path, "skops")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path):
    path = tmp_path / "model.skops"
    path.write_bytes(b"not a zip")
    with pytest.raises(UnsafeModelError, match="not a skops file"):
        serialize.load(path, "skops")


def test_bagging_column_samples_must_match_their_trees(iris):
    X, _ = iris
    model = IsolationForest(n_estimators=3, max_features=2, random_state=0).fit(X)
    model.estimators_features_[0] = model.estimators_features_[0][:1]
    with pytest.raises(UnsafeModelError, match="samples 1 columns for a tree that takes 2"):
        check_model(model)


def test_a_tree_under_another_class_name_is_still_checked(iris, tmp_path: Path):
    def edit(schema, arrays):  # type: ignore[no-untyped-def]
        tree = first_tree(schema)
        # A trusted label on the node: skops still builds a Tree from a TreeNode.
        tree.update(__class__="_Scorer", __module__="sklearn.metrics._scorer")
        nodes = arrays[tree["content"]["content"]["nodes"]["file"]]
        nodes["left_child"][split_index(nodes)] = 10**6

    with pytest.raises(UnsafeModelError, match="unexpected form"):
        serialize.load(tampered(tmp_path, iris, edit), "skops")


def test_each_array_of_a_forest_is_read_once(diabetes, tmp_path: Path, monkeypatch):
    # check_node_tree reads a tree's arrays through their skops nodes, which keep them: the
    # model built afterwards holds the arrays that were checked, and no file is read twice.
    X, y = diabetes
    model = RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
    path = save(model, tmp_path)
    with zipfile.ZipFile(path) as zf:
        n_files = sum(name.endswith(".npy") for name in zf.namelist())
    reads = []
    real_load = np.load

    def counting_load(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", counting_load)
    loaded = serialize.load(path, "skops")
    assert len(reads) == n_files
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
