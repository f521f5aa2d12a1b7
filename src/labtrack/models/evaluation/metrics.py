"""The metrics MLflow's default evaluator computes, by model type, with MLflow's names.

Regressors: ``example_count``, ``mean_absolute_error``, ``mean_squared_error``,
``root_mean_squared_error``, ``sum_on_target``, ``mean_on_target``, ``r2_score``, ``max_error``,
``mean_absolute_percentage_error``. Classifiers: ``example_count``, ``accuracy_score``,
``recall_score``, ``precision_score``, ``f1_score``, ``log_loss`` (with probabilities); binary
ones add the confusion counts, ``roc_auc`` and ``precision_recall_auc``; multiclass ones average
(``weighted`` by default) and add a one-vs-rest ``roc_auc``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as sk

__all__ = ["binary_metrics", "classifier_metrics", "per_class_metrics", "regressor_metrics"]


def regressor_metrics(y: Any, y_pred: Any, weights: Any = None) -> dict[str, float]:
    y, y_pred = np.asarray(y, dtype=float), np.asarray(y_pred, dtype=float)
    total = float((y * np.asarray(weights)).sum()) if weights is not None else float(y.sum())
    mse = sk.mean_squared_error(y, y_pred, sample_weight=weights)
    return {
        "example_count": len(y),
        "mean_absolute_error": sk.mean_absolute_error(y, y_pred, sample_weight=weights),
        "mean_squared_error": mse,
        "root_mean_squared_error": float(np.sqrt(mse)),
        "sum_on_target": total,
        "mean_on_target": total / len(y),
        "r2_score": sk.r2_score(y, y_pred, sample_weight=weights),
        "max_error": sk.max_error(y, y_pred),
        "mean_absolute_percentage_error": sk.mean_absolute_percentage_error(
            y, y_pred, sample_weight=weights
        ),
    }


def classifier_metrics(
    y: Any,
    y_pred: Any,
    y_proba: Any,
    labels: Any,
    average: str,
    pos_label: Any,
    weights: Any = None,
) -> dict[str, float]:
    out = {
        "example_count": len(y),
        "accuracy_score": sk.accuracy_score(y, y_pred, sample_weight=weights),
        "recall_score": sk.recall_score(
            y, y_pred, average=average, pos_label=pos_label, sample_weight=weights
        ),
        "precision_score": sk.precision_score(
            y, y_pred, average=average, pos_label=pos_label, sample_weight=weights
        ),
        "f1_score": sk.f1_score(
            y, y_pred, average=average, pos_label=pos_label, sample_weight=weights
        ),
    }
    if y_proba is not None:
        out["log_loss"] = sk.log_loss(y, y_proba, labels=labels, sample_weight=weights)
    if average != "binary" and y_proba is not None and average in ("macro", "weighted"):
        out["roc_auc"] = sk.roc_auc_score(
            y, y_proba, sample_weight=weights, average=average, multi_class="ovr"
        )
    return out


def binary_metrics(
    y: Any, y_pred: Any, y_proba: Any, labels: Any, pos_label: Any, weights: Any = None
) -> dict[str, float]:
    tn, fp, fn, tp = sk.confusion_matrix(y, y_pred, labels=labels).ravel()
    return {
        "true_negatives": tn,
        "false_positives": fp,
        "false_negatives": fn,
        "true_positives": tp,
        **classifier_metrics(y, y_pred, y_proba, labels, "binary", pos_label, weights),
    }


def per_class_metrics(y: Any, y_pred: Any, labels: Any, weights: Any = None) -> Any:
    """One row per class: that class against the rest (MLflow's ``per_class_metrics.csv``)."""
    import pandas as pd

    rows = []
    for label in labels:
        y_bin = np.where(np.asarray(y) == label, 1, 0)
        pred_bin = np.where(np.asarray(y_pred) == label, 1, 0)
        rows.append(
            {"positive_class": label, **binary_metrics(y_bin, pred_bin, None, [0, 1], 1, weights)}
        )
    return pd.DataFrame(rows)
