"""Reproducing a run from JupyterLab: the routes and the background jobs that run them."""
