"""Storage backends under :class:`~labtrack.store.artifacts.ArtifactRepository`.

Two implementations of one small set of primitives, all taking paths relative to the root that
:func:`~labtrack.store.artifacts.paths.safe_artifact_path` has already accepted:

- :class:`LocalBackend` for folders on this machine (the default store). It uses ``os`` and
  ``shutil`` directly rather than fsspec's local filesystem because it must resolve symlinks at
  every step (fsspec follows them), refuse special files (a FIFO would hang a read), and write
  atomically (the sidebar reads artifacts while a kernel writes them). It never imports fsspec.
- :class:`FsspecBackend` for every other URL (``s3://``, ``gs://``, ``memory://`` ...).

Missing paths raise ``FileNotFoundError`` and storage failures raise ``OSError``; the repository
turns them into labtrack errors.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from labtrack.store.artifacts.paths import is_within, resolve_local

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = [
    "STALE_PARTIAL_S",
    "Backend",
    "Entry",
    "FsspecBackend",
    "Kind",
    "LocalBackend",
    "Progress",
    "sweep_partials",
]

Kind = Literal["file", "dir"]
Progress = Callable[[int], None]
"""Called with the number of files just transferred."""


class Entry(NamedTuple):
    path: str  # relative to the root, '/'-separated
    is_dir: bool
    size: int | None


class Backend(Protocol):
    def kind(self, rel: str) -> Kind | None: ...
    def list_dir(self, rel: str) -> list[Entry]: ...
    def walk_files(self, rel: str) -> list[Entry]: ...
    def put_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None: ...
    def write_bytes(self, rel: str, data: bytes) -> None: ...
    def get_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None: ...
    def open(self, rel: str, mode: str) -> IO[Any]: ...
    def delete(self, rel: str) -> None: ...


_TMP_PREFIX, _TMP_SUFFIX = ".labtrack-", ".tmp"


def _is_partial(name: str) -> bool:
    """A write in progress (see ``LocalBackend._atomic_write``): never listed or copied."""
    return name.startswith(_TMP_PREFIX) and name.endswith(_TMP_SUFFIX)


# A partial file untouched for this long belongs to a write that died (a killed process): a
# live write touches its file with every chunk. Swept on the next write into its folder.
STALE_PARTIAL_S = 3600.0
_swept: set[str] = set()  # folders swept by this process (each once: a sweep lists the folder)


def sweep_partials(folder: str) -> int:
    """Remove the stale partial files of dead writes in ``folder``; returns how many."""
    if folder in _swept:
        return 0
    if len(_swept) > 10_000:
        _swept.clear()
    _swept.add(folder)
    removed = 0
    cutoff = time.time() - STALE_PARTIAL_S
    try:
        with os.scandir(folder) as it:
            for item in it:
                if not _is_partial(item.name) or not item.is_file(follow_symlinks=False):
                    continue
                with contextlib.suppress(OSError):  # gone already, or not ours to remove
                    if item.stat(follow_symlinks=False).st_mtime < cutoff:
                        os.unlink(item.path)
                        removed += 1
    except OSError:
        pass  # an unreadable folder: the write that follows reports it
    return removed


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name


class LocalBackend:
    """Artifacts in a local folder; nothing is read, listed, written or deleted through a
    symlink that leaves it."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def _path(self, rel: str) -> str:
        return resolve_local(self.root, rel)

    def _inside(self, path: str) -> bool:
        return is_within(os.path.realpath(path), os.path.realpath(self.root))

    def kind(self, rel: str) -> Kind | None:
        path = self._path(rel)
        if os.path.isdir(path):
            return "dir"
        if os.path.isfile(path):
            return "file"
        return None

    def list_dir(self, rel: str) -> list[Entry]:
        path = self._path(rel)
        entries = []
        with os.scandir(path) as it:
            for item in it:
                if _is_partial(item.name):
                    continue
                if item.is_symlink() and not self._inside(item.path):
                    continue
                try:
                    if item.is_dir():
                        entries.append(Entry(_join(rel, item.name), True, None))
                    elif item.is_file():
                        size = item.stat().st_size
                        entries.append(Entry(_join(rel, item.name), False, size))
                except OSError:  # vanished or a dangling link
                    continue
        return entries

    def walk_files(self, rel: str) -> list[Entry]:
        top = self._path(rel)
        files = []
        # followlinks=False: a linked folder is never descended, so no loops and no escapes.
        for dirpath, _dirnames, filenames in os.walk(top, followlinks=False):
            for name in filenames:
                full = os.path.join(dirpath, name)
                if _is_partial(name):
                    continue
                if os.path.islink(full) and not self._inside(full):
                    continue
                try:
                    info = os.stat(full)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    sub = os.path.relpath(full, top).replace(os.sep, "/")
                    files.append(Entry(_join(rel, sub), False, info.st_size))
        return files

    def _atomic_write(self, rel: str, write: Callable[[str], object]) -> None:
        dest = self._path(rel)
        parent = os.path.dirname(dest)
        os.makedirs(parent, exist_ok=True)
        # Re-check after creating folders: a concurrent symlink swap must not redirect us.
        self._path(rel)
        sweep_partials(parent)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=_TMP_SUFFIX, dir=parent)
        os.close(fd)
        try:
            write(tmp)
            os.replace(tmp, dest)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def put_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        for local, rel in pairs:
            self._atomic_write(rel, functools.partial(shutil.copyfile, local))
            if progress:
                progress(1)

    def write_bytes(self, rel: str, data: bytes) -> None:
        def write(tmp: str) -> None:
            with open(tmp, "wb") as f:
                f.write(data)

        self._atomic_write(rel, write)

    def get_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        for rel, local in pairs:
            os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
            shutil.copyfile(self._regular_file(rel), local)
            if progress:
                progress(1)

    def _regular_file(self, rel: str) -> str:
        path = self._path(rel)
        if os.path.isdir(path):
            raise IsADirectoryError(path)
        if not os.path.isfile(path):  # missing, or a FIFO/device that would hang a read
            raise FileNotFoundError(path)
        return path

    def open(self, rel: str, mode: str) -> IO[Any]:
        return open(self._regular_file(rel), mode)  # noqa: SIM115 - the caller closes it

    def delete(self, rel: str) -> None:
        path = self._path(rel)
        if os.path.islink(path):
            os.unlink(path)  # the link only, never its target
        elif os.path.isdir(path):
            shutil.rmtree(path)  # removes links inside without following them
        elif os.path.lexists(path):
            os.remove(path)


class _FsspecProgress:
    """Adapts fsspec's callback protocol (one ``relative_update`` per file) to :data:`Progress`."""

    @staticmethod
    def make(progress: Progress | None) -> Any:
        from fsspec.callbacks import DEFAULT_CALLBACK, Callback

        if progress is None:
            return DEFAULT_CALLBACK
        report: Progress = progress

        class _Callback(Callback):  # type: ignore[misc]  # fsspec ships no types
            def relative_update(self, inc: int = 1) -> None:
                report(inc)

        return _Callback()


class FsspecBackend:
    """Artifacts under a prefix of any fsspec filesystem."""

    def __init__(self, fs: AbstractFileSystem, root: str) -> None:
        self.fs = fs
        self.root = root.rstrip("/")

    def _full(self, rel: str) -> str:
        return f"{self.root}/{rel}" if rel else self.root

    def _rel(self, name: str) -> str | None:
        name = self.fs._strip_protocol(name).rstrip("/")
        prefix = self.root + "/"
        return name[len(prefix) :] if name.startswith(prefix) else None

    def kind(self, rel: str) -> Kind | None:
        try:
            info = self.fs.info(self._full(rel))
        except FileNotFoundError:
            return None
        return "dir" if info.get("type") == "directory" else "file"

    def list_dir(self, rel: str) -> list[Entry]:
        full = self._full(rel)
        try:
            listing = self.fs.ls(full, detail=True)
        except FileNotFoundError:
            return []
        entries = []
        for info in listing:
            sub = self._rel(info["name"])
            if not sub or self.fs._strip_protocol(info["name"]).rstrip("/") == full:
                continue  # the folder itself (a marker object), or outside the root
            if info.get("type") == "directory":
                entries.append(Entry(sub, True, None))
            else:
                entries.append(Entry(sub, False, int(info.get("size") or 0)))
        return entries

    def walk_files(self, rel: str) -> list[Entry]:
        found = self.fs.find(self._full(rel), detail=True)
        entries = []
        for name, info in found.items():
            sub = self._rel(name)
            if sub and info.get("type") != "directory":
                entries.append(Entry(sub, False, int(info.get("size") or 0)))
        return entries

    def _sweep_uploads(self, rels: list[str]) -> None:
        """Abort the multipart uploads dead writers left under the folders about to be written
        (a killed process cannot abort its own; S3 keeps, and bills, their parts forever).

        Only uploads started more than :data:`STALE_PARTIAL_S` ago are aborted: a live one
        of another process is younger. Each folder is swept once per process.
        """
        call_s3 = getattr(self.fs, "call_s3", None)
        if call_s3 is None:
            return  # not S3: other filesystems keep no uploads apart from their files
        for folder in sorted({self._full(rel).rsplit("/", 1)[0] for rel in rels}):
            key = f"s3-uploads:{folder}"
            if key in _swept:
                continue
            _swept.add(key)
            bucket, _, prefix = folder.partition("/")
            cutoff = time.time() - STALE_PARTIAL_S
            with contextlib.suppress(Exception):  # a tidy-up: the write itself must go on
                listing = call_s3(
                    "list_multipart_uploads", Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""
                )
                for upload in listing.get("Uploads", []) or []:
                    started = upload.get("Initiated")
                    if started is not None and started.timestamp() < cutoff:
                        call_s3(
                            "abort_multipart_upload",
                            Bucket=bucket,
                            Key=upload["Key"],
                            UploadId=upload["UploadId"],
                        )

    def put_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        if not pairs:
            return
        self._sweep_uploads([rel for _, rel in pairs])
        locals_ = [local for local, _ in pairs]
        remotes = [self._full(rel) for _, rel in pairs]
        # Lists in, lists out: fsspec transfers them concurrently where the filesystem can.
        self.fs.put(locals_, remotes, callback=_FsspecProgress.make(progress))

    def write_bytes(self, rel: str, data: bytes) -> None:
        self.fs.pipe_file(self._full(rel), data)

    def get_files(self, pairs: list[tuple[str, str]], progress: Progress | None) -> None:
        if not pairs:
            return
        for _, local in pairs:
            os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
        remotes = [self._full(rel) for rel, _ in pairs]
        locals_ = [local for _, local in pairs]
        self.fs.get(remotes, locals_, callback=_FsspecProgress.make(progress))

    def open(self, rel: str, mode: str) -> IO[Any]:
        handle: IO[Any] = self.fs.open(self._full(rel), mode)
        return handle

    def delete(self, rel: str) -> None:
        kind = self.kind(rel)
        if kind == "file":
            self.fs.rm_file(self._full(rel))
        elif kind == "dir":
            # Delete the files found, never the folder by name: on a bare bucket root a
            # recursive rm would delete the bucket itself.
            files = [self._full(entry.path) for entry in self.walk_files(rel)]
            if files:
                self.fs.rm(files)
            self._remove_empty_dirs(rel)

    def _remove_empty_dirs(self, rel: str) -> None:
        """Filesystems with real folders (memory, SFTP ...) keep them after their files go.

        Object stores have none left at this point, so this costs them one listing.
        """
        full = self._full(rel)
        found = self.fs.find(full, withdirs=True, detail=True)
        dirs = [name for name, info in found.items() if info.get("type") == "directory"]
        if rel:
            dirs.append(full)
        for name in sorted(dirs, key=len, reverse=True):
            if self._rel(name):  # strictly below the root: never the root (or bucket) itself
                with contextlib.suppress(OSError):
                    self.fs.rmdir(name)
