"""The REST store: the store contract of a labtrack server, reached over HTTP(S).

``labtrack.set_tracking_uri("http://host:8888/")`` (or ``LABTRACK_TRACKING_URI``) makes the
process's client use :class:`~labtrack.store.rest.store.RestTrackingStore`, with the token
from ``LABTRACK_TRACKING_TOKEN`` / ``MLFLOW_TRACKING_TOKEN``. Nothing here is imported by
``import labtrack``; the store loads when such a URI is first used.
"""
