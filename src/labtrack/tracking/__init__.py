"""Tracking: the fluent API, the client and the background metric writer (``mlflow.tracking``).

>>> from labtrack.tracking import MlflowClient
>>> client = MlflowClient()  # doctest: +SKIP

- :mod:`~labtrack.tracking.fluent`, :mod:`~labtrack.tracking.fluent_logging`: the module-level
  API (``start_run``, ``log_metric``, ...), re-exported by ``labtrack`` itself;
- :mod:`~labtrack.tracking.client`: :class:`TrackingClient` (``MlflowClient``), explicit ids;
- :mod:`~labtrack.tracking.writer`: the queue and thread that commit metric points in batches;
- :mod:`~labtrack.tracking._state`: the process's client, active experiment and run stacks;
- :mod:`~labtrack.tracking.hooks`: where integrations (notebooks) plug in;
- :mod:`~labtrack.tracking.context`: the system tags of a new run (user, source, git).
"""

from labtrack.tracking.client import TrackingClient
from labtrack.tracking.fluent import get_tracking_uri, is_tracking_uri_set, set_tracking_uri

MlflowClient = TrackingClient

__all__ = [
    "MlflowClient",
    "TrackingClient",
    "get_tracking_uri",
    "is_tracking_uri_set",
    "set_tracking_uri",
]
