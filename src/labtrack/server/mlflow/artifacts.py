"""MLflow's artifact proxy (``api/2.0/mlflow-artifacts/``) and the tracking-side listing.

Clients read and write artifacts through the server: a run's ``artifact_uri`` is
``mlflow-artifacts:/<experiment>/<run>/artifacts``, which the client turns into
``.../api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<file>``. Every path is
relative to the server's artifact root and passes the same gate as every artifact path
(:func:`~labtrack.store.artifacts.paths.safe_artifact_path`: no ``..``, absolute paths, URL
schemes, encoded tricks; local roots also refuse symlinks that lead out), so a client reaches
nothing outside the root.

Uploads are streamed to a temporary file before they are stored, so a large file never sits in
memory, and authentication is checked before the first byte of the body is read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.server.mlflow import messages
from labtrack.server.mlflow.base import GetRpc, MlflowHandler
from labtrack.server.mlflow.fields import Fields
from labtrack.server.run_details import attachment, content_type
from labtrack.store.artifacts import ArtifactRepository

__all__ = [
    "ArtifactHandler",
    "ArtifactListHandler",
    "StreamedBody",
    "RunArtifactListHandler",
    "ServerInfoHandler",
]

# A body larger than Jupyter's default (512 MB) is fine for a model file; this bounds a runaway.
MAX_UPLOAD_BYTES = 100 * 1024**3
_UNSAFE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml")


class ProxyHandler(MlflowHandler):
    """Artifacts under the server's artifact root, by proxy path."""

    @property
    def repo(self) -> ArtifactRepository:
        return ArtifactRepository(self.labtrack.location().artifact_root)

    async def allowed(self, rel: str, needed: str) -> None:
        """Team mode: ``needed`` on the experiment whose folder ``rel`` is in (experiments
        keep their files under ``<artifact root>/<experiment id>/``); only admins reach
        anything else."""
        guard = self.guard
        if guard is None:
            return
        await self.call(guard.require_artifact_path, rel, needed)


class ArtifactListHandler(GetRpc, ProxyHandler):
    """``GET mlflow-artifacts/artifacts?path=<folder>``: its entries by base name; a file or a
    folder that does not exist lists as ``{}``, as MLflow's server answers."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        rel = self.uris.relative(fields.string("path"))
        await self.allowed(rel, "READ")
        entries = await self.call(self.repo.list_artifacts, rel)
        files = []
        for entry in entries:
            item: dict[str, Any] = {"path": entry.path.rsplit("/", 1)[-1], "is_dir": entry.is_dir}
            if not entry.is_dir:
                item["file_size"] = entry.file_size
            files.append(item)
        return messages.compact({"files": files})


class StreamedBody(ProxyHandler):
    """A handler whose ``PUT`` body is streamed to a temporary file, up to ``MAX_UPLOAD_BYTES``
    (every labtrack handler streams its body: see :class:`~labtrack.server.base.LabtrackHandler`).
    Authentication and authorization are checked before the first byte is read; the file is
    removed when the request ends."""

    max_body_bytes = MAX_UPLOAD_BYTES
    _upload: Any = None
    _upload_dir: str | None = None

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self.request.method != "PUT":
            return
        user = self.current_user
        if not user:
            raise web.HTTPError(403, "Authentication is required to upload artifacts.")
        allowed = await ensure_async(
            self.authorizer.is_authorized(self, user, "write", self.auth_resource)
        )
        if not allowed:
            raise web.HTTPError(403, f"User is not authorized to write on {self.auth_resource}.")
        self._upload_dir = tempfile.mkdtemp(prefix="labtrack-upload-")
        self._upload = open(os.path.join(self._upload_dir, "body"), "wb")  # noqa: SIM115

    def data_received(self, chunk: bytes) -> None:
        if self.count_body(chunk) and self._upload is not None:
            self._upload.write(chunk)

    def on_finish(self) -> None:
        self._discard()

    def on_connection_close(self) -> None:
        self._discard()
        super().on_connection_close()

    def _discard(self) -> None:
        if self._upload is not None:
            self._upload.close()
            self._upload = None
        if self._upload_dir is not None:
            shutil.rmtree(self._upload_dir, ignore_errors=True)
            self._upload_dir = None

    def body_file(self, name: str) -> str:
        """The received body, closed and renamed ``name`` inside its temporary folder (a 413
        if it was over the limit)."""
        self.request_body()  # refuses a body over the limit (its chunks were dropped)
        assert self._upload is not None and self._upload_dir is not None
        self._upload.close()
        self._upload = None
        named = os.path.join(self._upload_dir, name)
        os.replace(os.path.join(self._upload_dir, "body"), named)
        return named


@web.stream_request_body
class ArtifactHandler(StreamedBody):
    """``mlflow-artifacts/artifacts/<path>``: ``GET`` downloads, ``PUT`` uploads (the raw bytes
    of one file), ``DELETE`` removes a file or folder."""

    @web.authenticated
    @authorized
    async def put(self, path: str) -> None:
        rel = self.uris.relative(path)
        if not rel:
            raise InvalidParameterError("Give the artifact's path after artifacts/.")
        await self.allowed(rel, "EDIT")
        # log_artifact names the file after the local file: give the body its final name.
        folder, _, name = rel.rpartition("/")
        await self.call(self.repo.log_artifact, self.body_file(name), folder or None)
        self.reply()

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        rel = self.uris.relative(path)
        if not rel:
            raise InvalidParameterError(
                "Artifact path refers to a directory, not a file: ''. List it with "
                "GET mlflow-artifacts/artifacts."
            )
        await self.allowed(rel, "READ")
        try:
            # A folder is refused by open() with a message that says to list it instead.
            handle = await self.call(self.repo.open, rel, "rb")
        except ResourceNotFoundError:
            raise ResourceNotFoundError(f"No such artifact: '{rel}'") from None
        kind_header = content_type(rel)
        if kind_header.split(";")[0] in _UNSAFE_TYPES:
            kind_header = "text/plain; charset=utf-8"
        self.set_header("Content-Type", kind_header)
        self.set_header("Content-Disposition", attachment(rel.rsplit("/", 1)[-1]))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        await self.send_file(handle, kind_header)

    @web.authenticated
    @authorized
    async def delete(self, path: str) -> None:
        rel = self.uris.relative(path)
        if not rel:
            raise InvalidParameterError("Refusing to delete the whole artifact store.")
        await self.allowed(rel, "EDIT")
        await self.call(self.repo.delete_artifacts, rel)
        self.reply()


class RunArtifactListHandler(GetRpc):
    """``GET artifacts/list?run_id=&path=``: a run's files, paths relative to the run (the
    tracking-side listing MLflow's UI uses)."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        run_id, path = fields.run_id(), fields.string("path")
        run = await self.call(self.client.get_run, run_id)
        files = await self.call(self.client.list_artifacts, run_id, path)
        root = self.uris.to_wire(run.info.artifact_uri)
        return messages.compact({"root_uri": root, "files": [f.to_dict() for f in files]})


class ServerInfoHandler(GetRpc):
    """``GET api/3.0/mlflow/server-info``: what MLflow 3 clients ask before downloads."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        return {
            "store_type": "SqlStore",
            "workspaces_enabled": False,
            "trace_archival_enabled": False,
            "multipart_uploads_enabled": True,
            "multipart_downloads_enabled": False,
        }
