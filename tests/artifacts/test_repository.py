"""The artifact repository behaves the same on every store (local folder, S3, in-memory)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labtrack.errors import InvalidParameterError, ResourceNotFoundError
from labtrack.store.artifacts import ArtifactRepository, FileInfo


def make_tree(base: Path) -> Path:
    """outputs/{a.txt, b.bin, sub/c.txt, sub/deeper/d.txt}"""
    root = base / "outputs"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("alpha")
    (root / "b.bin").write_bytes(b"\x00" * 10)
    (root / "sub" / "c.txt").write_text("gamma")
    (root / "sub" / "deeper" / "d.txt").write_text("delta")
    return root


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_new_run_has_no_artifacts(repo: ArtifactRepository) -> None:
    assert repo.list_artifacts() == []
    assert repo.exists("") is False


def test_write_text_then_open_reads_it_back(repo: ArtifactRepository) -> None:
    repo.write_text("notes/summary.txt", "accuracy 0.93")
    with repo.open("notes/summary.txt") as f:
        assert f.read() == b"accuracy 0.93"
    with repo.open("notes/summary.txt", "r") as f:
        assert f.read() == "accuracy 0.93"


def test_write_bytes_replaces_an_existing_file(repo: ArtifactRepository) -> None:
    repo.write_bytes("blob.bin", b"first version, longer")
    repo.write_bytes("blob.bin", b"second")
    with repo.open("blob.bin") as f:
        assert f.read() == b"second"
    assert repo.list_artifacts() == [FileInfo("blob.bin", False, 6)]


def test_write_text_encodes_utf8(repo: ArtifactRepository) -> None:
    repo.write_text("unicode.txt", "héllo ✓")
    with repo.open("unicode.txt") as f:
        assert f.read().decode("utf-8") == "héllo ✓"


def test_log_artifact_keeps_the_file_name(repo: ArtifactRepository, tmp_path: Path) -> None:
    local = tmp_path / "model.pkl"
    local.write_bytes(b"weights")
    repo.log_artifact(local)
    repo.log_artifact(str(local), "models/best")
    assert repo.list_artifacts() == [
        FileInfo("model.pkl", False, 7),
        FileInfo("models", True, None),
    ]
    assert repo.list_artifacts("models/best") == [FileInfo("models/best/model.pkl", False, 7)]


def test_log_artifact_refuses_a_missing_file_or_a_folder(
    repo: ArtifactRepository, tmp_path: Path
) -> None:
    with pytest.raises(InvalidParameterError, match="no such file"):
        repo.log_artifact(tmp_path / "missing.txt")
    with pytest.raises(InvalidParameterError, match="log_artifacts"):
        repo.log_artifact(tmp_path)


def test_log_artifacts_copies_a_folder_recursively(
    repo: ArtifactRepository, tmp_path: Path
) -> None:
    repo.log_artifacts(make_tree(tmp_path), "run_outputs")
    assert repo.list_artifacts() == [FileInfo("run_outputs", True, None)]
    assert repo.list_artifacts("run_outputs") == [
        FileInfo("run_outputs/a.txt", False, 5),
        FileInfo("run_outputs/b.bin", False, 10),
        FileInfo("run_outputs/sub", True, None),
    ]
    assert repo.list_artifacts("run_outputs/sub/") == [
        FileInfo("run_outputs/sub/c.txt", False, 5),
        FileInfo("run_outputs/sub/deeper", True, None),
    ]


def test_log_artifacts_without_a_path_writes_at_the_root(
    repo: ArtifactRepository, tmp_path: Path
) -> None:
    repo.log_artifacts(str(make_tree(tmp_path)))
    assert [f.path for f in repo.list_artifacts()] == ["a.txt", "b.bin", "sub"]


def test_log_artifacts_handles_many_files(repo: ArtifactRepository, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        (folder / f"f{i:02d}.txt").write_text(str(i))
    repo.log_artifacts(folder, "many")
    listed = repo.list_artifacts("many")
    assert [f.path for f in listed] == [f"many/f{i:02d}.txt" for i in range(40)]


def test_list_artifacts_of_a_file_or_a_missing_path_is_empty(repo: ArtifactRepository) -> None:
    repo.write_text("a/b.txt", "x")
    assert repo.list_artifacts("a/b.txt") == []
    assert repo.list_artifacts("nope") == []


def test_exists_sees_files_and_folders(repo: ArtifactRepository) -> None:
    repo.write_text("a/b.txt", "x")
    assert repo.exists("a") and repo.exists("a/b.txt") and repo.exists("")
    assert not repo.exists("a/c.txt")
    assert not repo.exists("b")


def test_download_a_file_keeps_its_relative_path(repo: ArtifactRepository, tmp_path: Path) -> None:
    repo.write_text("plots/loss.csv", "step,loss\n0,1.0\n")
    dst = tmp_path / "dl"
    local = repo.download_artifacts("plots/loss.csv", str(dst))
    assert local == str(dst / "plots" / "loss.csv")
    assert Path(local).read_text() == "step,loss\n0,1.0\n"


def test_download_a_folder_brings_the_whole_tree(repo: ArtifactRepository, tmp_path: Path) -> None:
    source = make_tree(tmp_path)
    repo.log_artifacts(source, "out")
    local = repo.download_artifacts("out", str(tmp_path / "dl"))
    assert local == str(tmp_path / "dl" / "out")
    assert files_under(Path(local)) == files_under(source)


def test_download_everything_to_a_temporary_folder(
    repo: ArtifactRepository, tmp_path: Path
) -> None:
    source = make_tree(tmp_path)
    repo.log_artifacts(source)
    local = repo.download_artifacts()
    assert os.path.isdir(local)
    assert files_under(Path(local)) == files_under(source)


def test_download_of_a_run_without_artifacts_is_an_empty_folder(
    repo: ArtifactRepository, tmp_path: Path
) -> None:
    local = repo.download_artifacts("", str(tmp_path / "dl"))
    assert os.listdir(local) == []


def test_missing_artifact_names_the_path_and_what_exists(repo: ArtifactRepository) -> None:
    repo.write_text("model/weights.bin", "w")
    repo.write_text("model/config.json", "{}")
    with pytest.raises(ResourceNotFoundError) as info:
        repo.download_artifacts("model/weights.pt")
    message = str(info.value)
    assert "'model/weights.pt'" in message
    assert "config.json" in message and "weights.bin" in message
    with pytest.raises(ResourceNotFoundError, match=r"artifact root contains: model/"):
        repo.open("missing/deeper/file.txt")


def test_missing_artifact_in_an_empty_run(repo: ArtifactRepository) -> None:
    with pytest.raises(ResourceNotFoundError, match="is empty"):
        repo.open("x.txt")


def test_open_streams_a_large_file_in_chunks(repo: ArtifactRepository) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    repo.write_bytes("big.bin", data)
    chunks = []
    with repo.open("big.bin") as f:
        while chunk := f.read(1024 * 1024):
            chunks.append(chunk)
    assert len(chunks) == 4
    assert b"".join(chunks) == data


def test_open_refuses_write_modes_and_folders(repo: ArtifactRepository) -> None:
    repo.write_text("d/x.txt", "x")
    with pytest.raises(InvalidParameterError, match="mode"):
        repo.open("d/x.txt", "wb")
    with pytest.raises(InvalidParameterError, match="folder"):
        repo.open("d")


def test_write_needs_a_file_name_and_bytes(repo: ArtifactRepository) -> None:
    with pytest.raises(InvalidParameterError, match="file name"):
        repo.write_bytes("", b"x")
    with pytest.raises(InvalidParameterError, match="bytes"):
        repo.write_bytes("x.bin", "text")  # type: ignore[arg-type]


def test_delete_a_file(repo: ArtifactRepository) -> None:
    repo.write_text("a/x.txt", "x")
    repo.write_text("a/y.txt", "y")
    repo.delete_artifacts("a/x.txt")
    assert [f.path for f in repo.list_artifacts("a")] == ["a/y.txt"]


def test_delete_a_folder_spares_siblings_sharing_its_prefix(repo: ArtifactRepository) -> None:
    repo.write_text("a/x.txt", "x")
    repo.write_text("ab.txt", "ab")
    repo.write_text("a_b/y.txt", "y")
    repo.delete_artifacts("a")
    assert [f.path for f in repo.list_artifacts()] == ["a_b", "ab.txt"]


def test_delete_everything(repo: ArtifactRepository, tmp_path: Path) -> None:
    repo.log_artifacts(make_tree(tmp_path))
    repo.delete_artifacts()
    assert repo.list_artifacts() == []


def test_delete_of_a_missing_path_does_nothing(repo: ArtifactRepository) -> None:
    repo.write_text("keep.txt", "k")
    repo.delete_artifacts("missing/file.txt")
    assert [f.path for f in repo.list_artifacts()] == ["keep.txt"]


def test_paths_are_normalised(repo: ArtifactRepository) -> None:
    repo.write_text("./a//b/./c.txt", "c")
    assert repo.list_artifacts("a/b/") == [FileInfo("a/b/c.txt", False, 1)]
    assert repo.exists("a/./b//c.txt")


def test_percent_in_a_file_name_is_kept_literally(repo: ArtifactRepository) -> None:
    repo.write_text("50%.txt", "half")
    repo.write_text("a%20b.txt", "encoded-looking")
    assert [f.path for f in repo.list_artifacts()] == ["50%.txt", "a%20b.txt"]
    with repo.open("a%20b.txt") as f:
        assert f.read() == b"encoded-looking"


def test_a_file_and_a_folder_cannot_share_a_name(
    repo: ArtifactRepository, artifact_root: str
) -> None:
    if artifact_root.startswith("s3://"):
        pytest.skip("object stores allow a key 'a' beside keys 'a/...' (not checked: cost)")
    repo.write_text("a", "file")
    with pytest.raises(InvalidParameterError):
        repo.write_text("a/b.txt", "x")
    with repo.open("a") as f:
        assert f.read() == b"file"


def test_repository_reports_its_root(repo: ArtifactRepository, artifact_root: str) -> None:
    assert repo.root_uri == repo.artifact_uri
    assert repo.root_uri.rstrip("/").endswith("0/run1/artifacts")
    assert "ArtifactRepository(" in repr(repo)
