"""Model serving on the Jupyter side: the routes, the supervisor of model processes, the proxy.

The model processes themselves run :mod:`labtrack.serving`; this package starts, watches and
stops them on the Jupyter server's event loop and forwards requests to them.
"""
