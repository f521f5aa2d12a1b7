"""The serving app: a registered model (or any model URI) as a REST endpoint.

MLflow's scoring protocol on ``POST /invocations`` (JSON with one of ``dataframe_split``,
``dataframe_records``, ``instances``, ``inputs``, or a CSV body; answers
``{"predictions": [...]}``), plus ``/ping``, ``/health`` and ``/version``. A ``models:/`` URI
naming a stage or alias follows the registry: when another version takes the stage, the next
requests get it, with no restart and no failed request.

Run it standalone::

    labtrack serve models:/churn/Production --host 127.0.0.1 --port 5001 --workers 2

The Jupyter server extension starts one such process per served registered model
(``python -m labtrack.serving --model-name NAME ...``) and proxies
``<base_url>labtrack/serving/<name>/<version|stage|alias>/invocations`` to it.

The HTTP layer is a bare ASGI app run by uvicorn (httptools); only this package imports uvicorn.
"""

from labtrack.serving.serve import ServeOptions, serve

__all__ = ["ServeOptions", "serve"]
