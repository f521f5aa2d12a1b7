"""Checks that need several built objects: does each tree read only the columns it is given?

A forest or boosting model validates the input width once and then runs its trees without the
per-tree check, so each tree's ``n_features`` must match its estimator's ``n_features_in_``, and
every tree of the ensemble the ensemble's. GradientBoosting writes stage predictions into an
array as wide as ``n_trees_per_iteration_``; HistGradientBoosting's categorical splits index
bitsets built from its bin mapper and read the columns its preprocessor outputs. Called by
:func:`labtrack.models.tree_check.check_model` on the built model, before it is returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from labtrack.models.tree_arrays import (
    MAX_OBJECTS,
    check_predictor_arrays,
    is_int,
    refuse,
)

__all__ = ["check_links", "objects"]


def check_links(obj: Any) -> None:
    """The cross-object checks for one object of a model."""
    from sklearn.tree._tree import Tree

    tree = getattr(obj, "__dict__", {}).get("tree_")
    if isinstance(tree, Tree):
        _same_width(obj, tree.n_features, "its tree_")
    _check_ensemble(obj)
    if "_predictors" in getattr(obj, "__dict__", {}):
        _check_hist_gradient_boosting(obj)


def _same_width(estimator: Any, n_features: Any, what: str) -> None:
    n_in = getattr(estimator, "n_features_in_", None)
    if n_in is not None and n_in != n_features:
        raise refuse(
            type(estimator).__name__,
            f"takes {n_in} input columns but {what} reads {n_features}",
        )


def _members(value: Any) -> list[Any]:
    import numpy as np

    if isinstance(value, np.ndarray) and value.dtype == object:
        return list(value.ravel())
    return list(value) if isinstance(value, (list, tuple)) else []


def _check_ensemble(obj: Any) -> None:
    import numpy as np
    from sklearn.ensemble._bagging import BaseBagging
    from sklearn.ensemble._forest import BaseForest
    from sklearn.ensemble._gb import BaseGradientBoosting

    if isinstance(obj, (BaseForest, BaseGradientBoosting)) and hasattr(obj, "estimators_"):
        n_in = getattr(obj, "n_features_in_", None)
        for member in _members(obj.estimators_):
            if getattr(member, "n_features_in_", n_in) != n_in:
                raise refuse(
                    type(obj).__name__,
                    f"takes {n_in} input columns but one of its trees reads "
                    f"{member.n_features_in_}",
                )
    if isinstance(obj, BaseBagging) and hasattr(obj, "estimators_features_"):
        for member, feats in zip(obj.estimators_, obj.estimators_features_, strict=False):
            if getattr(member, "n_features_in_", len(feats)) != len(feats):
                raise refuse(
                    type(obj).__name__,
                    f"samples {len(feats)} columns for a tree that takes {member.n_features_in_}",
                )
    if isinstance(obj, BaseGradientBoosting) and hasattr(obj, "estimators_"):
        grid = obj.estimators_
        k = getattr(obj, "n_trees_per_iteration_", None)
        if not isinstance(grid, np.ndarray) or grid.ndim != 2 or grid.shape[1] != k:
            raise refuse(
                type(obj).__name__, f"has a stage grid that does not match {k} outputs per stage"
            )
        init = getattr(obj, "init_", "zero")
        if k != 1 and init != "zero" and len(getattr(init, "classes_", ())) != k:
            raise refuse(
                type(obj).__name__,
                "has an init estimator whose output width differs from its stages",
            )


def _check_hist_gradient_boosting(obj: Any) -> None:
    import numpy as np

    n_in = getattr(obj, "n_features_in_", None)
    mapper = getattr(obj, "_bin_mapper", None)
    mask = getattr(mapper, "is_categorical_", None)
    if not is_int(n_in) or mask is None or np.shape(mask) != (n_in,):
        raise refuse(type(obj).__name__, "has inconsistent feature counts")
    n = int(n_in)  # type: ignore[arg-type]
    for i, stage in enumerate(obj._predictors):
        for j, predictor in enumerate(stage):
            check_predictor_arrays(
                f"HistGradientBoosting iteration {i} tree {j}",
                predictor.nodes,
                predictor.raw_left_cat_bitsets,
                predictor.binned_left_cat_bitsets,
                n,
                mask,
            )
    if getattr(obj, "_preprocessor", None) is not None:
        _check_hgb_preprocessor(obj._preprocessor, n)


def _check_hgb_preprocessor(pre: Any, n: int) -> None:
    """The ColumnTransformer scikit-learn builds for categorical columns must output n columns."""
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

    ok = isinstance(pre, ColumnTransformer) and getattr(pre, "n_features_in_", None) == n
    width = 0
    for _name, trans, cols in getattr(pre, "transformers_", []) if ok else []:
        mask = np.asarray(cols)
        if isinstance(trans, str) and trans == "drop":
            continue  # dropped columns produce no output
        passthrough = isinstance(trans, str) and trans == "passthrough"
        if (
            not (passthrough or isinstance(trans, (OrdinalEncoder, FunctionTransformer)))
            or mask.dtype != bool
            or mask.shape != (n,)
        ):
            ok = False
            break
        width += int(mask.sum())
    if not ok or width != n:
        raise refuse("HistGradientBoosting", "has a preprocessor that does not match its trees")


def objects(root: Any) -> Iterator[Any]:
    """Every object reachable through scikit-learn objects, containers and object arrays."""
    import numpy as np

    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        seen.add(id(obj))
        if len(seen) > MAX_OBJECTS:
            raise refuse("the model", "holds too many objects")
        yield obj
        if isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set)):
            stack.extend(obj)
        elif isinstance(obj, np.ndarray):
            if obj.dtype == object:
                stack.extend(obj.ravel())
        elif type(obj).__module__.startswith("sklearn") and hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())
