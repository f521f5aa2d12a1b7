"""Checks that the decision trees in a skops file are well formed, so loading them is safe.

Why this exists
---------------
skops loads files without pickle: each object is rebuilt from ``schema.json`` and ``.npy``
arrays, and only types on a trust list may appear. scikit-learn's ``Tree`` (inside every
DecisionTree, RandomForest, ExtraTrees and GradientBoosting model) and the HistGradientBoosting
``TreePredictor`` are deliberately *not* trusted by default: their node arrays hold raw child and
feature indices that scikit-learn's compiled predict code follows without bounds checks. A file
with a child index out of range does not fail to load; it reads (or writes) out of bounds the
first time the model predicts.

labtrack trusts those two types only after checking every tree:

1. **Before anything is built** (``check_node_tree``), on skops's own parse of the file (the
   node tree skops builds *and later constructs from*, so what is checked is what is loaded).
   Arrays are read with ``numpy.load(allow_pickle=False)`` (an array is read by skops's own
   ``construct`` of its node, which does exactly that and keeps the result, so the model built
   afterwards holds the very arrays that were checked, and no file is read twice), plain
   values with ``json.loads``;
   any other kind of value where a tree's state should be is refused. For each ``Tree``:
   ``node_count`` equals the number of nodes; a node is a leaf (both children ``-1``, feature
   ``-2``) or a split whose children are in range and greater than its own index (so every path
   ends: no cycles); split features are in ``[0, n_features)``; split thresholds are finite;
   ``values`` has shape ``[node_count, n_outputs, max_n_classes]``. For each ``TreePredictor``:
   the same child rules, and categorical bitset indices in range.
2. **After construction, before the model is returned** (``check_model``), the same checks run
   again on the built objects (``tree_.children_left``...), plus the checks that need several
   objects: a tree reads no more columns than its estimator is given (``tree_.n_features ==
   n_features_in_``, the same for every tree of a forest or boosting model, whose predict skips
   the per-tree input check), a GradientBoosting model's stage grid matches the width of the
   array predict writes into, and a HistGradientBoosting model's categorical splits point at
   categorical features with the expected preprocessing (those cross-object checks live in
   :mod:`labtrack.models.tree_ensembles`).

Step 2 alone would also be safe: ``Tree.__setstate__`` only copies the arrays (its own checks
cover dtype and the ``values`` shape), and nothing follows a node index until ``predict``,
``apply`` or ``decision_path`` run, which cannot happen before ``load`` returns.

>>> check_model(fitted_random_forest)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import io
import json
from typing import Any

from labtrack.models import tree_ensembles
from labtrack.models.tree_arrays import (
    MAX_OBJECTS,
    PREDICTOR_TYPE,
    TREE_TYPE,
    check_predictor_arrays,
    check_tree_arrays,
    is_int,
    refuse,
)

__all__ = ["PREDICTOR_TYPE", "TREE_TYPE", "check_model", "check_node_tree"]


# -- step 1: skops's node tree, before construction -----------------------------------------
def check_node_tree(root: Any) -> int:
    """Check every Tree / TreePredictor in a skops node tree; returns how many were checked."""
    node_class = importlib.import_module("skops.io._audit").Node

    seen: set[int] = set()
    stack = [root]
    checked = 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > MAX_OBJECTS:
            raise refuse("the file", "holds too many objects")
        path = f"{node.module_name}.{node.class_name}"
        kind = type(node).__name__
        if kind == "TypeNode":
            pass  # the class itself (a constructor reference), not an instance
        elif kind == "TreeNode" or path == TREE_TYPE:
            # skops builds a Tree from any TreeNode, whatever class name the file gives it.
            _tree_node(node, f"tree #{checked + 1}")
            checked += 1
        elif path == PREDICTOR_TYPE:
            _predictor_node(node, f"HistGradientBoosting tree #{checked + 1}")
            checked += 1
        for child in node.children.values():
            items = (
                child.values()
                if isinstance(child, dict)
                else (child if isinstance(child, list) else [child])
            )
            stack.extend(c for c in items if isinstance(c, node_class))
    return checked


def _tree_node(node: Any, where: str) -> None:
    label = f"{node.module_name}.{node.class_name}"
    if type(node).__name__ != "TreeNode" or label != TREE_TYPE:
        raise refuse(where, f"is stored in an unexpected form ({label})")
    args = _value(node.children["args"], where)
    state = _value(node.children["attrs"], where)
    if not isinstance(args, list) or len(args) != 3 or not isinstance(state, dict):
        raise refuse(where, "has constructor arguments or state of an unexpected form")
    if set(state) != {"max_depth", "node_count", "nodes", "values"}:
        raise refuse(where, f"has unexpected state keys {sorted(state)}")
    nodes = state["nodes"]
    if getattr(nodes, "dtype", None) is None or nodes.dtype.names is None:
        raise refuse(where, "has a node array without fields")
    if not is_int(state["max_depth"]) or int(state["max_depth"]) < 0:
        raise refuse(where, f"has max_depth = {state['max_depth']!r}")
    check_tree_arrays(
        where,
        args[0],
        args[1],
        args[2],
        state["node_count"],
        {f: nodes[f] for f in nodes.dtype.names},
        state["values"],
    )


def _predictor_node(node: Any, where: str) -> None:
    if type(node).__name__ != "ObjectNode":
        raise refuse(where, "is stored in an unexpected form")
    state = _value(node.children["attrs"], where)
    if not isinstance(state, dict) or not {
        "nodes",
        "raw_left_cat_bitsets",
        "binned_left_cat_bitsets",
    } <= set(state):
        raise refuse(where, "has state of an unexpected form")
    check_predictor_arrays(
        where, state["nodes"], state["raw_left_cat_bitsets"], state["binned_left_cat_bitsets"]
    )


def _value(node: Any, where: str) -> Any:
    """The value a node stands for, built without importing or calling anything but
    ``numpy.load``."""
    import numpy as np

    kind = type(node).__name__
    if kind == "JsonNode":
        value = json.loads(node.content)
        if isinstance(value, (int, float, str, bool)) or value is None:
            return value
    elif kind == "NdArrayNode" and node.type == "numpy" and node.module_name == "numpy":
        if node.class_name == "ndarray":
            # skops builds a numpy.ndarray node with numpy.load(buffer, allow_pickle=False)
            # alone, and caches it: construction later reuses this array instead of reading
            # the file again.
            built = node.construct()
            if isinstance(built, np.ndarray):
                return built
            raise refuse(where, f"holds a {type(built).__name__} where an array belongs")
        arr = np.load(io.BytesIO(node.children["content"].getvalue()), allow_pickle=False)
        scalar = getattr(np, node.class_name, None)
        if isinstance(scalar, type) and issubclass(scalar, np.generic) and arr.ndim == 0:
            return arr[()]
    elif kind in ("ListNode", "TupleNode"):
        return [_value(c, where) for c in node.children["content"]]
    elif kind == "DictNode" and node.module_name == "builtins" and node.class_name == "dict":
        key_types = node.children["key_types"]
        keys = key_types.children["content"] if type(key_types).__name__ == "ListNode" else None
        if keys is not None and all(
            type(k).__name__ == "TypeNode" and (k.module_name, k.class_name) == ("builtins", "str")
            for k in keys
        ):
            return {k: _value(v, where) for k, v in node.children["content"].items()}
    raise refuse(where, f"holds a {node.module_name}.{node.class_name} where plain data belongs")


# -- step 2: the built objects, before they are returned ------------------------------------
def check_model(model: Any) -> int:
    """Check every tree reachable from a built model; returns how many were checked."""
    from sklearn.tree._tree import Tree

    checked = 0
    for obj in tree_ensembles.objects(model):
        if isinstance(obj, Tree):
            checked += 1
            _check_built_tree(obj, f"tree #{checked}")
        elif type(obj).__name__ == "TreePredictor":
            checked += 1
            check_predictor_arrays(
                f"HistGradientBoosting tree #{checked}",
                obj.nodes,
                obj.raw_left_cat_bitsets,
                obj.binned_left_cat_bitsets,
            )
        tree_ensembles.check_links(obj)
    return checked


def _check_built_tree(tree: Any, where: str) -> None:
    nodes = {
        "left_child": tree.children_left,
        "right_child": tree.children_right,
        "feature": tree.feature,
        "threshold": tree.threshold,
    }
    check_tree_arrays(
        where, tree.n_features, tree.n_classes, tree.n_outputs, tree.node_count, nodes, tree.value
    )
