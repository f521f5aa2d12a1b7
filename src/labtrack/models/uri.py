"""Model URIs: ``runs:/<run_id>/<path>``, ``models:/...``, local folders, fsspec URLs.

>>> download_model("runs:/0123456789abcdef0123456789abcdef/model")  # doctest: +SKIP
'/home/me/.labtrack/0/0123456789abcdef0123456789abcdef/artifacts/model'

A model in a store on this machine is read in place (loading never changes it); one in a
remote store is downloaded into a temporary folder that is removed at interpreter exit.

``models:/<name>/<version>``, ``models:/<name>/<stage>``, ``models:/<name>/latest`` and
``models:/<name>@<alias>`` are resolved by the model registry of the current store
(:meth:`~labtrack.registry.client.RegistryClientMixin.download_model_version`); a version stored
in a local folder is read in place unless ``dst_path`` asks for a copy. ``register_scheme``
lets another scheme plug in its own resolver.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.registry.uri import parse_runs_uri
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts.filesystems import parse_root
from labtrack.store.artifacts.paths import resolve_local, safe_artifact_path
from labtrack.tracking import _state

__all__ = ["download_model", "parse_runs_uri", "register_scheme"]

# scheme -> resolver(uri, dst_path) returning a local folder.
Resolver = Callable[[str, "str | None"], str]
_resolvers: dict[str, Resolver] = {}


def register_scheme(scheme: str, resolver: Resolver) -> None:
    """Make ``<scheme>:/...`` model URIs resolve through ``resolver(uri, dst_path)``."""
    _resolvers[scheme.lower()] = resolver


def _fresh_dir(dst_path: str | None) -> str:
    if dst_path is None:
        return _temporary_dir()
    os.makedirs(dst_path, exist_ok=True)
    return dst_path


_temporary: list[str] = []


def _temporary_dir() -> str:
    """A folder for a downloaded model, removed at interpreter exit (a process that loads
    models from a remote store in a loop would otherwise fill the disk, a copy per load)."""
    if not _temporary:
        import atexit

        atexit.register(_remove_temporary)
    folder = tempfile.mkdtemp(prefix="labtrack-model-")
    _temporary.append(folder)
    return folder


def _remove_temporary() -> None:
    import shutil

    for folder in _temporary:
        shutil.rmtree(folder, ignore_errors=True)


def _run_model_in_place(run_id: str, path: str) -> str | None:
    """The local folder of a run's model when the store keeps it on this machine (loading
    reads it there, no copy), else ``None``."""
    client = _state.client()
    root = parse_root(client.get_run(run_id).info.artifact_uri)
    rel = safe_artifact_path(path)
    if root.is_local and rel and ArtifactRepository(root.uri).list_artifacts(rel):
        return resolve_local(root.path, rel)
    if root.is_local and rel and ArtifactRepository(root.uri).exists(rel):
        return None  # a file, not a model folder: download_artifacts says what it is
    model = client.logged_model_of_run(run_id, rel) if rel else None
    if model is not None:
        location = parse_root(model.artifact_location)
        if location.is_local and os.path.isdir(location.path):
            return location.path
    return None


def download_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> str:
    """The local folder holding the model ``model_uri`` names (downloaded if remote)."""
    uri = os.fspath(model_uri)
    if not isinstance(uri, str) or not uri:
        raise InvalidParameterError("model_uri must be a non-empty string or path.")
    scheme = urlparse(uri).scheme.lower()
    if scheme == "runs":
        run_id, path = parse_runs_uri(uri)
        if dst_path is None:
            in_place = _run_model_in_place(run_id, path)
            if in_place is not None:
                return in_place
        return _state.client().download_artifacts(run_id, path, _fresh_dir(dst_path))
    if scheme in _resolvers:
        return _resolvers[scheme](uri, dst_path)
    if scheme == "models":
        return _state.client().download_model_version(uri, dst_path)
    if scheme == "file":
        return _local(unquote(urlparse(uri).path), uri)
    if len(scheme) > 1:  # an fsspec URL (s3://...); one letter is a Windows drive
        return ArtifactRepository(uri).download_artifacts("", _fresh_dir(dst_path))
    return _local(uri, uri)


def _local(path: str, uri: str) -> str:
    p = Path(path).expanduser()
    if not p.exists():
        raise ResourceNotFoundError(
            f"No model at {uri!r}. Give the folder save_model wrote, or a URI such as "
            "runs:/<run_id>/model."
        )
    return str(p.resolve())
