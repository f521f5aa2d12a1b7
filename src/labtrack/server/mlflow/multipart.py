"""Multipart uploads through the artifact proxy (``mlflow-artifacts/mpu/...``).

MLflow's clients upload a file of 500 MiB or more in parts, several at a time, when the server
says it can (``server-info``): ``create`` answers an upload id and one URL per part, the client
``PUT``s each part to its URL with the headers it was given, then ``complete`` joins the parts
into the file (or ``abort`` drops them). labtrack's part URLs point back at this server
(``mpu/upload-part/<path>``, labtrack's own route), with the caller's own ``Authorization``
header to send, so the parts are authenticated like every other request.

Parts wait in a temporary folder of this server process until ``complete``; uploads left
unfinished for a day are dropped when the next one starts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.server.mlflow.artifacts import ProxyHandler, StreamedBody
from labtrack.server.mlflow.base import PostRpc
from labtrack.server.mlflow.fields import Fields, missing

__all__ = [
    "AbortMultipartHandler",
    "CompleteMultipartHandler",
    "CreateMultipartHandler",
    "UploadPartHandler",
]

MAX_PARTS = 10_000
STALE_SECONDS = 24 * 3600


@dataclass
class _Upload:
    path: str  # the artifact path the parts become
    num_parts: int
    folder: str
    created: float


class _Uploads:
    """Unfinished uploads of this process, by id."""

    def __init__(self) -> None:
        self._uploads: dict[str, _Upload] = {}
        self._lock = threading.Lock()

    def create(self, path: str, num_parts: int) -> str:
        self._drop_stale()
        upload_id = uuid.uuid4().hex
        folder = tempfile.mkdtemp(prefix="labtrack-mpu-")
        with self._lock:
            self._uploads[upload_id] = _Upload(path, num_parts, folder, time.time())
        return upload_id

    def get(self, upload_id: str | None, path: str) -> _Upload:
        with self._lock:
            upload = self._uploads.get(upload_id or "")
        if upload is None:
            raise ResourceNotFoundError(
                f"No multipart upload {upload_id!r} in progress: start one with mpu/create."
            )
        if upload.path != path:
            raise InvalidParameterError(
                f"Multipart upload {upload_id} is for {upload.path!r}, not {path!r}."
            )
        return upload

    def part_file(self, upload: _Upload, part_number: int) -> str:
        if not 1 <= part_number <= upload.num_parts:
            raise InvalidParameterError(
                f"part_number must be between 1 and {upload.num_parts}; got {part_number}."
            )
        return os.path.join(upload.folder, f"part-{part_number:05d}")

    def drop(self, upload_id: str) -> None:
        with self._lock:
            upload = self._uploads.pop(upload_id, None)
        if upload is not None:
            shutil.rmtree(upload.folder, ignore_errors=True)

    def _drop_stale(self) -> None:
        cutoff = time.time() - STALE_SECONDS
        with self._lock:
            stale = [key for key, up in self._uploads.items() if up.created < cutoff]
        for upload_id in stale:
            self.drop(upload_id)


uploads = _Uploads()


def _num_parts(fields: Fields) -> int:
    value = fields.int64("num_parts")
    if value is None:
        raise missing("num_parts")
    if not 1 <= value <= MAX_PARTS:
        raise InvalidParameterError(f"num_parts must be between 1 and {MAX_PARTS}; got {value}.")
    return value


class CreateMultipartHandler(PostRpc, ProxyHandler):
    """``POST mpu/create/<path>`` ``{"path", "num_parts"}``: an upload id and a URL per part."""

    async def answer(self, fields: Fields) -> dict[str, Any]:
        rel = self.uris.relative(self.path_kwargs["path"])
        await self.allowed(rel, "EDIT")
        if not rel:
            raise InvalidParameterError("Give the artifact's path after mpu/create/.")
        num_parts = _num_parts(fields)
        upload_id = uploads.create(rel, num_parts)
        base = (
            f"{self.request.protocol}://{self.request.host}{self.base_url}"
            f"labtrack/mlflow/api/2.0/mlflow-artifacts/mpu/upload-part/{quote(rel)}"
        )
        headers = {}
        auth = self.request.headers.get("Authorization")
        if auth:
            headers["Authorization"] = auth
        query: dict[str, str] = {"upload_id": upload_id}
        token = self.get_query_argument("token", None)
        if token and not auth:
            query["token"] = token
        credentials = [
            {
                "url": f"{base}?{urlencode({**query, 'part_number': n})}",
                "part_number": n,
                "headers": headers,
            }
            for n in range(1, num_parts + 1)
        ]
        return {"upload_id": upload_id, "credentials": credentials}


@web.stream_request_body
class UploadPartHandler(StreamedBody):
    """``PUT mpu/upload-part/<path>?upload_id=&part_number=``: one part (labtrack's route, the
    URL ``create`` hands out)."""

    @web.authenticated
    @authorized
    async def put(self, path: str) -> None:
        rel = self.uris.relative(path)
        await self.allowed(rel, "EDIT")
        upload = uploads.get(self.get_query_argument("upload_id", None), rel)
        raw = self.get_query_argument("part_number", "")
        if not raw.isascii() or not raw.isdigit():
            raise InvalidParameterError(f"part_number must be a positive integer; got {raw!r}.")
        target = uploads.part_file(upload, int(raw))
        shutil.move(self.body_file("part"), target)
        self.set_header("ETag", f'"{int(raw)}"')
        self.reply()


class CompleteMultipartHandler(PostRpc, ProxyHandler):
    """``POST mpu/complete/<path>`` ``{"path", "upload_id", "parts"}``: join the parts, in
    part order, into the file."""

    async def answer(self, fields: Fields) -> None:
        rel = self.uris.relative(self.path_kwargs["path"])
        await self.allowed(rel, "EDIT")
        upload_id = fields.required_string("upload_id")
        upload = uploads.get(upload_id, rel)
        numbers = sorted({part.required_int64("part_number") for part in fields.messages("parts")})
        if not numbers:
            raise missing("parts")
        files = [uploads.part_file(upload, n) for n in numbers]
        absent = [n for n, f in zip(numbers, files, strict=True) if not os.path.exists(f)]
        if absent:
            raise InvalidParameterError(
                f"Parts {absent[:10]} of upload {upload_id} were never uploaded."
            )
        folder, _, name = rel.rpartition("/")
        joined = os.path.join(upload.folder, name)
        await self.call(_join, files, joined)
        await self.call(self.repo.log_artifact, joined, folder or None)
        uploads.drop(upload_id)


class AbortMultipartHandler(PostRpc, ProxyHandler):
    """``POST mpu/abort/<path>`` ``{"path", "upload_id"}``: drop the parts."""

    async def answer(self, fields: Fields) -> None:
        rel = self.uris.relative(self.path_kwargs["path"])
        await self.allowed(rel, "EDIT")
        upload_id = fields.required_string("upload_id")
        uploads.get(upload_id, rel)
        uploads.drop(upload_id)


def _join(parts: list[str], target: str) -> None:
    with open(target, "wb") as out:
        for part in parts:
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1024 * 1024)
            os.remove(part)
