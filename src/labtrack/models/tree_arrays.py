"""The array checks of the tree check (:mod:`labtrack.models.tree_check`), shared by its two steps
and by the cross-object checks of :mod:`labtrack.models.tree_ensembles`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labtrack.errors import UnsafeModelError

TREE_TYPE = "sklearn.tree._tree.Tree"
PREDICTOR_TYPE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
_LEAF, _UNDEFINED = -1, -2
MAX_OBJECTS = 5_000_000


def refuse(where: str, why: str) -> UnsafeModelError:
    return UnsafeModelError(
        f"Refusing to load this model: {where} {why}. The file is damaged or was modified "
        "after it was saved; loading it could crash the process when the model predicts."
    )


# -- checks on arrays (shared by both steps) ---------------------------------------------
def check_tree_arrays(
    where: str,
    n_features: Any,
    n_classes: Any,
    n_outputs: Any,
    node_count: Any,
    nodes: Mapping[str, Any],
    values: Any,
) -> None:
    """Check one ``Tree``'s state; ``nodes`` maps field name -> 1-D array."""
    import numpy as np

    for name, value in (("n_features", n_features), ("n_outputs", n_outputs)):
        if not is_int(value) or int(value) < 1:
            raise refuse(where, f"has {name} = {value!r} (expected a positive integer)")
    classes = np.asarray(n_classes)
    if classes.shape != (int(n_outputs),) or classes.dtype.kind not in "iu" or (classes < 1).any():
        raise refuse(where, f"has n_classes {classes.tolist()!r} for {n_outputs} output(s)")
    if not is_int(node_count) or int(node_count) < 1:
        raise refuse(where, f"has node_count = {node_count!r}")
    n = int(node_count)
    arrays = {}
    for field in ("left_child", "right_child", "feature", "threshold"):
        arr = np.asarray(nodes[field])
        if arr.shape != (n,):
            raise refuse(where, f"has {arr.shape[0] if arr.ndim else 0} nodes but node_count {n}")
        arrays[field] = arr
    left, right, feature = (
        arrays[f].astype(np.int64) for f in ("left_child", "right_child", "feature")
    )
    leaf = left == _LEAF
    split = ~leaf
    idx = np.arange(n)
    _first_bad(where, leaf & (right != _LEAF), idx, "is half a leaf (one child is -1)")
    _first_bad(where, leaf & (feature != _UNDEFINED), idx, "is a leaf with a feature index")
    for name, child in (("left", left), ("right", right)):
        _first_bad(
            where,
            split & ((child <= idx) | (child >= n)),
            idx,
            f"has {name} child out of range (must be > its index and < {n})",
        )
    _first_bad(
        where,
        split & ((feature < 0) | (feature >= int(n_features))),
        idx,
        f"splits on a feature index outside [0, {int(n_features)})",
    )
    _first_bad(
        where,
        split & ~np.isfinite(arrays["threshold"].astype(np.float64)),
        idx,
        "has a threshold that is not finite",
    )
    want = (n, int(n_outputs), int(classes.max()))
    if np.shape(values) != want:
        raise refuse(where, f"has values of shape {np.shape(values)}, expected {want}")


def check_predictor_arrays(
    where: str,
    nodes: Any,
    raw_bitsets: Any,
    binned_bitsets: Any,
    n_features: int | None = None,
    categorical: Any = None,
) -> None:
    """Check one HistGradientBoosting ``TreePredictor``; features too when ``n_features``."""
    import numpy as np

    names = set(getattr(getattr(nodes, "dtype", None), "names", None) or ())
    if (
        getattr(nodes, "ndim", 0) != 1
        or not {"left", "right", "is_leaf", "feature_idx", "is_categorical", "bitset_idx"} <= names
    ):
        raise refuse(where, "has a node array of an unexpected layout")
    n = nodes.shape[0]
    if n < 1:
        raise refuse(where, "has no nodes")
    for name, bits in (("raw_left_cat_bitsets", raw_bitsets), ("binned", binned_bitsets)):
        arr = np.asarray(bits)
        if arr.ndim != 2 or arr.shape[1] != 8 or arr.dtype != np.uint32:
            raise refuse(where, f"has {name} of shape {arr.shape} ({arr.dtype})")
    idx = np.arange(n)
    split = nodes["is_leaf"] == 0
    for name in ("left", "right"):
        child = nodes[name].astype(np.int64)
        _first_bad(
            where,
            split & ((child <= idx) | (child >= n)),
            idx,
            f"has {name} child out of range (must be > its index and < {n})",
        )
    feat = nodes["feature_idx"].astype(np.int64)
    limit = n_features if n_features is not None else np.iinfo(np.int32).max
    _first_bad(
        where,
        split & ((feat < 0) | (feat >= limit)),
        idx,
        f"splits on a feature index outside [0, {limit})",
    )
    cat = split & (nodes["is_categorical"] != 0)
    n_bitsets = min(np.shape(raw_bitsets)[0], np.shape(binned_bitsets)[0])
    _first_bad(
        where,
        cat & (nodes["bitset_idx"].astype(np.int64) >= n_bitsets),
        idx,
        "has a categorical bitset index out of range",
    )
    if n_features is not None:
        mask = np.zeros(n_features, bool) if categorical is None else np.asarray(categorical, bool)
        if mask.shape != (n_features,):
            raise refuse(where, "has a categorical-feature mask of the wrong length")
        _first_bad(
            where,
            cat & ~mask[np.clip(feat, 0, n_features - 1)],
            idx,
            "makes a categorical split on a feature that is not categorical",
        )


def _first_bad(where: str, bad: Any, idx: Any, why: str) -> None:
    if bad.any():
        raise refuse(where, f"node {int(idx[bad][0])} {why}")


def is_int(value: Any) -> bool:
    import numpy as np

    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
