"""Server-side configuration: which store the Jupyter server reads.

Set it in ``jupyter_server_config.py`` (``c.Labtrack.tracking_uri = "postgresql+psycopg://..."``)
or on the command line (``--Labtrack.tracking_uri=...``). Left empty, the server resolves the
store exactly as a kernel does (environment, then ``~/.labtrack``), so both agree by default.
"""

from __future__ import annotations

import os
from typing import Any

from traitlets import Bool, Enum, Float, Integer, TraitError, Unicode, validate
from traitlets.config import Configurable

from labtrack.config import StoreLocation, default_home, env_value, resolve
from labtrack.tracking.client import TrackingClient
from labtrack.tracking.writer import HEARTBEAT_INTERVAL
from labtrack.utils.redact import redact_uri

# Two heartbeats may be missed (a busy machine, a long pause of the process) before a run is
# taken for dead.
MIN_STALE_RUN_TIMEOUT = 3 * HEARTBEAT_INTERVAL

__all__ = ["Labtrack", "redact_uri"]


class Labtrack(Configurable):
    """Configuration of the labtrack server extension."""

    tracking_uri = Unicode(
        "",
        config=True,
        help=(
            "Store the server reads: a labtrack home folder, 'sqlite:///path/to/labtrack.db' or "
            "'postgresql+psycopg://user:password@host/db'. Empty: LABTRACK_TRACKING_URI, then "
            "LABTRACK_HOME, then ~/.labtrack (the same resolution a kernel uses)."
        ),
    )

    artifact_root = Unicode(
        "",
        config=True,
        help=(
            "Root URL for artifacts: a folder or an fsspec URL such as 's3://bucket/prefix'. "
            "Empty: LABTRACK_ARTIFACT_ROOT, then the store's default."
        ),
    )

    allow_unsafe_models = Bool(
        False,
        config=True,
        help=(
            "Let the model processes this server starts for serving load pickle-format models "
            "(serialization_format 'pickle' or 'cloudpickle'). Loading a pickle runs code stored "
            "in the file: turn this on only if everyone who can write to the store is trusted."
        ),
    )

    serving_max_batch = Integer(
        1,
        min=1,
        config=True,
        help=(
            "For the model processes this server starts: answer up to this many requests that "
            "queued while the model was busy with one predict call (more throughput under "
            "concurrent load). Only for models whose rows are predicted independently, as "
            "scikit-learn's are; 1 predicts each request alone."
        ),
    )

    mlflow_kernel_env = Bool(
        False,
        config=True,
        help=(
            "Give the kernels this server starts MLFLOW_TRACKING_URI (this server's MLflow API, "
            "<url>labtrack/mlflow) and MLFLOW_TRACKING_TOKEN (this server's token), so a plain "
            "`import mlflow` in a notebook logs into the store the Experiment sidebar shows, "
            "with no configuration. The kernels can then use the server's token, as any code "
            "the user runs could read it from Jupyter's runtime files."
        ),
    )

    stale_run_timeout = Float(
        600.0,
        config=True,
        help=(
            "Seconds without a heartbeat after which a RUNNING run is ended as KILLED: the "
            "process logging into it was killed or lost its machine. A labtrack process marks "
            f"its runs alive every {int(HEARTBEAT_INTERVAL)} s (its metric writer does), so "
            f"keep this well above that: at least {int(MIN_STALE_RUN_TIMEOUT)}. 0 turns it "
            "off. Runs of notebook kernels are ended when their kernel goes away instead."
        ),
    )

    permissions = Bool(
        False,
        config=True,
        help=(
            "Team mode: every experiment and registered model has an owner and grants (READ, "
            "EDIT, MANAGE to users and groups), enforced on every route of both protocols; the "
            "caller comes from the identity provider (JupyterHub's). Off (a single-user "
            "JupyterLab): everything is allowed. `labtrack server --permissions` turns it on. "
            "See docs/permissions.md."
        ),
    )

    default_permission = Enum(
        ["NONE", "READ", "EDIT"],
        "NONE",
        config=True,
        help=(
            "Team mode: what everyone may do with a new experiment or registered model. "
            "'NONE': private to its owner (and admins) until shared; 'READ' or 'EDIT': granted "
            "to the group '*' (everyone) when it is created, which its owner can remove."
        ),
    )

    permission_cache_seconds = Float(
        2.0,
        min=0.0,
        config=True,
        help=(
            "Team mode: how long a caller's permission on an experiment or model is reused "
            "before it is read again (so ingest and polling do not query grants on every "
            "request). Changes made through this server apply at once; changes made through "
            "another replica within this many seconds. 0: read on every request."
        ),
    )

    @validate("stale_run_timeout")
    def _valid_timeout(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if value != 0 and value < MIN_STALE_RUN_TIMEOUT:
            raise TraitError(
                f"c.Labtrack.stale_run_timeout is {value:g} s: give 0 (off) or at least "
                f"{MIN_STALE_RUN_TIMEOUT:g} s, well above the {HEARTBEAT_INTERVAL:g} s between "
                "the heartbeats of a live run."
            )
        return value

    def location(self) -> StoreLocation:
        """Resolve the store now, through the same function the kernel uses.

        Every request asks (the environment may change; a test re-points a symlinked home).
        Resolving a home folder follows its symlinks (a system call per part of the path: a
        sixth of the event loop's time under metric ingest), so for a home the answer is kept
        while the folder is the same one (same path, same device and inode).
        """
        if self.tracking_uri or env_value("TRACKING_URI"):
            return resolve(self.tracking_uri or None, self.artifact_root or None)
        home = default_home()
        try:
            found = os.stat(home)
        except OSError:  # not made yet: resolve() says what it will be
            return resolve(None, self.artifact_root or None)
        key = (
            str(home) if home.is_absolute() else os.path.join(os.getcwd(), home),
            found.st_dev,
            found.st_ino,
            self.artifact_root,
            os.environ.get("LABTRACK_ARTIFACT_ROOT"),
        )
        kept: tuple[tuple[Any, ...], StoreLocation] | None = getattr(self, "_home", None)
        if kept is not None and kept[0] == key:
            return kept[1]
        location = resolve(None, self.artifact_root or None)
        self._home = (key, location)
        return location

    def client(self) -> TrackingClient:
        """A client over the configured store, made once and shared by every handler."""
        client = getattr(self, "_client", None)
        location = self.location()
        if client is None or client.location != location:
            client = TrackingClient(location.tracking_uri, artifact_root=location.artifact_root)
            self._client = client
        return client
