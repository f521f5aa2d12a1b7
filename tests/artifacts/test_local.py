"""Local artifact roots: root forms, storage failures, atomic writes, special files, progress,
and an import that stays light."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NoReturn

import pytest

from labtrack.errors import InvalidParameterError, ResourceNotFoundError, StoreError
from labtrack.store.artifacts import ArtifactRepository, repository
from labtrack.store.artifacts.filesystems import parse_root

SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_importing_and_using_local_artifacts_loads_no_fsspec(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from labtrack.store.artifacts import ArtifactRepository\n"
        f"repo = ArtifactRepository({str(tmp_path / 'root')!r})\n"
        "repo.write_text('a/b.txt', 'x')\n"
        "repo.list_artifacts('a')\n"
        "repo.download_artifacts('a')\n"
        "heavy = [m for m in ('fsspec', 's3fs', 'botocore', 'tqdm') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


@pytest.mark.parametrize("form", ["path", "file_url", "file_localhost_url", "relative"])
def test_root_forms_all_name_the_same_folder(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my root"
    monkeypatch.chdir(tmp_path)
    uri = {
        "path": str(folder),
        "file_url": "file://" + str(folder).replace(" ", "%20"),
        "file_localhost_url": "file://localhost" + str(folder),
        "relative": "my root",
    }[form]
    ArtifactRepository(uri).write_text("x.txt", form)
    assert (folder / "x.txt").read_text() == form


def test_a_file_url_for_another_host_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="this machine"):
        ArtifactRepository("file://otherhost/srv/artifacts")


@pytest.mark.parametrize("bad", ["", "   ", "/tmp/a\x00b", "nosuchproto://x/y"])
def test_bad_roots_are_refused(bad: str) -> None:
    with pytest.raises(InvalidParameterError):
        parse_root(bad)


def test_a_missing_root_is_created_on_first_write(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "artifacts"
    repo = ArtifactRepository(str(root))
    assert repo.list_artifacts() == []
    assert not root.exists()
    repo.write_bytes("f.bin", b"1")
    assert (root / "f.bin").read_bytes() == b"1"


def _raiser(code: int) -> Any:
    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise OSError(code, os.strerror(code))

    return fail


def test_disk_full_is_a_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = ArtifactRepository(str(tmp_path / "root"))
    local = tmp_path / "model.pkl"
    local.write_bytes(b"w" * 100)
    monkeypatch.setattr(shutil, "copyfile", _raiser(errno.ENOSPC))
    with pytest.raises(StoreError, match="disk is full"):
        repo.log_artifact(local)
    # Nothing half-written is left behind.
    assert os.listdir(tmp_path / "root") == []


def test_read_only_store_is_a_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = ArtifactRepository(str(tmp_path / "root"))
    monkeypatch.setattr(tempfile, "mkstemp", _raiser(errno.EROFS))
    with pytest.raises(StoreError, match="read-only") as info:
        repo.write_text("a.txt", "x")
    assert "'a.txt'" in str(info.value)


def test_permission_denied_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = ArtifactRepository(str(tmp_path / "root"))
    monkeypatch.setattr(tempfile, "mkstemp", _raiser(errno.EACCES))
    with pytest.raises(StoreError, match="permission denied"):
        repo.write_text("a.txt", "x")


def test_a_failed_write_keeps_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = ArtifactRepository(str(tmp_path / "root"))
    repo.write_text("a.txt", "old")
    monkeypatch.setattr(os, "replace", _raiser(errno.ENOSPC))
    with pytest.raises(StoreError):
        repo.write_text("a.txt", "new")
    monkeypatch.undo()
    assert repo.list_artifacts() == [repository.FileInfo("a.txt", False, 3)]
    with repo.open("a.txt") as f:
        assert f.read() == b"old"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_neither_listed_nor_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    os.mkfifo(root / "pipe")  # opening it for reading would block forever
    repo = ArtifactRepository(str(root))
    assert repo.list_artifacts() == []
    with pytest.raises(ResourceNotFoundError):
        repo.open("pipe")
    assert os.listdir(repo.download_artifacts()) == []


def test_log_artifacts_refuses_unsafe_names_before_writing_anything(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "ok.txt").write_text("ok")
    (source / "a;b.txt").write_text("bad")
    repo = ArtifactRepository(str(tmp_path / "root"))
    with pytest.raises(InvalidParameterError, match=r"'a;b\.txt'"):
        repo.log_artifacts(source)
    assert repo.list_artifacts() == []


def test_log_artifacts_skips_links_to_folders_in_the_source(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "real").mkdir(parents=True)
    (source / "real" / "f.txt").write_text("f")
    (source / "loop").symlink_to(source, target_is_directory=True)  # would recurse forever
    repo = ArtifactRepository(str(tmp_path / "root"))
    repo.log_artifacts(source)
    assert [f.path for f in repo.list_artifacts()] == ["real"]


def test_download_into_an_existing_folder_merges(tmp_path: Path) -> None:
    repo = ArtifactRepository(str(tmp_path / "root"))
    repo.write_text("d/a.txt", "a")
    dst = tmp_path / "dl"
    (dst / "d").mkdir(parents=True)
    (dst / "d" / "mine.txt").write_text("mine")
    repo.download_artifacts("d", str(dst))
    assert sorted(os.listdir(dst / "d")) == ["a.txt", "mine.txt"]


class _Tty:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    ("files", "size", "tty", "shown"),
    [
        (3, 100, True, False),
        (repository.PROGRESS_MIN_FILES, 0, True, True),
        (1, repository.PROGRESS_MIN_BYTES, True, True),
        (1000, 10**10, False, False),
    ],
)
def test_progress_bar_only_for_many_or_large_files_on_a_terminal(
    files: int, size: int, tty: bool, shown: bool
) -> None:
    assert repository._progress_enabled(files, size, _Tty(tty)) is shown


def test_progress_bar_counts_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tqdm_module = pytest.importorskip("tqdm")
    finished: list[tuple[str, int, int]] = []

    class Spy(tqdm_module.tqdm):  # type: ignore[misc, name-defined]
        def close(self) -> None:
            finished.append((self.desc, self.n, self.total))
            super().close()

    monkeypatch.setattr(tqdm_module, "tqdm", Spy)
    monkeypatch.setattr(repository, "_progress_enabled", lambda *args: True)
    source = tmp_path / "src"
    source.mkdir()
    for i in range(5):
        (source / f"{i}.txt").write_text(str(i))
    repo = ArtifactRepository(str(tmp_path / "root"))
    repo.log_artifacts(source)
    repo.download_artifacts("", str(tmp_path / "dl"))
    # tqdm may close a bar twice (exit, then garbage collection): count each once.
    assert list(dict.fromkeys(finished)) == [
        ("Logging artifacts", 5, 5),
        ("Downloading artifacts", 5, 5),
    ]
