"""``labtrack.autolog()``: enable autologging for every supported library that is installed.

>>> import labtrack as mlflow
>>> mlflow.autolog()  # doctest: +SKIP

Today that is scikit-learn (:func:`labtrack.sklearn.autolog`). Each integration gets the
arguments it understands; a library that is not installed is skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import warnings
from typing import Any

from labtrack.errors import LabtrackError

__all__ = ["INTEGRATIONS", "autolog"]

# library import name -> the labtrack module holding its autolog()
INTEGRATIONS = {"sklearn": "labtrack.sklearn"}


def autolog(
    log_input_examples: bool = False,
    log_model_signatures: bool = True,
    log_models: bool = True,
    log_datasets: bool = True,
    disable: bool = False,
    exclusive: bool = False,
    disable_for_unsupported_versions: bool = False,
    silent: bool = False,
    **kwargs: Any,
) -> None:
    """Enable (or with ``disable=True``, disable) autologging for all supported libraries.

    Extra keyword arguments go to the integrations that accept them (for scikit-learn:
    ``max_tuning_runs``, ``log_post_training_metrics``, ``serialization_format``...). An
    integration configured by its own call (``labtrack.sklearn.autolog(disable=True)``) keeps
    that configuration: this call leaves it alone, as ``mlflow.autolog()`` does.
    """
    settings = {
        "log_input_examples": log_input_examples,
        "log_model_signatures": log_model_signatures,
        "log_models": log_models,
        "log_datasets": log_datasets,
        "disable": disable,
        "exclusive": exclusive,
        "disable_for_unsupported_versions": disable_for_unsupported_versions,
        "silent": silent,
        "_from_global": True,
        **kwargs,
    }
    for library, module_name in INTEGRATIONS.items():
        if importlib.util.find_spec(library) is None:
            continue
        try:
            module = importlib.import_module(module_name)
            if module.configured_directly():
                continue
            integration = module.autolog
            accepted = inspect.signature(integration).parameters
            integration(**{k: v for k, v in settings.items() if k in accepted})
        except LabtrackError:
            raise  # a bad argument: the caller should hear about it
        except Exception as exc:
            if not silent:
                warnings.warn(
                    f"Autologging for {library} could not be {'disabled' if disable else 'enabled'}"
                    f": {exc}",
                    stacklevel=2,
                )
