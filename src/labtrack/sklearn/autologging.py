"""scikit-learn autologging: ``fit`` records params, training metrics and the model in a run.

>>> import labtrack.sklearn
>>> labtrack.sklearn.autolog()
>>> RandomForestRegressor(n_estimators=100).fit(X, y)  # doctest: +SKIP

``fit``, ``fit_transform`` and ``fit_predict`` of every estimator ``sklearn.utils.all_estimators``
lists, and of Pipeline, GridSearchCV and RandomizedSearchCV, are patched; only the outermost fit
of a call logs (a per-thread depth counter), so a Pipeline or a search makes one run. With no
active run, the fit gets its own run through ``labtrack.start_run`` (in a notebook, the
notebook's experiment), which ends right after: FINISHED, or FAILED when fit raises. A run the
user started is used and left open.

Autologging never changes what ``fit`` does: the user's exceptions pass through unchanged, and
anything labtrack fails to record becomes one :class:`AutologgingWarning` per fit
(``silent=True`` hides them). ``autolog(disable=True)`` restores the original methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labtrack.errors import InvalidParameterError
from labtrack.models.model import Model
from labtrack.models.signature import infer_signature
from labtrack.sklearn import _patching, flavor, metrics_patch, training
from labtrack.sklearn._patching import AutologgingWarning, Config, local, raised
from labtrack.sklearn.serialize import check_format
from labtrack.tracking import _state, context, fluent
from labtrack.tracking.inputs import dataset_input
from labtrack.utils import validation
from labtrack.utils.mlflow_tags import AUTOLOGGING, PARENT_RUN_ID

__all__ = ["AutologgingWarning", "autolog", "configured_directly"]

AUTOLOGGING_TAG = AUTOLOGGING
FLAVOR = "sklearn"
FIT_METHODS = ("fit", "fit_transform", "fit_predict")
PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "transform")
# Data-manipulation estimators only log as part of a pipeline (MLflow's choice).
EXCLUDED_MODULES = (
    "sklearn.preprocessing",
    "sklearn.impute",
    "sklearn.feature_extraction",
    "sklearn.feature_selection",
)
EXCLUDED_CLASSES = ("sklearn.compose._column_transformer.ColumnTransformer",)
# Helpers that fit many clones: autologging pauses while they run. The private workers are
# patched too, so a helper imported by name before autolog() was called still pauses.
PAUSED_FUNCTIONS = (
    "cross_validate",
    "cross_val_predict",
    "cross_val_score",
    "learning_curve",
    "permutation_test_score",
    "validation_curve",
)
PAUSED_WORKERS = (
    "_fit_and_score",
    "_fit_and_predict",
    "_permutation_test_score",
    "_incremental_fit_estimator",
)


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    silent: bool = False,
    max_tuning_runs: int | None = 5,
    log_post_training_metrics: bool = True,
    serialization_format: str = "skops",
    registered_model_name: str | None = None,
    pos_label: Any = None,
    extra_tags: dict[str, Any] | None = None,
    log_datasets: bool = True,
    disable_for_unsupported_versions: bool = False,
    _from_global: bool = False,
) -> None:
    """Enable (or with ``disable=True``, disable) autologging for scikit-learn.

    - params: ``get_params(deep=True)`` (``deep=False`` for searches), values as text;
    - tags: ``estimator_name``, ``estimator_class``;
    - training metrics on the fit data (``training_accuracy_score``,
      ``training_mean_squared_error``...), ``training_score``, and for classifiers a
      ``training_confusion_matrix.png``;
    - the model as ``model`` (signature inferred from a sample of X when
      ``log_model_signatures``; the first rows of X as input example when
      ``log_input_examples``);
    - GridSearchCV / RandomizedSearchCV: ``best_<param>`` params, ``best_cv_score``,
      ``cv_results.csv``, ``best_estimator`` model and child runs for the best
      ``max_tuning_runs`` candidates;
    - post-training metrics: see :mod:`labtrack.sklearn.metrics_patch`;
    - ``estimator.html``: the estimator as scikit-learn draws it;
    - with ``log_datasets``, the training data as a dataset input (context ``train``) to which
      the training metrics are linked, as in MLflow 3; the model is a logged model and the
      training metrics are linked to it too.

    ``exclusive=True`` leaves runs the user started untouched.
    ``disable_for_unsupported_versions`` has no effect (every scikit-learn that labtrack
    installs with is supported). ``labtrack.autolog()`` leaves a configuration made here
    alone, as ``mlflow.autolog()`` does.
    """
    _patching.configured_by = "global" if _from_global else "integration"
    if disable:
        _patching.unpatch_all()
        _patching.config = None
        metrics_patch.reset()
        return
    if max_tuning_runs is not None and (
        not isinstance(max_tuning_runs, int) or max_tuning_runs < 0
    ):
        raise InvalidParameterError(
            f"max_tuning_runs must be a non-negative int or None; got {max_tuning_runs!r}."
        )
    check_format(serialization_format)
    config = Config(
        log_models=log_models,
        log_input_examples=log_input_examples,
        log_model_signatures=log_model_signatures,
        log_post_training_metrics=log_post_training_metrics,
        log_datasets=log_datasets,
        max_tuning_runs=max_tuning_runs,
        exclusive=exclusive,
        silent=silent,
        serialization_format=serialization_format,
        registered_model_name=registered_model_name,
        pos_label=pos_label,
        extra_tags=dict(extra_tags or {}),
    )
    if not _patching.is_patched():
        _install()
    _patching.config = config


def configured_directly() -> bool:
    """Whether ``labtrack.sklearn.autolog`` itself (not ``labtrack.autolog``) set the current
    configuration, enabled or disabled."""
    return _patching.configured_by == "integration"


def estimators_to_patch() -> list[type]:
    import warnings

    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
    from sklearn.pipeline import Pipeline
    from sklearn.utils import all_estimators

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = {cls for _, cls in all_estimators()}
    found |= {Pipeline, GridSearchCV, RandomizedSearchCV}

    def keep(cls: type) -> bool:
        full = f"{cls.__module__}.{cls.__name__}"
        return not cls.__module__.startswith(EXCLUDED_MODULES) and full not in EXCLUDED_CLASSES

    return sorted((c for c in found if keep(c)), key=lambda c: (c.__module__, c.__name__))


def _install() -> None:
    import importlib

    import sklearn.metrics
    import sklearn.model_selection

    for cls in estimators_to_patch():
        for name in FIT_METHODS:
            _patching.patch_method(cls, name, _fit_hook)
        for name in PREDICT_METHODS:
            _patching.patch_method(cls, name, metrics_patch.predict_hook)
        _patching.patch_method(cls, "score", metrics_patch.score_hook)
    for name in metrics_patch.metric_names():
        original = getattr(sklearn.metrics, name)
        _patching.patch_function(
            sklearn.metrics, name, metrics_patch.metric_wrapper(name, original)
        )
    workers = importlib.import_module("sklearn.model_selection._validation")
    for module, names in ((sklearn.model_selection, PAUSED_FUNCTIONS), (workers, PAUSED_WORKERS)):
        for name in names:
            if hasattr(module, name):
                _patching.patch_function(module, name, _paused(getattr(module, name)))


def _paused(original: Callable[..., Any]) -> Callable[..., Any]:
    import functools

    @functools.wraps(original)
    def paused(*args: Any, **kwargs: Any) -> Any:
        with raised("disabled"):
            return original(*args, **kwargs)

    return paused


# -- one autologged fit ---------------------------------------------------------------------
def _fit_hook(
    bound: Callable[..., Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    config = _patching.config
    if config is None or local.depth or local.disabled:
        return bound(*args, **kwargs)
    with raised("depth"):
        return _logged_fit(config, bound, est, args, kwargs)


def _logged_fit(
    config: Config,
    bound: Callable[..., Any],
    est: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    problems = training.Problems()
    session = None
    try:
        session = _Session.start(config, est, problems)
    except Exception as exc:
        problems.append(f"the run ({type(exc).__name__}: {exc})")
    if session is None:
        _report(est, problems)
        return bound(*args, **kwargs)
    try:
        result = bound(*args, **kwargs)
    except BaseException as exc:
        session.end("KILLED" if isinstance(exc, KeyboardInterrupt) else "FAILED", problems)
        _report(est, problems)
        raise
    with raised("quiet"):
        problems.run(
            "training information", lambda: session.after_fit(est, bound, args, kwargs, problems)
        )
    session.end("FINISHED", problems)
    if config.log_post_training_metrics:
        metrics_patch.register_model(est, session.run_id, session.model_id)
    _report(est, problems)
    return result


def _report(est: Any, problems: training.Problems) -> None:
    if problems:
        _patching.warn(
            f"labtrack autologging did not record everything for {type(est).__name__}: "
            + "; ".join(problems)
            + ". The fit itself completed normally."
        )


class _Session:
    """The run one autologged fit writes to."""

    def __init__(self, config: Config, run_id: str, managed: bool) -> None:

        self.config = config
        self.run_id = run_id
        self.managed = managed  # started here, so ended here
        self.model_id: str | None = None  # the logged model of the fit, once logged
        self.client = _state.client()

    @classmethod
    def start(cls, config: Config, est: Any, problems: training.Problems) -> _Session | None:

        active = fluent.active_run()
        if active is not None and config.exclusive:
            return None
        if active is None:
            tags = {AUTOLOGGING_TAG: FLAVOR, **config.extra_tags}
            session = cls(config, fluent.start_run(tags=tags).info.run_id, managed=True)
        else:
            session = cls(config, active.info.run_id, managed=False)
        problems.run(
            "tags",
            lambda: session.client.log_batch(session.run_id, tags=training.estimator_tags(est)),
        )
        problems.run(
            "params", lambda: session.log_params(est.get_params(deep=not training.is_search(est)))
        )
        return session

    def log_params(self, values: dict[str, Any], run_id: str | None = None) -> None:

        rid = run_id or self.run_id
        params = training.params_of(values)
        if not self.managed and run_id is None:
            # A user's run may hold params from an earlier fit: keep equal ones, skip changes.
            existing = self.client.get_run(rid).data.params
            changed = [p.key for p in params if p.key in existing and existing[p.key] != p.value]
            params = [p for p in params if p.key not in existing]
            if changed:
                raise InvalidParameterError(
                    f"params {changed[:5]} already have other values in run {rid}; they were "
                    "kept (start a new run per fit to record each one)"
                )
        for i in range(0, len(params), validation.MAX_BATCH_PARAMS):
            self.client.log_batch(rid, params=params[i : i + validation.MAX_BATCH_PARAMS])

    def after_fit(
        self,
        est: Any,
        bound: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        problems: training.Problems,
    ) -> None:
        from sklearn.base import is_classifier

        cfg = self.config
        x, y, weight = training.fit_data(bound, args, kwargs)
        values, y_pred = training.training_metrics(est, x, y, weight, cfg.pos_label, problems)
        search = training.is_search(est)
        if search:
            best_params, best_metrics, csv = training.search_results(est)
            values.update(best_metrics)
            problems.run(
                "best params", lambda: self.client.log_batch(self.run_id, params=best_params)
            )
            if csv is not None:
                problems.run(
                    "cv_results.csv",
                    lambda: self.client.log_text(self.run_id, csv, "cv_results.csv"),
                )
        dataset = None
        if x is not None:
            # Made for the metrics' link even when not logged as an input (MLflow does too).
            dataset = problems.run("dataset", lambda: training.training_dataset(x, y))
            if dataset is not None and cfg.log_datasets:
                problems.run("dataset", lambda: self._log_dataset(dataset))
        example = problems.run("input example", lambda: training.head(x)) if x is not None else None
        model_id = None
        if cfg.log_models:
            params = est.get_params(deep=not search)
            if search and hasattr(est, "best_params_"):
                params |= {f"best_{k}": v for k, v in est.best_params_.items()}
            info = problems.run("model", lambda: self._log_model(est, "model", example, params))
            model_id = self.model_id = info.model_id if info is not None else None
        if values:
            points = training.metric_list(values, model_id, dataset)
            problems.run("metrics", lambda: self.client.log_batch(self.run_id, metrics=points))
        problems.run(
            "estimator.html",
            lambda: self.client.log_text(
                self.run_id, training.estimator_html(est), "estimator.html"
            ),
        )
        if y_pred is not None and is_classifier(est):
            name = "training_confusion_matrix.png"
            fig = problems.run(
                name, lambda: training.confusion_matrix_figure(est, y, y_pred, weight)
            )
            if fig is not None:
                problems.run(name, lambda: self.client.log_figure(self.run_id, fig, name))
        if search:
            if cfg.log_models and hasattr(est, "best_estimator_"):
                best = est.best_estimator_
                problems.run(
                    "best_estimator",
                    lambda: self._log_model(
                        best, "best_estimator", example, best.get_params(deep=True)
                    ),
                )
            if hasattr(est, "cv_results_"):
                problems.run("child runs", lambda: self._child_runs(est))

    def _log_dataset(self, dataset: Any) -> None:
        """The training data as an input of the run, context ``train`` (MLflow's)."""
        record = dataset_input(dataset, context="train")
        self.client.log_inputs(self.run_id, [record])

    def _log_model(self, model: Any, path: str, example: Any, params: dict[str, Any]) -> Any:

        cfg = self.config
        signature: Any = False  # not inferred from the input example either
        if cfg.log_model_signatures and example is not None:
            method = (
                "predict"
                if hasattr(model, "predict")
                else ("transform" if hasattr(model, "transform") else None)
            )
            output = getattr(model, method)(example) if method else None
            signature = infer_signature(example, output)
        return Model.log(
            artifact_path=None,
            name=path,
            params=params,
            flavor=flavor,
            registered_model_name=cfg.registered_model_name if path == "model" else None,
            run_id=self.run_id,
            sk_model=model,
            serialization_format=cfg.serialization_format,
            signature=signature,
            input_example=example if cfg.log_input_examples else None,
        )

    def _child_runs(self, est: Any) -> None:

        parent = self.client.get_run(self.run_id)
        seed = est.estimator
        tags = {
            PARENT_RUN_ID: self.run_id,
            AUTOLOGGING_TAG: FLAVOR,
            **{t.key: t.value for t in training.estimator_tags(seed)},
        }
        end = training.now_ms()
        for params, metrics in training.child_runs(est, self.config.max_tuning_runs):
            child = self.client.create_run(
                parent.info.experiment_id,
                start_time=parent.info.start_time,
                tags=context.resolve_tags(self.client, tags),
            )
            rid = child.info.run_id
            self.log_params(params, run_id=rid)
            self.client.log_batch(rid, metrics=training.metric_list(metrics))
            self.client.set_terminated(rid, "FINISHED", end_time=end)

    def end(self, status: str, problems: training.Problems) -> None:
        """End a run started here (never raises: the user's own error must pass through)."""
        if not self.managed:
            return
        try:
            top = fluent.active_run()
            if top is not None and top.info.run_id == self.run_id:
                fluent.end_run(status)
            else:
                self.client.set_terminated(self.run_id, status)
        except Exception as exc:
            problems.append(f"ending the run ({type(exc).__name__}: {exc})")
