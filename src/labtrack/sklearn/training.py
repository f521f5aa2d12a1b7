"""What autologging records about a fitted estimator: params, training metrics, plots, searches.

Each piece is computed on its own; a failure is reported by name (``Problems``) and the rest is
still recorded.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

from labtrack.data import from_numpy, from_pandas
from labtrack.entities import Metric, Param, RunTag
from labtrack.errors import InvalidParameterError
from labtrack.utils import validation

PREFIX = "training_"
SAMPLE_ROWS = 5


class Problems(list[str]):
    """What could not be recorded, as ``"what (Error: message)"`` lines."""

    def run(self, what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:
            self.append(f"{what} ({type(exc).__name__}: {exc})")
            return None


def now_ms() -> int:
    return int(time.time() * 1000)


# -- params and tags ------------------------------------------------------------------------
def param_text(value: Any) -> str:
    text = str(value).replace("\x00", "\\0")
    limit = validation.MAX_PARAM_VALUE_LENGTH
    return text if len(text) <= limit else text[: limit - 3] + "..."


def params_of(values: dict[str, Any]) -> list[Param]:
    out = []
    for key, value in values.items():
        try:
            validation.validate_key(str(key), "param key")
        except InvalidParameterError:
            continue  # a name the store cannot hold (too long): skipped, not fatal
        out.append(Param(str(key), param_text(value)))
    return out


def estimator_tags(est: Any) -> list[RunTag]:
    cls = type(est)
    return [
        RunTag("estimator_name", cls.__name__),
        RunTag("estimator_class", f"{cls.__module__}.{cls.__name__}"),
    ]


def is_search(est: Any) -> bool:
    from sklearn.model_selection._search import BaseSearchCV

    return isinstance(est, BaseSearchCV)


# -- the arguments of fit -------------------------------------------------------------------
def fit_data(
    bound: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Any, Any, Any]:
    """(X, y, sample_weight) of a fit / fit_transform / fit_predict call."""
    try:
        names = list(inspect.signature(bound).parameters)
    except (TypeError, ValueError):
        names = ["X", "y"]
    x_name, y_name = (names + ["X", "y"])[:2]
    x = args[0] if args else kwargs.get(x_name)
    y = args[1] if len(args) > 1 else kwargs.get(y_name)
    weight = kwargs.get("sample_weight")
    if weight is None and "sample_weight" in names and len(args) > names.index("sample_weight"):
        weight = args[names.index("sample_weight")]
    return x, y, weight


def head(x: Any, n: int = SAMPLE_ROWS) -> Any:
    if hasattr(x, "iloc"):
        return x.iloc[:n]
    if isinstance(x, (list, tuple)):
        return list(x[:n])
    return x[:n]


# -- training metrics -----------------------------------------------------------------------
def training_metrics(
    est: Any, x: Any, y: Any, weight: Any, pos_label: Any, problems: Problems
) -> tuple[dict[str, float], Any]:
    """Training metrics and the predictions they came from (None without ``predict``)."""
    import numpy as np
    import sklearn.metrics as m
    from sklearn.base import ClassifierMixin, RegressorMixin, is_classifier, is_regressor

    out: dict[str, float] = {}
    y_pred = None
    if y is not None and hasattr(est, "predict"):
        y_pred = problems.run("training predictions", lambda: est.predict(x))

    def add(name: str, fn: Callable[[], Any]) -> None:
        value = problems.run(PREFIX + name, fn)
        if value is not None and np.ndim(value) == 0:
            out[PREFIX + name] = float(value)

    sw = {"sample_weight": weight}
    if y_pred is not None and is_classifier(est):
        avg: dict[str, Any] = (
            {"average": "weighted"}
            if pos_label is None
            else {"average": "binary", "pos_label": pos_label}
        )
        add("accuracy_score", lambda: m.accuracy_score(y, y_pred, **sw))
        add("precision_score", lambda: m.precision_score(y, y_pred, zero_division=0, **avg, **sw))
        add("recall_score", lambda: m.recall_score(y, y_pred, zero_division=0, **avg, **sw))
        add("f1_score", lambda: m.f1_score(y, y_pred, zero_division=0, **avg, **sw))
        if hasattr(est, "predict_proba"):
            proba = problems.run(PREFIX + "log_loss", lambda: est.predict_proba(x))
            if proba is not None:
                classes = getattr(est, "classes_", None)
                add("log_loss", lambda: m.log_loss(y, proba, labels=classes, **sw))
                add("roc_auc", lambda: _roc_auc(m, y, proba, classes, weight))
        if _inherits(est, "score", ClassifierMixin.score) and PREFIX + "accuracy_score" in out:
            out[PREFIX + "score"] = out[PREFIX + "accuracy_score"]
    elif y_pred is not None and is_regressor(est):
        add("mean_squared_error", lambda: m.mean_squared_error(y, y_pred, **sw))
        if PREFIX + "mean_squared_error" in out:
            out[PREFIX + "root_mean_squared_error"] = float(
                np.sqrt(out[PREFIX + "mean_squared_error"])
            )
        add("mean_absolute_error", lambda: m.mean_absolute_error(y, y_pred, **sw))
        add("r2_score", lambda: m.r2_score(y, y_pred, **sw))
        if _inherits(est, "score", RegressorMixin.score) and PREFIX + "r2_score" in out:
            out[PREFIX + "score"] = out[PREFIX + "r2_score"]
    if PREFIX + "score" not in out and hasattr(est, "score"):
        add("score", lambda: _score(est, x, y, weight))
    return out, y_pred


def _inherits(est: Any, name: str, fn: Any) -> bool:
    return getattr(type(est), name, None) is fn


def _roc_auc(m: Any, y: Any, proba: Any, classes: Any, weight: Any) -> Any:
    if proba.ndim == 2 and proba.shape[1] == 2:
        return m.roc_auc_score(y, proba[:, 1], sample_weight=weight)
    return m.roc_auc_score(
        y, proba, multi_class="ovr", average="weighted", labels=classes, sample_weight=weight
    )


def _score(est: Any, x: Any, y: Any, weight: Any) -> Any:
    if weight is not None and "sample_weight" in inspect.signature(est.score).parameters:
        return est.score(x, y, sample_weight=weight)
    return est.score(x, y)


def metric_list(
    values: dict[str, float], model_id: str | None = None, dataset: Any = None
) -> list[Metric]:
    """Points at step 0, linked to the logged model and the dataset they were measured on."""
    ts = now_ms()
    name = dataset.name if dataset is not None else None
    digest = dataset.digest if dataset is not None else None
    return [Metric(k, v, ts, 0, model_id, name, digest) for k, v in values.items()]


def estimator_html(est: Any) -> str:
    """The estimator as scikit-learn draws it, as a page (MLflow's ``estimator.html``)."""
    from sklearn.utils import estimator_html_repr

    # The charset keeps the toggle triangles from being garbled.
    return (
        '<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8"/>\n  </head>\n'
        f"  <body>\n    {estimator_html_repr(est)}\n  </body>\n</html>\n"
    )


def training_dataset(x: Any, y: Any) -> Any:
    """The training data as a ``labtrack.data`` dataset (MLflow's choice of kind: pandas for
    a DataFrame, numpy with targets for arrays and sparse matrices), or ``None`` for other
    kinds of data."""
    import numpy as np
    import pandas as pd

    if isinstance(x, pd.DataFrame):
        return from_pandas(x)
    if hasattr(x, "toarray"):
        x = x.toarray()
    if not isinstance(x, np.ndarray):
        return None
    if y is not None:
        y = y.toarray() if hasattr(y, "toarray") else np.asarray(y)
    return from_numpy(x, targets=y)


# -- confusion matrix -----------------------------------------------------------------------
MAX_MATRIX_CLASSES = 50


def confusion_matrix_figure(est: Any, y: Any, y_pred: Any, weight: Any) -> Any:
    """A normalized confusion matrix as a matplotlib Figure on the Agg canvas (no pyplot)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from sklearn.metrics import confusion_matrix

    if np.ndim(y) != 1:
        return None  # multi-output / multi-label: no single matrix
    labels = getattr(est, "classes_", None)
    if labels is None or np.ndim(labels) != 1:
        labels = np.unique(np.concatenate([np.asarray(y), np.asarray(y_pred)]))
    if len(labels) > MAX_MATRIX_CLASSES:
        return None
    cm = confusion_matrix(y, y_pred, labels=labels, sample_weight=weight, normalize="true")
    size = 3.0 + 0.45 * len(labels)
    fig = Figure(figsize=(size + 1.0, size))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    image = ax.imshow(cm, cmap="Blues", vmin=0.0, vmax=1.0)
    fig.colorbar(image, ax=ax)
    ticks = range(len(labels))
    ax.set_xticks(ticks, [str(label) for label in labels], rotation=45, ha="right")
    ax.set_yticks(ticks, [str(label) for label in labels])
    if len(labels) <= 20:
        for (i, j), value in np.ndenumerate(cm):
            ax.text(
                j,
                i,
                f"{value:.2f}",
                ha="center",
                va="center",
                color="white" if value > 0.5 else "black",
                fontsize=8,
            )
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title("Normalized confusion matrix (training data)")
    fig.tight_layout()
    return fig


# -- parameter searches ---------------------------------------------------------------------
def search_results(est: Any) -> tuple[list[Param], dict[str, float], str | None]:
    """best_<param> params, best_cv_score, and cv_results_ as CSV text."""
    import pandas as pd

    params = params_of({f"best_{k}": v for k, v in getattr(est, "best_params_", {}).items()})
    metrics = {}
    if getattr(est, "best_score_", None) is not None:
        metrics["best_cv_score"] = float(est.best_score_)
    csv = None
    if hasattr(est, "cv_results_"):
        csv = pd.DataFrame(est.cv_results_).to_csv(index=False)
    return params, metrics, csv


def child_runs(est: Any, max_runs: int | None) -> list[tuple[dict[str, Any], dict[str, float]]]:
    """(params, metrics) of the best ``max_runs`` candidates of a search, best first."""
    import numbers

    import pandas as pd

    frame = pd.DataFrame(est.cv_results_)
    rank = (
        "rank_test_score"
        if "rank_test_score" in frame
        else next((c for c in frame.columns if str(c).startswith("rank_test_")), None)
    )
    if rank is not None:
        frame = frame.sort_values(rank, kind="stable")
    if max_runs is not None:
        frame = frame.head(max_runs)
    seed = est.estimator
    base = seed.get_params(deep=not is_search(seed))
    out = []
    for _, row in frame.iterrows():
        params = {**base, **row.get("params", {})}
        metrics = {
            str(k): float(v)  # type: ignore[arg-type]
            for k, v in row.items()
            if not str(k).startswith(("param", "split"))
            and isinstance(v, numbers.Number)
            and not isinstance(v, bool)
        }
        out.append((params, metrics))
    return out
