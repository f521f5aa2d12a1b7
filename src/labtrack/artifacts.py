"""Read artifacts back: download, list, and load them as text, dicts or images.

MLflow's ``mlflow.artifacts`` module, with the same functions and arguments:

>>> import labtrack as mlflow
>>> with mlflow.start_run() as run:                                   # doctest: +SKIP
...     mlflow.log_dict({"n_cores": "10"}, "config.json")
>>> mlflow.artifacts.load_dict(run.info.artifact_uri + "/config.json")  # doctest: +SKIP
{'n_cores': '10'}

An artifact URI is ``runs:/<run_id>/<path>``, ``models:/<name>/<version>`` (or ``@alias``,
``/<stage>``, ``/latest``), or a storage location: a run's ``artifact_uri`` plus a path, a local
folder, an fsspec URL (``s3://bucket/key``). Where files are stored is the store's business
(:mod:`labtrack.store.artifacts`); this module only reads.
"""

from __future__ import annotations

import json
import os
import pathlib
import posixpath
import tempfile
from typing import Any
from urllib.parse import urlparse

from labtrack.entities import FileInfo
from labtrack.errors import InvalidParameterError, LabtrackError
from labtrack.registry.uri import parse_runs_uri
from labtrack.store.artifacts import ArtifactRepository
from labtrack.tracking import _state
from labtrack.tracking.client import TrackingClient

__all__ = ["download_artifacts", "list_artifacts", "load_dict", "load_image", "load_text"]


def _client(tracking_uri: str | None) -> TrackingClient:
    return TrackingClient(tracking_uri) if tracking_uri else _state.client()


def _check(artifact_uri: str | None, run_id: str | None, artifact_path: str | None) -> None:
    if (run_id is None) == (artifact_uri is None):
        raise InvalidParameterError(
            "Exactly one of `run_id` or `artifact_uri` must be specified: "
            "download_artifacts(run_id=..., artifact_path=...) or "
            "download_artifacts(artifact_uri='runs:/<run_id>/<path>')."
        )
    if artifact_uri is not None and artifact_path is not None:
        raise InvalidParameterError(
            "`artifact_path` cannot be specified if `artifact_uri` is specified: put the path "
            "at the end of the URI (runs:/<run_id>/<path>)."
        )


def _split(uri: str) -> tuple[str, str]:
    """A storage URI as (root, last path component): MLflow reads the parent's listing."""
    parsed = urlparse(uri)
    if len(parsed.scheme) > 1 and parsed.path.strip("/"):
        path = parsed.path.rstrip("/")
        root = parsed._replace(path=posixpath.dirname(path)).geturl()
        return root, posixpath.basename(path)
    local = os.path.normpath(uri)
    return os.path.dirname(local) or ".", os.path.basename(local)


def download_artifacts(
    artifact_uri: str | None = None,
    run_id: str | None = None,
    artifact_path: str | None = None,
    dst_path: str | None = None,
    tracking_uri: str | None = None,
) -> str:
    """Download an artifact file or folder; returns its local path.

    Give ``run_id`` (and optionally ``artifact_path``, relative to the run's artifact root) or
    ``artifact_uri``. ``dst_path`` is created if it does not exist; without it the files go to a
    new temporary folder.

    >>> download_artifacts(run_id=rid, artifact_path="greetings", dst_path="out")  # doctest: +SKIP
    '/home/me/out/greetings'
    """
    _check(artifact_uri, run_id, artifact_path)
    if dst_path is not None:
        pathlib.Path(dst_path).mkdir(exist_ok=True, parents=True)
        dst_path = os.path.abspath(dst_path)
    else:
        dst_path = tempfile.mkdtemp(prefix="labtrack-artifacts-")
    client = _client(tracking_uri)
    if run_id is not None:
        return client.download_artifacts(run_id, artifact_path or "", dst_path)
    assert artifact_uri is not None
    scheme = urlparse(artifact_uri).scheme.lower()
    if scheme == "runs":
        rid, path = parse_runs_uri(artifact_uri)
        return client.download_artifacts(rid, path, dst_path)
    if scheme == "models":
        return client.download_model_version(artifact_uri, dst_path)
    root, name = _split(artifact_uri)
    return ArtifactRepository(root).download_artifacts(name, dst_path)


def list_artifacts(
    artifact_uri: str | None = None,
    run_id: str | None = None,
    artifact_path: str | None = None,
    tracking_uri: str | None = None,
) -> list[FileInfo]:
    """The files and folders directly under a run's artifact path (or an artifact URI).

    Paths in the answer are relative to the run's artifact root for ``run_id`` and ``runs:/``
    URIs (``dir/b.txt``), and to the URI itself otherwise.
    """
    _check(artifact_uri, run_id, artifact_path)
    client = _client(tracking_uri)
    if run_id is not None:
        return client.list_artifacts(run_id, artifact_path)
    assert artifact_uri is not None
    scheme = urlparse(artifact_uri).scheme.lower()
    if scheme == "runs":
        rid, path = parse_runs_uri(artifact_uri)
        return client.list_artifacts(rid, path or None)
    if scheme == "models":
        with tempfile.TemporaryDirectory(prefix="labtrack-model-") as tmp:
            return ArtifactRepository(
                client.download_model_version(artifact_uri, tmp)
            ).list_artifacts()
    return ArtifactRepository(artifact_uri).list_artifacts()


def _local_file(artifact_uri: str, tmp: str) -> str:
    local = download_artifacts(artifact_uri, dst_path=tmp)
    if os.path.isdir(local):
        raise InvalidParameterError(
            f"Artifact {artifact_uri!r} is a folder; give the URI of one file in it."
        )
    return local


def _read_text(artifact_uri: str, tmp: str) -> str:
    with open(_local_file(artifact_uri, tmp), encoding="utf-8") as f:
        try:
            return f.read()
        except UnicodeDecodeError as exc:
            raise LabtrackError(
                f"Artifact {artifact_uri!r} is not valid UTF-8. To read a file in another "
                "encoding, download it with download_artifacts and open it with its encoding.",
                "BAD_REQUEST",
            ) from exc


def load_text(artifact_uri: str) -> str:
    """The artifact's contents as a string (UTF-8)."""
    with tempfile.TemporaryDirectory(prefix="labtrack-artifacts-") as tmp:
        return _read_text(artifact_uri, tmp)


def load_dict(artifact_uri: str) -> dict[str, Any]:
    """The artifact's contents parsed as JSON (what ``log_dict`` wrote as ``.json``)."""
    with tempfile.TemporaryDirectory(prefix="labtrack-artifacts-") as tmp:
        text = _read_text(artifact_uri, tmp)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LabtrackError(
            f"Artifact {artifact_uri!r} is not JSON ({exc}); read it with load_text.",
            "BAD_REQUEST",
        ) from exc
    return value  # type: ignore[no-any-return]


def load_image(artifact_uri: str) -> Any:
    """The artifact as a ``PIL.Image.Image`` (needs Pillow)."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="labtrack-artifacts-") as tmp:
        try:
            with Image.open(_local_file(artifact_uri, tmp)) as image:
                image.load()  # read now: the file goes with the temporary folder
                return image.copy()
        except OSError as exc:
            raise LabtrackError(
                f"Artifact {artifact_uri!r} is not an image Pillow can read ({exc}).",
                "BAD_REQUEST",
            ) from exc
