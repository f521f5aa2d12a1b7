"""The plots MLflow's default evaluator logs for classifiers (matplotlib, written as PNG).

Binary: ``roc_curve_plot``, ``precision_recall_curve_plot``, ``lift_curve_plot``,
``calibration_curve_plot``; multiclass: one-vs-rest ROC and precision-recall curves (up to
``max_classes_for_multiclass_roc_pr`` classes) and the calibration curve; both:
``confusion_matrix`` (normalized by true class).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import metrics as sk

__all__ = ["calibration", "confusion_matrix", "lift", "pr_curves", "roc_curves"]


def _axes(title: str, xlabel: str, ylabel: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig, ax


def roc_curves(y: Any, probs: dict[Any, Any], pos_label: Any) -> tuple[Any, dict[Any, float]]:
    """``probs``: label -> probability of that label. A figure, and the AUC per label."""
    suffix = f" (Positive label: {pos_label})" if pos_label is not None else ""
    fig, ax = _axes("ROC curve", f"False Positive Rate{suffix}", f"True Positive Rate{suffix}")
    aucs = {}
    for label, p in probs.items():
        truth = np.asarray(y) == label
        fpr, tpr, _ = sk.roc_curve(truth, p)
        aucs[label] = float(sk.roc_auc_score(truth, p))
        name = (
            f"AUC={aucs[label]:.3f}" if len(probs) == 1 else f"label={label},AUC={aucs[label]:.3f}"
        )
        ax.plot(fpr, tpr, label=name)
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="chance")
    ax.legend(loc="lower right")
    return fig, aucs


def pr_curves(y: Any, probs: dict[Any, Any]) -> tuple[Any, dict[Any, float]]:
    """Precision-recall curves; the average precision (MLflow's ``precision_recall_auc``)."""
    fig, ax = _axes("Precision recall curve", "Recall", "Precision")
    aps = {}
    for label, p in probs.items():
        truth = np.asarray(y) == label
        precision, recall, _ = sk.precision_recall_curve(truth, p)
        aps[label] = float(sk.average_precision_score(truth, p))
        name = f"AP={aps[label]:.3f}" if len(probs) == 1 else f"label={label},AP={aps[label]:.3f}"
        ax.plot(recall, precision, label=name)
    ax.legend(loc="lower left")
    return fig, aps


def lift(y: Any, y_probas: Any, pos_label: Any) -> Any:
    """The lift of each class over a random ordering, by fraction of the sample (binary)."""
    y = np.asarray(y)
    classes = np.unique(y)
    fig, ax = _axes("Lift Curve", "Percentage of sample", "Lift")
    for index, label in enumerate(classes):
        order = np.argsort(np.asarray(y_probas)[:, index])[::-1]
        hits = np.cumsum(y[order] == label) / max(int(np.sum(y == label)), 1)
        share = np.arange(1, len(y) + 1) / len(y)
        name = f"Class {label}" + (" (positive)" if label == pos_label else "")
        ax.plot(share, hits / share, lw=3, label=name)
    ax.plot([0, 1], [1, 1], "k--", lw=2, label="Baseline")
    ax.legend(loc="upper right")
    return fig


def calibration(y: Any, y_probas: Any, labels: Any, pos_label: Any, n_bins: int = 10) -> Any:
    """Observed frequency against mean predicted probability, per class."""
    from sklearn.calibration import calibration_curve

    fig, ax = _axes(
        "Classifier Calibration", "Mean Predicted Probability", "Fraction of True Positives"
    )
    shown = [pos_label] if len(labels) == 2 else list(labels)
    for label in shown:
        index = int(np.where(np.asarray(labels) == label)[0][0])
        frac, mean = calibration_curve(
            np.asarray(y) == label, np.asarray(y_probas)[:, index], n_bins=n_bins
        )
        ax.plot(mean, frac, marker="o", markersize=3, label=f"Class {label}")
    ax.plot([0, 1], [0, 1], linestyle="dotted", color="black", label="Perfect Calibration")
    ax.legend(loc="upper left")
    return fig


def confusion_matrix(y: Any, y_pred: Any, labels: Any, weights: Any = None) -> Any:
    import matplotlib.pyplot as plt

    matrix = sk.confusion_matrix(y, y_pred, labels=labels, normalize="true", sample_weight=weights)
    fig, ax = plt.subplots(1, 1, figsize=(6.0, 4.0), dpi=175)
    sk.ConfusionMatrixDisplay(confusion_matrix=matrix, display_labels=labels).plot(
        cmap="Blues", ax=ax
    )
    ax.set_title("Normalized confusion matrix")
    return fig
