"""``evaluate``: score a model (or a column of predictions) on labelled data, log the results.

MLflow's ``mlflow.evaluate`` / ``mlflow.models.evaluate`` with its default evaluator for
scikit-learn style regressors and classifiers: the same metric names and values
(:mod:`.metrics`), the same plots (:mod:`.plots`), logged into the active run (or a new one).

>>> result = mlflow.evaluate(model_info.model_uri, eval_data, targets="label",
...                          model_type="classifier")                       # doctest: +SKIP
>>> result.metrics["accuracy_score"]                                       # doctest: +SKIP

Out of scope, each with an error that says so: LLM and text model types, extra metrics and
custom artifacts, other evaluators, SHAP explanations, baselines and validation thresholds.
"""

from __future__ import annotations

import importlib
import os
import tempfile
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd

from labtrack.entities import Metric
from labtrack.entities.logged_model import LoggedModelInput
from labtrack.errors import InvalidParameterError
from labtrack.models.evaluation import metrics as _metrics
from labtrack.models.evaluation import plots as _plots
from labtrack.tracking import _state, fluent
from labtrack.tracking.inputs import dataset_input

__all__ = ["EvaluationArtifact", "EvaluationResult", "evaluate"]

MODEL_TYPES = ("regressor", "classifier")


class EvaluationArtifact:
    """A file ``evaluate`` logged: its artifact URI, and its content loaded on demand."""

    def __init__(self, uri: str, content: Any = None) -> None:
        self.uri = uri
        self._content = content

    @property
    def content(self) -> Any:
        return self._content

    def __repr__(self) -> str:
        return f"{type(self).__name__}(uri={self.uri!r})"


class ImageEvaluationArtifact(EvaluationArtifact):
    """A plot (PNG); ``content`` is a ``PIL.Image``."""


class CsvEvaluationArtifact(EvaluationArtifact):
    """A table (CSV); ``content`` is a DataFrame."""


class EvaluationResult:
    """What ``evaluate`` returns: the metrics, the logged artifacts, the run they went to."""

    def __init__(
        self,
        metrics: dict[str, Any],
        artifacts: dict[str, EvaluationArtifact],
        run_id: str | None = None,
    ) -> None:
        self._metrics = metrics
        self._artifacts = artifacts
        self._run_id = run_id

    @property
    def metrics(self) -> dict[str, Any]:
        return self._metrics

    @property
    def artifacts(self) -> dict[str, EvaluationArtifact]:
        return self._artifacts

    @property
    def run_id(self) -> str | None:
        return self._run_id

    @property
    def tables(self) -> dict[str, Any]:
        return {
            k: a.content for k, a in self._artifacts.items() if isinstance(a, CsvEvaluationArtifact)
        }

    def __repr__(self) -> str:
        return f"EvaluationResult(metrics={self._metrics!r}, artifacts={sorted(self._artifacts)})"


def _refuse(name: str, value: Any, what: str) -> None:
    if value:
        raise InvalidParameterError(
            f"evaluate(..., {name}=...) is not supported by labtrack ({what}). Compute the "
            "extra values yourself and log them with log_metrics / log_artifact."
        )


def _load_model(model: Any, model_config: Any) -> Any:
    """A model URI becomes a pyfunc model: loaded, like any flavor's loader, by its module
    name (the python_function flavor sits above this package)."""
    if isinstance(model, (str, os.PathLike)):
        pyfunc = importlib.import_module("labtrack.pyfunc")
        return pyfunc.load_model(os.fspath(model))
    return model


def _log_eval_dataset(
    run_id: str, data: Any, targets: Any, predictions: str | None, model_id: str | None
) -> None:
    """The evaluated data as an input of the run, as MLflow 3 records it (a pandas or numpy
    dataset, no context tag; the model as an input when ``model_id`` is given). Other kinds
    of data are evaluated without a record, as in MLflow."""
    # By module name, like the pyfunc loader: labtrack.data sits above this package.
    datasets = importlib.import_module("labtrack.data")
    if isinstance(data, list):
        rows = data if not data or isinstance(data[0], (list, np.ndarray)) else [[v] for v in data]
        ds = datasets.from_numpy(
            np.array(rows), targets=None if targets is None else np.array(targets)
        )
    elif isinstance(data, np.ndarray):
        ds = datasets.from_numpy(data, targets=targets)
    elif isinstance(data, pd.DataFrame):
        ds = datasets.from_pandas(data, targets=targets, predictions=predictions)
    else:
        return
    models = [LoggedModelInput(model_id)] if model_id else None
    _state.client().log_inputs(run_id, [dataset_input(ds)], models)


def _raw_sklearn(model: Any) -> Any:
    """The scikit-learn estimator inside a pyfunc model of the sklearn flavor (else None)."""
    meta = getattr(model, "metadata", None)
    if meta is not None and "sklearn" in getattr(meta, "flavors", {}):
        return model.get_raw_model()
    if model is not None and type(model).__module__.startswith("sklearn"):
        return model
    return None


def _split(
    data: Any, targets: Any, predictions: str | None, feature_names: Any
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray | None]:
    """(features, labels, predictions column) from a DataFrame or arrays."""
    if isinstance(data, pd.DataFrame):
        if not isinstance(targets, str) or targets not in data.columns:
            raise InvalidParameterError(
                f"targets must name a column of the data (its columns: {list(data.columns)})."
            )
        if predictions is not None and predictions not in data.columns:
            raise InvalidParameterError(
                f"predictions={predictions!r} is not a column of the data: name the column "
                "that holds the model's outputs."
            )
        drop = [c for c in (targets, predictions) if c is not None]
        features = data.drop(columns=drop)
        if feature_names is not None:
            features = features[list(feature_names)]
        preds = data[predictions].to_numpy() if predictions is not None else None
        return features, data[targets].to_numpy(), preds
    if isinstance(data, (np.ndarray, list)):
        if targets is None or isinstance(targets, str):
            raise InvalidParameterError(
                "With array data, targets must be the array of labels (with a DataFrame, the "
                "name of its label column)."
            )
        features = pd.DataFrame(np.asarray(data), columns=feature_names)
        return features, np.asarray(targets), None
    raise InvalidParameterError(
        f"evaluate takes a pandas DataFrame or a numpy array as data; got {type(data).__name__}."
    )


def _column(values: Any) -> np.ndarray:
    """One column of predictions from what a model's predict returned."""
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InvalidParameterError(
                f"The model returned {values.shape[1]} columns; evaluate needs one column of "
                "predictions (pass predictions='<column>' to pick one)."
            )
        values = values.iloc[:, 0]
    arr = np.asarray(values)
    return arr.ravel() if arr.ndim > 1 and arr.shape[1] == 1 else arr


class _Evaluation:
    """One evaluate call: its config, what it computed, what it logged."""

    def __init__(self, run_id: str, config: dict[str, Any]) -> None:
        self.run_id = run_id
        self.config = config
        self.prefix = str(config.get("metric_prefix") or "")
        self.weights = config.get("sample_weights")
        self.metrics: dict[str, Any] = {}
        self.artifacts: dict[str, EvaluationArtifact] = {}
        self.folder = tempfile.mkdtemp(prefix="labtrack-evaluate-")

    def score(self, raw: Any, features: pd.DataFrame, y: np.ndarray) -> None:
        """scikit-learn's own ``score`` (R² or accuracy), as MLflow logs it."""
        if raw is None or not hasattr(raw, "score"):
            return
        try:
            self.metrics["score"] = raw.score(features, y, sample_weight=self.weights)
        except Exception as exc:  # noqa: BLE001 - MLflow warns and goes on
            warnings.warn(f"Computing the model's score failed: {exc!r}", stacklevel=4)

    def plot(self, name: str, figure: Any) -> None:
        import matplotlib.pyplot as plt
        from PIL import Image

        path = os.path.join(self.folder, f"{self.prefix}{name}.png")
        figure.savefig(path, bbox_inches="tight")
        plt.close(figure)
        _state.client().log_artifact(self.run_id, path)
        with Image.open(path) as image:
            content = image.copy()
        uri = f"{_state.client().get_run(self.run_id).info.artifact_uri}/{self.prefix}{name}.png"
        self.artifacts[name] = ImageEvaluationArtifact(uri, content)

    def table(self, name: str, frame: pd.DataFrame) -> None:
        path = os.path.join(self.folder, f"{self.prefix}{name}.csv")
        frame.to_csv(path, index=False)
        _state.client().log_artifact(self.run_id, path)
        uri = f"{_state.client().get_run(self.run_id).info.artifact_uri}/{self.prefix}{name}.csv"
        self.artifacts[name] = CsvEvaluationArtifact(uri, frame)

    def log_metrics(self) -> dict[str, Any]:
        named = {f"{self.prefix}{k}": v for k, v in self.metrics.items()}
        ms = int(time.time() * 1000)
        items = [Metric(k, float(v), ms, 0) for k, v in named.items()]
        _state.client().log_batch(self.run_id, metrics=items)
        return named


def _classify(ev: _Evaluation, y: Any, y_pred: Any, probs: Any) -> None:
    labels = ev.config.get("label_list")
    pos_label = ev.config.get("pos_label")
    labels = np.unique(np.concatenate([y, y_pred])) if labels is None else np.array(labels)
    labels.sort()
    if len(labels) < 2:
        raise InvalidParameterError(
            "A classifier's evaluation data must hold at least two labels; give them all with "
            "evaluator_config={'label_list': [0, 1]}."
        )
    if len(labels) == 2:
        pos_index = 1
        if pos_label is not None and pos_label in labels:
            pos_index = int(np.where(labels == pos_label)[0][0])
        pos_label = labels[pos_index] if pos_label is None else pos_label
        ev.metrics.update(_metrics.binary_metrics(y, y_pred, probs, labels, pos_label, ev.weights))
        if probs is not None:
            positive = {pos_label: np.asarray(probs)[:, pos_index]}
            figure, aucs = _plots.roc_curves(y, positive, pos_label)
            ev.metrics["roc_auc"] = aucs[pos_label]
            ev.plot("roc_curve_plot", figure)
            figure, aps = _plots.pr_curves(y, positive)
            ev.metrics["precision_recall_auc"] = aps[pos_label]
            ev.plot("precision_recall_curve_plot", figure)
            ev.plot("lift_curve_plot", _plots.lift(y, probs, pos_label))
            ev.plot("calibration_curve_plot", _plots.calibration(y, probs, labels, pos_label))
    else:
        average = ev.config.get("average", "weighted")
        ev.metrics.update(
            _metrics.classifier_metrics(y, y_pred, probs, labels, average, None, ev.weights)
        )
        per_class = _metrics.per_class_metrics(y, y_pred, labels, ev.weights)
        if probs is not None:
            ev.plot("calibration_curve_plot", _plots.calibration(y, probs, labels, None))
            if len(labels) <= ev.config.get("max_classes_for_multiclass_roc_pr", 10):
                columns = {label: np.asarray(probs)[:, i] for i, label in enumerate(labels)}
                figure, aucs = _plots.roc_curves(y, columns, None)
                ev.plot("roc_curve_plot", figure)
                per_class["roc_auc"] = [aucs[label] for label in labels]
                figure, aps = _plots.pr_curves(y, columns)
                ev.plot("precision_recall_curve_plot", figure)
                per_class["precision_recall_auc"] = [aps[label] for label in labels]
        ev.table("per_class_metrics", per_class)
    ev.plot("confusion_matrix", _plots.confusion_matrix(y, y_pred, labels, ev.weights))


def evaluate(
    model: Any = None,
    data: Any = None,
    *,
    model_type: str | None = None,
    targets: Any = None,
    predictions: str | None = None,
    dataset_path: str | None = None,
    feature_names: list[str] | None = None,
    evaluators: str | list[str] | None = None,
    evaluator_config: dict[str, Any] | None = None,
    extra_metrics: list[Any] | None = None,
    custom_artifacts: list[Any] | None = None,
    env_manager: str = "local",
    model_config: dict[str, Any] | None = None,
    inference_params: dict[str, Any] | None = None,
    model_id: str | None = None,
    baseline_model: Any = None,
    validation_thresholds: Any = None,
) -> EvaluationResult:
    """Evaluate ``model`` (a model URI, a loaded pyfunc model, a scikit-learn estimator or a
    function) on ``data``, or, with ``model=None``, the ``predictions`` column of ``data``.

    The metrics, plots and tables MLflow's default evaluator logs go to the active run (or to
    a new run, ended afterwards).
    """
    if model_type not in MODEL_TYPES:
        raise InvalidParameterError(
            f"model_type={model_type!r} is not supported by labtrack's evaluate: use "
            "'regressor' or 'classifier' (LLM and text model types are out of scope)."
        )
    names = [evaluators] if isinstance(evaluators, str) else list(evaluators or ["default"])
    if any(name != "default" for name in names):
        raise InvalidParameterError(
            f"Unknown evaluators {names}: labtrack has MLflow's default evaluator only "
            "(evaluators='default' or None)."
        )
    _refuse("extra_metrics", extra_metrics, "MLflow's metric plug-ins")
    _refuse("custom_artifacts", custom_artifacts, "custom artifact functions")
    _refuse("baseline_model", baseline_model, "baseline comparison")
    _refuse("validation_thresholds", validation_thresholds, "validation thresholds")
    if env_manager != "local":
        raise InvalidParameterError(
            "evaluate runs the model in this Python environment only (env_manager='local')."
        )
    config = dict(evaluator_config or {})
    if config.get("log_model_explainability"):
        warnings.warn("SHAP explanations are not computed by labtrack.", stacklevel=2)
    if model is None and predictions is None:
        raise InvalidParameterError(
            "Give a model to evaluate, or model=None with predictions='<column>' naming the "
            "column of data that holds the model's outputs."
        )
    if model is not None and predictions is not None and not isinstance(data, pd.DataFrame):
        raise InvalidParameterError("predictions names a column: give data as a DataFrame.")
    loaded = _load_model(model, model_config)
    features, y, given = _split(data, targets, None if loaded else predictions, feature_names)
    raw = _raw_sklearn(loaded)
    probs = None
    if loaded is None:
        y_pred = given
    elif raw is not None:
        y_pred = _column(raw.predict(features))
        if model_type == "classifier" and hasattr(raw, "predict_proba"):
            probs = raw.predict_proba(features)
    else:
        predict = loaded.predict if hasattr(loaded, "predict") else loaded
        kwargs = (
            {"params": inference_params} if inference_params and hasattr(loaded, "predict") else {}
        )
        output = predict(features, **kwargs)
        if predictions is not None and isinstance(output, pd.DataFrame):
            output = output[predictions]
        y_pred = _column(output)

    started = fluent.active_run() is None
    run = fluent.start_run() if started else fluent.active_run()
    assert run is not None
    try:
        _log_eval_dataset(
            run.info.run_id, data, targets, predictions if loaded is None else None, model_id
        )
        ev = _Evaluation(run.info.run_id, config)
        ev.score(raw, features, y)
        if model_type == "regressor":
            ev.metrics.update(_metrics.regressor_metrics(y, y_pred, ev.weights))
        else:
            _classify(ev, y, np.asarray(y_pred), probs)
        metrics = ev.log_metrics()
    finally:
        if started:
            fluent.end_run()
    return EvaluationResult(metrics, ev.artifacts, run.info.run_id)
