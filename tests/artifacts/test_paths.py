"""Hostile artifact paths are refused, and nothing outside the artifact root is touched.

These pin the path-traversal classes behind tracking-server CVEs: ``..`` (plain, nested, URL
encoded once or twice), absolute paths, Windows separators and drives, ``;`` path parameters,
URL schemes, and symlinks inside the store that point out of it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from labtrack.errors import InvalidParameterError
from labtrack.store.artifacts import ArtifactRepository, safe_artifact_path
from labtrack.store.artifacts.paths import resolve_local

HOSTILE = [
    "..",
    "../x",
    "a/../../b",
    "a/..",
    "/etc/passwd",
    "//server/share/x",
    "C:\\x",
    "C:/x",
    "c:x",
    "a\\..\\b",
    "a/b\\c",
    "%2e%2e/x",
    "%2E%2E/x",
    "a/%2e%2e/%2e%2e/x",
    "%252e%252e/x",
    "%25252e%25252e/x",
    "..%2fx",
    "..%252fx",
    "%2fetc/passwd",
    "%5c..%5cx",
    "%c0%ae%c0%ae/x",
    "a;x=1/b",
    "..;/x",
    "file:///etc/passwd",
    "file:/etc/passwd",
    "s3://other/x",
    "http://evil.example/x",
    "simplecache::s3://other/x",
    "a/b::c",
    "~",
    "~/x",
    "~root/x",
    "a\x00b",
    "a/b\nc",
    "\uff0e\uff0e/x",  # fullwidth dots fold (NFKC) to ".."
    "a\uff0f..\uff0fb",  # fullwidth solidus folds to "/"
    "...",
    ".. /x",
    "a/ ../b",
    "a?versionId=1",
    "x" * 5000,
]

SAFE = [
    ("a.txt", "a.txt"),
    ("a/b/c.txt", "a/b/c.txt"),
    ("a//b/./c/", "a/b/c"),
    ("./a", "a"),
    ("", ""),
    ("..a/b..", "..a/b.."),
    ("x..y", "x..y"),
    ("50%.txt", "50%.txt"),
    ("a%20b", "a%20b"),
    ("notes~", "notes~"),
    ("run/epoch:3/model", "run/epoch:3/model"),  # a scheme-like first segment is refused
    ("plot#1.png", "plot#1.png"),
    ("données/été.csv", "données/été.csv"),
]


@pytest.mark.parametrize("path", HOSTILE)
def test_safe_artifact_path_refuses(path: str) -> None:
    with pytest.raises(InvalidParameterError, match="Invalid artifact path"):
        safe_artifact_path(path)


@pytest.mark.parametrize(("path", "expected"), SAFE)
def test_safe_artifact_path_accepts_and_normalises(path: str, expected: str) -> None:
    assert safe_artifact_path(path) == expected


def test_safe_artifact_path_of_none_is_the_root() -> None:
    assert safe_artifact_path(None) == ""


def test_safe_artifact_path_refuses_non_strings() -> None:
    with pytest.raises(InvalidParameterError, match="expected a string"):
        safe_artifact_path(b"a.txt")  # type: ignore[arg-type]


def test_error_message_says_what_is_allowed() -> None:
    with pytest.raises(InvalidParameterError) as info:
        safe_artifact_path("%252e%252e/x")
    assert "'..' segments are not allowed" in str(info.value)
    assert "relative to the run's artifact root" in str(info.value)


# --- through the repository: refused, and the outside is untouched --------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, Path]:
    """root = tmp/store/root (the artifact root), with sentinels beside and above it."""
    root = tmp_path / "store" / "root"
    root.mkdir(parents=True)
    (root / "inside.txt").write_text("inside")
    sentinel = tmp_path / "sentinel.txt"
    sentinel.write_text("do not touch")
    (tmp_path / "store" / "sentinel.txt").write_text("do not touch")
    source = tmp_path / "src"
    source.mkdir()
    (source / "payload.txt").write_text("pwned")
    return {"tmp": tmp_path, "root": root, "sentinel": sentinel, "source": source}


def snapshot(folder: Path, exclude: Path) -> dict[str, tuple[bool, bytes]]:
    """Every path under ``folder`` outside ``exclude`` with its content."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            if p == exclude or exclude in p.parents:
                continue
            is_file = p.is_file() and not p.is_symlink()
            out[str(p)] = (is_file, p.read_bytes() if is_file else b"")
    return out


def hostile_for(sandbox: dict[str, Path]) -> list[str]:
    """Hostile paths aimed at the sandbox's sentinels (never at real system files)."""
    sentinel = sandbox["sentinel"]
    return [
        "../sentinel.txt",
        "../../sentinel.txt",
        "a/../../sentinel.txt",
        "a/../../../sentinel.txt",
        str(sentinel),
        f"file://{sentinel}",
        "..\\sentinel.txt",
        "..\\..\\sentinel.txt",
        "%2e%2e/sentinel.txt",
        "%2e%2e/%2e%2e/sentinel.txt",
        "%252e%252e/sentinel.txt",
        "%252e%252e/%252e%252e/sentinel.txt",
        "a;x=1/../../sentinel.txt",
        "..;/sentinel.txt",
        "~/sentinel.txt",
        "inside.txt\x00/../../sentinel.txt",
    ]


def operations(sandbox: dict[str, Path]) -> dict[str, Callable[[ArtifactRepository, str], object]]:
    payload = sandbox["source"] / "payload.txt"
    dst = sandbox["tmp"] / "downloads"
    return {
        "write_text": lambda r, p: r.write_text(p, "pwned"),
        "write_bytes": lambda r, p: r.write_bytes(p, b"pwned"),
        "log_artifact": lambda r, p: r.log_artifact(payload, p),
        "log_artifacts": lambda r, p: r.log_artifacts(sandbox["source"], p),
        "list_artifacts": lambda r, p: r.list_artifacts(p),
        "download_artifacts": lambda r, p: r.download_artifacts(p, str(dst)),
        "open": lambda r, p: r.open(p).read(),
        "delete_artifacts": lambda r, p: r.delete_artifacts(p),
        "exists": lambda r, p: r.exists(p),
    }


OPERATIONS = [
    "write_text",
    "write_bytes",
    "log_artifact",
    "log_artifacts",
    "list_artifacts",
    "download_artifacts",
    "open",
    "delete_artifacts",
    "exists",
]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_refuses_traversal(operation: str, sandbox: dict[str, Path]) -> None:
    repo = ArtifactRepository(str(sandbox["root"]))
    before = snapshot(sandbox["tmp"], exclude=sandbox["root"])
    call = operations(sandbox)[operation]
    for path in hostile_for(sandbox):
        with pytest.raises(InvalidParameterError):
            call(repo, path)
    assert snapshot(sandbox["tmp"], exclude=sandbox["root"]) == before
    assert sandbox["sentinel"].read_text() == "do not touch"
    assert (sandbox["root"] / "inside.txt").read_text() == "inside"


# --- symlinks inside the store that point out of it ----------------------------------------


@pytest.fixture
def linked(sandbox: dict[str, Path]) -> dict[str, Path]:
    """root/link -> tmp/outside/ ; root/filelink -> tmp/outside/secret.txt ;
    root/dangling -> tmp/outside/new.txt (missing) ; root/sub/up -> tmp (via ..)."""
    outside = sandbox["tmp"] / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    root = sandbox["root"]
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "filelink").symlink_to(outside / "secret.txt")
    (root / "dangling").symlink_to(outside / "new.txt")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("../../..", target_is_directory=True)
    return {**sandbox, "outside": outside}


ESCAPING = [
    "link",
    "link/secret.txt",
    "link/new.txt",
    "filelink",
    "dangling",
    "sub/up",
    "sub/up/sentinel.txt",
    "sub/up/outside/secret.txt",
]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_symlinks_out_of_the_root_are_refused(operation: str, linked: dict[str, Path]) -> None:
    repo = ArtifactRepository(str(linked["root"]))
    before = snapshot(linked["tmp"], exclude=linked["root"])
    call = operations(linked)[operation]
    for path in ESCAPING:
        with pytest.raises(InvalidParameterError, match="outside the run's artifact root"):
            call(repo, path)
    assert snapshot(linked["tmp"], exclude=linked["root"]) == before
    assert (linked["outside"] / "secret.txt").read_text() == "secret"
    assert not (linked["outside"] / "new.txt").exists()
    # The links themselves are left in place too.
    assert (linked["root"] / "link").is_symlink() and (linked["root"] / "filelink").is_symlink()


def test_listing_hides_links_that_leave_the_root(linked: dict[str, Path]) -> None:
    repo = ArtifactRepository(str(linked["root"]))
    assert [f.path for f in repo.list_artifacts()] == ["inside.txt", "sub"]
    assert repo.list_artifacts("sub") == []


def test_downloading_everything_skips_links_that_leave_the_root(linked: dict[str, Path]) -> None:
    repo = ArtifactRepository(str(linked["root"]))
    local = Path(repo.download_artifacts("", str(linked["tmp"] / "dl")))
    found = sorted(p.relative_to(local).as_posix() for p in local.rglob("*"))
    assert found == ["inside.txt"]


def test_deleting_everything_removes_links_not_their_targets(linked: dict[str, Path]) -> None:
    repo = ArtifactRepository(str(linked["root"]))
    repo.delete_artifacts()
    assert not linked["root"].exists()
    assert (linked["outside"] / "secret.txt").read_text() == "secret"
    assert linked["sentinel"].read_text() == "do not touch"


def test_links_that_stay_inside_the_root_work(sandbox: dict[str, Path]) -> None:
    root = sandbox["root"]
    (root / "real").mkdir()
    (root / "real" / "f.txt").write_text("f")
    (root / "alias").symlink_to("real", target_is_directory=True)
    repo = ArtifactRepository(str(root))
    with repo.open("alias/f.txt") as f:
        assert f.read() == b"f"
    repo.write_text("alias/g.txt", "g")
    assert (root / "real" / "g.txt").read_text() == "g"


def test_a_root_that_is_itself_a_symlink_works(tmp_path: Path) -> None:
    real = tmp_path / "real-root"
    real.mkdir()
    (tmp_path / "root-link").symlink_to(real, target_is_directory=True)
    repo = ArtifactRepository(str(tmp_path / "root-link"))
    repo.write_text("a/b.txt", "b")
    assert (real / "a" / "b.txt").read_text() == "b"
    assert [f.path for f in repo.list_artifacts("a")] == ["a/b.txt"]


def test_resolve_local_refuses_an_escaping_parent(linked: dict[str, Path]) -> None:
    with pytest.raises(InvalidParameterError):
        resolve_local(str(linked["root"]), "link/deeper/new.txt")
    assert resolve_local(str(linked["root"]), "inside.txt") == str(linked["root"] / "inside.txt")
