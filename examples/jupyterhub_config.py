"""labtrack as the tracking service of a JupyterHub: the part of jupyterhub_config.py to copy.

What it sets up (docs/jupyterhub.md explains each piece):

- the ``labtrack`` service, started and stopped by the hub, over PostgreSQL and an object store;
- the scopes: every user may reach the service, and so may each user's server token (which the
  user's kernels inherit as JUPYTERHUB_API_TOKEN);
- the environment of every single-user server, so JupyterLab's sidebar, kernels and MLflow
  clients log to the service as their user with no configuration of their own.

Fill in the three values below (or set them in the hub's environment). labtrack must be
installed with its hub extra where the hub runs (``pip install 'labtrack[hub]'``) and in the
single-user image (``pip install labtrack``).
"""

import os
import sys

c = get_config()  # noqa: F821 - defined by JupyterHub when it loads this file

# The shared store: PostgreSQL, and any fsspec URL for artifacts (S3 here). The S3 credentials
# (AWS_ACCESS_KEY_ID, ...) go in the service's environment below, never to the users.
LABTRACK_TRACKING_URI = os.environ.get(
    "LABTRACK_TRACKING_URI", "postgresql+psycopg://labtrack:CHANGE-ME@db.example.org/labtrack"
)
LABTRACK_ARTIFACT_ROOT = os.environ.get("LABTRACK_ARTIFACT_ROOT", "s3://ml-artifacts/labtrack")
# Where the service listens, next to the hub.
LABTRACK_PORT = int(os.environ.get("LABTRACK_SERVICE_PORT", "10101"))
# How users' servers and kernels reach the service: here directly; through the hub's proxy
# (https://hub.example.org/services/labtrack/) works as well.
LABTRACK_URL = f"http://127.0.0.1:{LABTRACK_PORT}/services/labtrack/"

service_env = {
    "LABTRACK_TRACKING_URI": LABTRACK_TRACKING_URI,
    "LABTRACK_ARTIFACT_ROOT": LABTRACK_ARTIFACT_ROOT,
}
for name in (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ENDPOINT_URL",  # an S3-compatible store (MinIO, Ceph ...)
    "AWS_DEFAULT_REGION",
):
    if os.environ.get(name):
        service_env[name] = os.environ[name]

c.JupyterHub.services = [
    {
        "name": "labtrack",
        "url": f"http://127.0.0.1:{LABTRACK_PORT}",
        # The hub's own Python, where labtrack[hub] is installed.
        "command": [sys.executable, "-m", "labtrack", "server", "--jupyterhub"],
        "environment": service_env,
        # Users go straight to the service's page from the hub's Services menu.
        "oauth_no_confirm": True,
        "display": True,
    }
]

c.JupyterHub.load_roles = [
    # Every user may use the service (with a browser or a token they make on /hub/token).
    {
        "name": "user",
        "scopes": ["self", "access:services!service=labtrack"],
    },
]

# The token each user's server gets (and its kernels inherit as JUPYTERHUB_API_TOKEN): the
# defaults plus the service, so the sidebar and kernels reach labtrack as their user.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "access:services!service=labtrack",
]

c.Spawner.environment = {
    # labtrack's client (the sidebar's server extension, `import labtrack` in kernels) uses the
    # service, with JUPYTERHUB_API_TOKEN as its token.
    "LABTRACK_TRACKING_URI": LABTRACK_URL,
    # Plain `import mlflow` logs to the service too.
    "MLFLOW_TRACKING_URI": LABTRACK_URL + "labtrack/mlflow",
    "MLFLOW_TRACKING_TOKEN": lambda spawner: spawner.api_token,
}
