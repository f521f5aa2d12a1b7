"""Where the store lives: one resolution function shared by the kernel, the server and the CLI.

Order: an explicit URI (``set_tracking_uri``, a client's argument or the server's
``c.Labtrack.tracking_uri``), then ``LABTRACK_TRACKING_URI``, then MLflow's
``MLFLOW_TRACKING_URI``, then ``LABTRACK_HOME``, then ``~/.labtrack``. A plain folder path (or
``file:`` URI) means "a labtrack home": its ``labtrack.db`` SQLite file plus ``artifacts/``.
``sqlite:///:memory:`` is one in-memory database for the process, its artifacts in a temporary
folder removed at exit. An ``http(s)://`` URL is a labtrack server, reached through the REST
store.

Every setting that MLflow reads from an ``MLFLOW_<NAME>`` variable is read by :func:`env_value`:
``LABTRACK_<NAME>`` first, then ``MLFLOW_<NAME>``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from labtrack.errors import InvalidParameterError

__all__ = [
    "StoreLocation",
    "default_home",
    "env_first",
    "env_value",
    "is_memory_uri",
    "is_server_uri",
    "process_location",
    "registry_uri_set",
    "resolve",
    "server_base_url",
    "set_process_location",
    "set_process_registry_uri",
]

DB_FILENAME = "labtrack.db"
ARTIFACTS_DIRNAME = "artifacts"
_DB_SCHEMES = ("sqlite", "postgresql", "postgres")
# Below a server's base URL: its artifact proxy (MLflow's mlflow-artifacts protocol).
SERVER_ARTIFACT_PROXY = "labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts"

# What ``set_tracking_uri`` chose for this process. A client made without arguments uses it, so
# it agrees with the fluent API (MLflow's rule); the server never does (it has its own setting).
_process_uri: str | None = None
_process_root: str | None = None
_process_registry_uri: str | None = None


def env_value(name: str) -> str | None:
    """``LABTRACK_<name>`` if set, else MLflow's ``MLFLOW_<name>``; ``None`` if neither is.

    >>> env_value("EXPERIMENT_NAME")  # doctest: +SKIP
    'fraud-detection'
    """
    names = _prefixed.get(name)
    if names is None:
        names = _prefixed[name] = ("LABTRACK_" + name, "MLFLOW_" + name)
    return env_first(names)


_prefixed: dict[str, tuple[str, str]] = {}
_encoded: dict[tuple[str, ...], tuple[bytes, ...]] = {}


def env_first(names: tuple[str, ...]) -> str | None:
    """The value of the first of these environment variables that is set and not empty.

    ``log_metric`` reads the environment on every call (MLflow's settings may change while a
    process runs), and ``os.environ.get`` costs ~0.3 µs a name (it encodes the name each
    time): on POSIX the names are encoded once and looked up in ``os.environ``'s own table,
    which every change through ``os.environ`` updates.

    >>> os.environ["LABTRACK_DOCTEST_X"] = "1"
    >>> env_first(("LABTRACK_DOCTEST_Y", "LABTRACK_DOCTEST_X"))
    '1'
    >>> del os.environ["LABTRACK_DOCTEST_X"]
    """
    data = getattr(os.environ, "_data", None)
    if os.name != "posix" or not isinstance(data, dict):
        for name in names:
            value = os.environ.get(name)
            if value:
                return value
        return None
    keys = _encoded.get(names)
    if keys is None:
        keys = _encoded[names] = tuple(os.fsencode(n) for n in names)
    for key in keys:
        raw = data.get(key)
        if raw:
            return os.fsdecode(raw)
    return None


def set_process_location(tracking_uri: str | None, artifact_root: str | None = None) -> None:
    """Make ``tracking_uri`` (and ``artifact_root``) this process's store; ``None`` unsets."""
    global _process_uri, _process_root
    _process_uri, _process_root = tracking_uri, artifact_root


def set_process_registry_uri(registry_uri: str | None) -> None:
    """Make ``registry_uri`` this process's registry (``set_registry_uri``); ``None`` unsets."""
    global _process_registry_uri
    _process_registry_uri = registry_uri


def registry_uri_set() -> str | None:
    """The registry URI this process set, else ``LABTRACK_`` / ``MLFLOW_REGISTRY_URI``."""
    return _process_registry_uri or env_value("REGISTRY_URI")


def process_location() -> tuple[str | None, str | None]:
    """(tracking URI, artifact root) set for this process, each ``None`` when not set."""
    return _process_uri, _process_root


@dataclass(frozen=True)
class StoreLocation:
    """A resolved store: the SQLAlchemy database URL and the root URL for artifacts."""

    tracking_uri: str
    artifact_root: str

    @property
    def is_sqlite(self) -> bool:
        return self.tracking_uri.startswith("sqlite")


def default_home() -> Path:
    home = os.environ.get("LABTRACK_HOME")
    return Path(home).expanduser() if home else Path.home() / ".labtrack"


def _is_db_uri(uri: str) -> bool:
    scheme = uri.split(":", 1)[0].split("+", 1)[0].lower()
    return "://" in uri and scheme in _DB_SCHEMES


def _home_location(home: Path) -> StoreLocation:
    home = home.expanduser().resolve()
    return StoreLocation(
        tracking_uri=f"sqlite:///{home / DB_FILENAME}",
        artifact_root=str(home / ARTIFACTS_DIRNAME),
    )


def is_memory_uri(uri: str) -> bool:
    """``sqlite://`` or ``sqlite:///:memory:``: a database that lives in this process only."""
    if not uri.startswith("sqlite"):
        return False
    path = uri.split("://", 1)[1] if "://" in uri else ""
    return path in ("", "/") or path.lstrip("/").startswith(":memory:")


_memory_root: str | None = None


def _memory_artifact_root() -> str:
    """A temporary folder for the artifacts of an in-memory store, removed when the process
    exits (the database goes with it)."""
    global _memory_root
    if _memory_root is None:
        import atexit
        import shutil
        import tempfile

        _memory_root = tempfile.mkdtemp(prefix="labtrack-memory-")
        atexit.register(shutil.rmtree, _memory_root, True)
    return _memory_root


def _sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite"):
        return None
    path = uri.split(":///", 1)[1] if ":///" in uri else ""
    if not path or path.startswith(":memory:"):
        return None
    return Path(unquote(path.split("?", 1)[0]))


# MLflow's bare Databricks URIs (tracking, Unity Catalog registry): not folder names here.
_DATABRICKS_URIS = ("databricks", "databricks-uc", "uc")


_HUB_SERVICE_PREFIX = re.compile(r".*/services/[^/]+")


def server_base_url(uri: str) -> str:
    """A labtrack server's base URL (ending in ``/``) from the URL a user gives: the Jupyter
    base URL, or the MLflow URL MLflow clients use (``.../labtrack/mlflow``).

    >>> server_base_url("http://127.0.0.1:8888/labtrack/mlflow")
    'http://127.0.0.1:8888/'
    >>> server_base_url("https://hub.example/user/ann")
    'https://hub.example/user/ann/'

    A JupyterHub service's prefix is a base URL even when the service is named ``labtrack``:

    >>> server_base_url("https://hub.example/services/labtrack/")
    'https://hub.example/services/labtrack/'
    >>> server_base_url("https://hub.example/services/labtrack/labtrack/mlflow")
    'https://hub.example/services/labtrack/'
    """
    parts = urlparse(uri)
    if not parts.hostname:
        raise InvalidParameterError(f"Invalid server URL {uri!r}: it names no host.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidParameterError(
            f"Invalid server URL {uri!r}: give scheme, host, port and path only; the token goes "
            "in LABTRACK_TRACKING_TOKEN."
        )
    path = parts.path.rstrip("/")
    for suffix in ("/labtrack/mlflow", "/labtrack/api", "/labtrack"):
        if path.endswith(suffix) and not _HUB_SERVICE_PREFIX.fullmatch(path):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme.lower()}://{parts.netloc}{path}/"


def is_server_uri(uri: str) -> bool:
    """Whether a resolved tracking URI names a labtrack server (the REST store)."""
    return uri.startswith(("http://", "https://"))


def resolve(tracking_uri: str | None = None, artifact_root: str | None = None) -> StoreLocation:
    """Resolve the store location from arguments, then the environment, then the default.

    >>> resolve("/tmp/lt").tracking_uri
    'sqlite:////tmp/lt/labtrack.db'
    """

    uri = tracking_uri or env_value("TRACKING_URI")
    root = artifact_root or os.environ.get("LABTRACK_ARTIFACT_ROOT") or None
    if uri is None:
        location = _home_location(default_home())
    elif is_memory_uri(uri):
        location = StoreLocation("sqlite:///:memory:", _memory_artifact_root())
    elif _is_db_uri(uri):
        if uri.startswith("postgres://"):
            uri = "postgresql+psycopg://" + uri[len("postgres://") :]
        elif uri.startswith("postgresql://"):
            uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
        db_path = _sqlite_path(uri)
        if db_path is not None:
            # A relative file ("sqlite:///mlflow.db") is pinned to an absolute path now, so
            # the artifact URIs stored in runs never depend on the working folder.
            db_path = db_path.expanduser().resolve()
            query = uri.split("?", 1)[1] if "?" in uri.split(":///", 1)[1] else ""
            uri = f"sqlite:///{db_path}" + (f"?{query}" if query else "")
            default_root = str(db_path.parent / ARTIFACTS_DIRNAME)
        else:
            default_root = str(default_home() / ARTIFACTS_DIRNAME)
        location = StoreLocation(uri, default_root)
    elif uri.startswith("file:"):
        location = _home_location(Path(unquote(urlparse(uri).path)))
    elif uri.lower().startswith(("http://", "https://")):
        # A labtrack server: it decides where artifacts go (its artifact proxy), so a local
        # artifact root does not apply.
        base = server_base_url(uri)
        return StoreLocation(base, base + SERVER_ARTIFACT_PROXY)
    elif "://" in uri or uri in _DATABRICKS_URIS:
        # MLflow reads a bare "databricks" as a workspace, not a folder: so does labtrack,
        # rather than quietly start a store in ./databricks.
        raise InvalidParameterError(
            f"Unsupported tracking URI {uri!r}. Use a folder path (a labtrack home), "
            "'sqlite:///path/to/file.db', 'postgresql+psycopg://user:pass@host/db' or a "
            "labtrack server's URL ('http://host:8888/')."
        )
    else:
        location = _home_location(Path(uri))
    if root:
        location = StoreLocation(location.tracking_uri, root)
    return location
