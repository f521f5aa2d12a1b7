"""The artifact repository of one run: log, list, download, open and delete its files.

Behaviour follows MLflow's artifact repositories, so ``mlflow.log_artifact`` and
``MlflowClient.list_artifacts`` / ``download_artifacts`` work the same. Every path a caller gives
passes :func:`~labtrack.store.artifacts.paths.safe_artifact_path`; paths read back from storage are
checked again before they are used on this machine (an object store may hold keys such as
``a/../../x`` written by someone else).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from typing import IO, Any

from labtrack.entities import FileInfo
from labtrack.errors import (
    InvalidParameterError,
    LabtrackError,
    ResourceNotFoundError,
    StoreError,
)
from labtrack.store.artifacts._backends import Backend, Entry, FsspecBackend, LocalBackend, Progress
from labtrack.store.artifacts.filesystems import get_filesystem, parse_root
from labtrack.store.artifacts.paths import safe_artifact_path

__all__ = [
    "MODEL_MARKER",
    "PROGRESS_MIN_BYTES",
    "PROGRESS_MIN_FILES",
    "ArtifactRepository",
    "FileInfo",
]

PROGRESS_MIN_FILES = 20
PROGRESS_MIN_BYTES = 64 * 1024 * 1024
_READ_MODES = ("rb", "r")
_NOT_FOUND_SHOWN = 20
# The file that makes a folder a model (MLflow's name); written last by log_artifacts.
MODEL_MARKER = "MLmodel"


def _progress_enabled(n_files: int, n_bytes: int, stream: Any = None) -> bool:
    """A bar is worth showing for many or large files, on a terminal only."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if not callable(isatty) or not isatty():
        return False
    return n_files >= PROGRESS_MIN_FILES or n_bytes >= PROGRESS_MIN_BYTES


@contextlib.contextmanager
def _progress(desc: str, n_files: int, n_bytes: int) -> Iterator[Progress | None]:
    if not _progress_enabled(n_files, n_bytes):
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=n_files, desc=desc, unit="file", leave=False) as bar:
        yield bar.update


def _storage_error(exc: BaseException, action: str, where: str) -> StoreError:
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full (or over quota); free some space and retry"
    elif code == errno.EROFS:
        why = "the file system is read-only; point the artifact root somewhere writable"
    elif code in (errno.EACCES, errno.EPERM) or isinstance(exc, PermissionError):
        why = "permission denied; check the credentials or folder permissions"
    elif code == errno.EFBIG:
        why = "the file is larger than the file system allows"
    else:
        why = str(exc) or type(exc).__name__
    return StoreError(f"Could not {action} {where}: {why}.")


def _is_client_library_error(exc: BaseException) -> bool:
    """botocore/aiobotocore errors that are not OSErrors (unreachable endpoint, bad config)."""
    return any(
        cls.__module__.split(".")[0] in ("botocore", "aiobotocore") for cls in type(exc).__mro__
    )


class ArtifactRepository:
    """The artifacts of one run, under ``root_uri`` (a folder, ``file:`` URL or fsspec URL).

    >>> import tempfile
    >>> repo = ArtifactRepository(tempfile.mkdtemp() + "/0/run1/artifacts")
    >>> repo.write_text("notes/summary.txt", "accuracy 0.93")
    >>> [f.path for f in repo.list_artifacts()]
    ['notes']
    >>> repo.list_artifacts("notes")
    [FileInfo(path='notes/summary.txt', is_dir=False, file_size=13)]
    >>> with repo.open("notes/summary.txt") as f:
    ...     f.read()
    b'accuracy 0.93'

    Errors: a path that could leave the root raises ``InvalidParameterError``; reading a missing
    artifact raises ``ResourceNotFoundError``; a full, read-only or unreachable store raises
    ``StoreError``.
    """

    def __init__(self, root_uri: str | os.PathLike[str]) -> None:
        self._location = parse_root(root_uri)
        self.root_uri = self._location.uri
        self._backend_instance: Backend | None = None

    def __repr__(self) -> str:
        return f"ArtifactRepository({self.root_uri!r})"

    @property
    def artifact_uri(self) -> str:
        """MLflow's name for :attr:`root_uri`."""
        return self.root_uri

    @property
    def _backend(self) -> Backend:
        # Created on first use: constructing a repository never touches the network.
        if self._backend_instance is None:
            loc = self._location
            if loc.is_local:
                self._backend_instance = LocalBackend(loc.path)
            elif loc.protocol in ("http", "https"):
                # lazy: only a REST store's artifacts need the HTTP client
                from labtrack.store.rest.artifacts import ProxyBackend

                self._backend_instance = ProxyBackend(loc.uri)
            else:
                self._backend_instance = FsspecBackend(get_filesystem(loc.protocol), loc.path)
        return self._backend_instance

    # -- errors ---------------------------------------------------------------------------

    def _where(self, rel: str) -> str:
        return f"artifact {rel!r} of {self.root_uri}" if rel else f"artifact root {self.root_uri}"

    def _write_not_found(self, rel: str, exc: FileNotFoundError) -> StoreError:
        """A write that found something missing: the bucket, or (on an object store whose
        bucket is there) the multipart upload itself, aborted or expired mid-way."""
        backend = self._backend
        if isinstance(backend, FsspecBackend):
            bucket = backend.root.split("/", 1)[0]
            try:
                bucket_there = bool(backend.fs.exists(bucket))
            except Exception:  # the check is advice only; the write's error is what counts
                bucket_there = False
            if bucket_there:
                return StoreError(
                    f"Could not write {self._where(rel)}: the object store no longer knows "
                    f"the upload ({exc}); a multipart upload that was aborted or expired "
                    "mid-way does this. Retry the write."
                )
        return StoreError(
            f"Could not write {self._where(rel)}: the bucket or folder holding the "
            f"artifact root does not exist ({exc})."
        )

    @contextlib.contextmanager
    def _errors(self, action: str, rel: str) -> Iterator[None]:
        try:
            yield
        except LabtrackError:
            raise
        except FileNotFoundError as exc:
            if action == "write":
                raise self._write_not_found(rel, exc) from exc
            raise self._not_found(rel) from None
        except (IsADirectoryError, NotADirectoryError, FileExistsError) as exc:
            raise InvalidParameterError(
                f"Could not {action} {self._where(rel)}: a file and a folder have the same "
                f"name ({exc})."
            ) from None
        except OSError as exc:
            raise _storage_error(exc, action, self._where(rel)) from exc
        except Exception as exc:
            if _is_client_library_error(exc):
                raise _storage_error(exc, action, self._where(rel)) from exc
            raise

    def _not_found(self, rel: str) -> ResourceNotFoundError:
        """Name the missing path and show what exists at its nearest existing parent."""
        parts = rel.split("/") if rel else []
        parent = "/".join(parts[:-1])
        try:
            while parent and self._backend.kind(parent) != "dir":
                parent = "/".join(parent.split("/")[:-1])
            listing = self._safe(self._backend.list_dir(parent))
        except Exception:  # only decorates the message; the caller's error still stands
            listing = []
        names = sorted(e.path.rsplit("/", 1)[-1] + ("/" if e.is_dir else "") for e in listing)
        shown = ", ".join(names[:_NOT_FOUND_SHOWN]) + (
            ", ..." if len(names) > _NOT_FOUND_SHOWN else ""
        )
        place = f"folder {parent!r}" if parent else "the artifact root"
        existing = f"{place} contains: {shown}" if names else f"{place} is empty"
        return ResourceNotFoundError(f"No artifact {rel!r} in {self.root_uri}; {existing}.")

    def _safe(self, entries: list[Entry]) -> list[Entry]:
        """Drop stored names that are not safe paths, with a warning naming them."""
        kept, dropped = [], []
        for entry in entries:
            try:
                safe_artifact_path(entry.path)
            except InvalidParameterError:
                dropped.append(entry.path)
            else:
                kept.append(entry)
        if dropped:
            warnings.warn(
                f"Ignored {len(dropped)} stored artifact name(s) that are not safe paths: "
                + ", ".join(repr(p) for p in dropped[:5]),
                stacklevel=3,
            )
        return kept

    # -- writing --------------------------------------------------------------------------

    def log_artifact(
        self, local_file: str | os.PathLike[str], artifact_path: str | None = None
    ) -> None:
        """Copy a local file to ``<artifact_path>/<its name>``.

        >>> repo.log_artifact("model.pkl", "models")  # doctest: +SKIP
        """
        local = os.fspath(local_file)
        if os.path.isdir(local):
            raise InvalidParameterError(
                f"{local!r} is a folder: use log_artifacts() to log a folder's contents."
            )
        if not os.path.isfile(local):
            raise InvalidParameterError(f"Cannot log {local!r}: no such file.")
        base = safe_artifact_path(artifact_path)
        rel = safe_artifact_path(
            f"{base}/{os.path.basename(local)}" if base else os.path.basename(local)
        )
        with self._errors("write", rel):
            self._backend.put_files([(local, rel)], None)

    def log_artifacts(
        self, local_dir: str | os.PathLike[str], artifact_path: str | None = None
    ) -> None:
        """Copy the files under a local folder (recursively) to ``artifact_path``.

        The folder's contents go under ``artifact_path``, not the folder itself; empty folders
        are not kept (object stores have none). A progress bar appears on a terminal when
        there are many or large files.

        >>> repo.log_artifacts("outputs/", artifact_path="outputs")  # doctest: +SKIP
        """
        local_dir = os.fspath(local_dir)
        if not os.path.isdir(local_dir):
            raise InvalidParameterError(f"Cannot log {local_dir!r}: no such folder.")
        base = safe_artifact_path(artifact_path)
        pairs: list[tuple[str, str]] = []
        refused: list[str] = []
        total = 0
        for dirpath, dirnames, filenames in os.walk(local_dir):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                if not os.path.isfile(full):
                    continue  # dangling link, FIFO, socket
                sub = os.path.relpath(full, local_dir).replace(os.sep, "/")
                try:
                    rel = safe_artifact_path(f"{base}/{sub}" if base else sub)
                except InvalidParameterError:
                    refused.append(sub)
                    continue
                pairs.append((full, rel))
                total += os.path.getsize(full)
        if refused:
            raise InvalidParameterError(
                "Nothing was logged: these file names cannot be artifact paths (rename them): "
                + ", ".join(repr(p) for p in refused[:10])
            )
        # A model folder is valid once its MLmodel is there: write every MLmodel after all the
        # other files (a second transfer, since object stores upload a list concurrently), so
        # a process killed mid-way leaves a folder that is not a model, never half of one.
        markers = [pair for pair in pairs if pair[1].rsplit("/", 1)[-1] == MODEL_MARKER]
        rest = [pair for pair in pairs if pair[1].rsplit("/", 1)[-1] != MODEL_MARKER]
        with self._errors("write", base), _progress("Logging artifacts", len(pairs), total) as bar:
            self._backend.put_files(rest, bar)
            self._backend.put_files(markers, bar)

    def write_bytes(self, artifact_file: str, data: bytes) -> None:
        """Write ``data`` to ``artifact_file`` (replacing it), as ``log_text``/``log_dict`` do.

        >>> repo.write_bytes("data/blob.bin", b"\\x00\\x01")  # doctest: +SKIP
        """
        rel = safe_artifact_path(artifact_file)
        if not rel:
            raise InvalidParameterError("An artifact file name is required, e.g. 'notes.txt'.")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidParameterError(
                f"write_bytes() needs bytes, got {type(data).__name__}; use write_text() for str."
            )
        with self._errors("write", rel):
            self._backend.write_bytes(rel, bytes(data))

    def write_text(self, artifact_file: str, text: str, encoding: str = "utf-8") -> None:
        """Write ``text`` to ``artifact_file`` (UTF-8 by default).

        >>> repo.write_text("params.json", '{"lr": 0.1}')  # doctest: +SKIP
        """
        if not isinstance(text, str):
            raise InvalidParameterError(f"write_text() needs str, got {type(text).__name__}.")
        self.write_bytes(artifact_file, text.encode(encoding))

    # -- reading --------------------------------------------------------------------------

    def list_artifacts(self, path: str | None = None) -> list[FileInfo]:
        """The folders and files directly under ``path`` (the root by default), sorted.

        Like MLflow, a path that is a file or does not exist gives ``[]``.
        """
        rel = safe_artifact_path(path)
        with self._errors("list", rel):
            if self._backend.kind(rel) != "dir":
                return []
            entries = self._safe(self._backend.list_dir(rel))
        return sorted(
            (FileInfo(e.path, e.is_dir, None if e.is_dir else e.size) for e in entries),
            key=lambda info: info.path,
        )

    def exists(self, path: str) -> bool:
        """Whether ``path`` (a file or folder; ``""`` is the root) exists."""
        rel = safe_artifact_path(path)
        with self._errors("check", rel):
            return self._backend.kind(rel) is not None

    def download_artifacts(self, artifact_path: str = "", dst_path: str | None = None) -> str:
        """Download a file or a whole folder; returns its local path.

        It lands at ``<dst_path>/<artifact_path>`` (a new temporary folder when ``dst_path``
        is ``None``), so ``download_artifacts("model")`` returns ``.../model``.

        >>> local = repo.download_artifacts("notes/summary.txt")  # doctest: +SKIP
        """
        rel = safe_artifact_path(artifact_path)
        with self._errors("download", rel):
            kind = self._backend.kind(rel)
            if kind is None and rel:
                raise self._not_found(rel)
            files = self._safe(self._backend.walk_files(rel)) if kind == "dir" else []
        # The destination is made only once the source is known to be there.
        if dst_path is None:
            dst = tempfile.mkdtemp(prefix="labtrack-artifacts-")
        else:
            dst = os.path.abspath(os.fspath(dst_path))
        target = os.path.join(dst, *rel.split("/")) if rel else dst
        with self._errors("download", rel):
            if kind == "file":
                self._backend.get_files([(rel, target)], None)
                return target
            # A folder, or a run without artifacts (an empty folder, as MLflow gives).
            os.makedirs(target, exist_ok=True)
            pairs = [(e.path, os.path.join(dst, *e.path.split("/"))) for e in files]
            total = sum(e.size or 0 for e in files)
            with _progress("Downloading artifacts", len(pairs), total) as bar:
                self._backend.get_files(pairs, bar)
        return target

    def open(self, artifact_file: str, mode: str = "rb") -> IO[Any]:
        """Open an artifact for streaming reads (``"rb"`` or ``"r"``); close it when done.

        >>> with repo.open("metrics.csv", "r") as f:  # doctest: +SKIP
        ...     header = f.readline()
        """
        if mode not in _READ_MODES:
            raise InvalidParameterError(
                f"open() reads artifacts (mode 'rb' or 'r'), got {mode!r}; "
                "use write_bytes(), write_text() or log_artifact() to write."
            )
        rel = safe_artifact_path(artifact_file)
        with self._errors("read", rel):
            if self._backend.kind(rel) == "dir":
                raise InvalidParameterError(
                    f"{self._where(rel)} is a folder: list_artifacts() or "
                    "download_artifacts() it instead."
                )
            return self._backend.open(rel, mode)

    # -- deleting -------------------------------------------------------------------------

    def delete_artifacts(self, path: str | None = None) -> None:
        """Delete a file or folder (everything when ``path`` is ``None``).

        Deleting what does not exist does nothing, as in MLflow.
        """
        rel = safe_artifact_path(path)
        with self._errors("delete", rel):
            self._backend.delete(rel)
