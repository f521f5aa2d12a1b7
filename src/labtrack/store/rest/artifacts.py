"""Artifacts behind a labtrack server's artifact proxy, as an artifact-repository backend.

A run of a REST store has an artifact URI such as
``http://host:8888/labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts/3/<run>/artifacts``;
:class:`~labtrack.store.artifacts.ArtifactRepository` reads and writes it through
:class:`ProxyBackend`, which speaks MLflow's artifact-proxy protocol (list with ``?path=``,
``GET`` / ``PUT`` / ``DELETE`` per file) with the token of the store that handed out the URI.
The server checks every path again; files are streamed, never held whole in memory.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from typing import IO, Any
from urllib.parse import quote, urlencode

from labtrack.errors import InvalidParameterError
from labtrack.store.artifacts._backends import Entry, Kind, Progress
from labtrack.store.rest.transport import Response, transport_for

__all__ = ["ProxyBackend", "is_proxy_url"]

PROXY_PATH = "labtrack/mlflow/api/2.0/mlflow-artifacts/artifacts"
_SPOOL_BYTES = 16 * 1024 * 1024
_COPY = 1024 * 1024


def is_proxy_url(uri: str) -> bool:
    return uri.startswith(("http://", "https://")) and f"/{PROXY_PATH}" in uri


class ProxyBackend:
    """The files under one proxy URL (a run's artifact root, a model version's folder)."""

    def __init__(self, root_url: str) -> None:
        base, marker, prefix = root_url.partition(PROXY_PATH)
        if not marker:
            raise InvalidParameterError(
                f"{root_url!r} is not a labtrack artifact-proxy URL (.../{PROXY_PATH}/...)."
            )
        self.transport = transport_for(base)
        self.prefix = prefix.strip("/")

    def _full(self, rel: str) -> str:
        return "/".join(part for part in (self.prefix, rel) if part)

    def _file_url(self, rel: str) -> str:
        return f"{PROXY_PATH}/{quote(self._full(rel), safe='/')}"

    def _check(self, answer: Response, rel: str) -> Response:
        if answer.status == 200:
            return answer
        body = answer.stream.read() if answer.stream is not None else answer.body
        try:
            import json

            message = str(json.loads(body).get("message", ""))
        except (ValueError, AttributeError):
            message = body[:300].decode("utf-8", "replace")
        if answer.status == 404:
            raise FileNotFoundError(rel)
        if answer.status == 400:
            raise InvalidParameterError(message or f"The server refused artifact path {rel!r}.")
        raise OSError(f"the artifact proxy answered {answer.status}: {message}")

    # -- the Backend primitives --------------------------------------------------------------
    def list_dir(self, rel: str) -> list[Entry]:
        query = urlencode({"path": self._full(rel)})
        answer = self._check(self.transport.request("GET", f"{PROXY_PATH}?{query}"), rel)
        out = []
        for item in answer.json().get("files", []):
            name = str(item["path"]).rsplit("/", 1)[-1]
            path = f"{rel}/{name}" if rel else name
            is_dir = bool(item.get("is_dir"))
            out.append(Entry(path, is_dir, None if is_dir else int(item.get("file_size", 0))))
        return out

    def kind(self, rel: str) -> Kind | None:
        if not rel:
            return "dir"
        parent, _, name = rel.rpartition("/")
        for entry in self.list_dir(parent):
            if entry.path.rsplit("/", 1)[-1] == name:
                return "dir" if entry.is_dir else "file"
        return None

    def walk_files(self, rel: str) -> list[Entry]:
        out: list[Entry] = []
        folders = [rel]
        while folders:
            for entry in self.list_dir(folders.pop()):
                if entry.is_dir:
                    folders.append(entry.path)
                else:
                    out.append(entry)
        return sorted(out, key=lambda e: e.path)

    def put_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        for local, rel in pairs:
            with open(local, "rb") as body:
                size = os.fstat(body.fileno()).st_size
                headers = {
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(size),
                }
                self._check(self.transport.request("PUT", self._file_url(rel), body, headers), rel)
            if progress is not None:
                progress(1)

    def write_bytes(self, rel: str, data: bytes) -> None:
        headers = {"Content-Type": "application/octet-stream"}
        self._check(self.transport.request("PUT", self._file_url(rel), data, headers), rel)

    def _download(self, rel: str, out: IO[bytes]) -> None:
        answer = self._check(self.transport.request("GET", self._file_url(rel), stream=True), rel)
        assert answer.stream is not None
        try:
            shutil.copyfileobj(answer.stream, out, _COPY)
        finally:
            answer.stream.close()

    def get_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        for rel, local in pairs:
            os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
            fd, partial = tempfile.mkstemp(
                prefix=".labtrack-", suffix=".tmp", dir=os.path.dirname(local) or "."
            )
            try:
                with os.fdopen(fd, "wb") as out:
                    self._download(rel, out)
                os.replace(partial, local)
            finally:
                if os.path.exists(partial):
                    os.remove(partial)
            if progress is not None:
                progress(1)

    def open(self, rel: str, mode: str) -> IO[Any]:
        # Small files stay in memory, large ones go to a temporary file: never held whole.
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        try:
            self._download(rel, spool)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        if mode == "r":
            return io.TextIOWrapper(spool, encoding="utf-8")
        return spool

    def delete(self, rel: str) -> None:
        if not self._full(rel):
            raise InvalidParameterError("Refusing to delete the server's whole artifact store.")
        self._check(self.transport.request("DELETE", self._file_url(rel)), rel)
