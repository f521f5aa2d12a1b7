"""System tags a new run gets: who ran it, from which source, at which git commit.

Everything here is cheap (no subprocess): git state is read from the ``.git`` folder.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from labtrack.utils.mlflow_tags import (
    GIT_BRANCH,
    GIT_COMMIT,
    SOURCE_NAME,
    SOURCE_TYPE,
    USER,
)
from labtrack.utils.user import current_user


def _in_ipython_kernel() -> bool:
    return "ipykernel" in sys.modules


def source() -> tuple[str, str]:
    """(source type, source name): SCRIPT and its file, NOTEBOOK, or LOCAL.

    The notebook's own path comes from ``labtrack.notebook.identity``, which the client asks
    after this.
    """
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    if main_file and not _in_ipython_kernel():
        return "SCRIPT", _resolved(main_file)
    if _in_ipython_kernel():
        return "NOTEBOOK", ""
    return "LOCAL", sys.argv[0] if sys.argv and sys.argv[0] else "<console>"


@functools.lru_cache(maxsize=16)
def _resolved(path: str) -> str:
    # The script's absolute path, once: resolving it walks the filesystem (~0.1 ms per run).
    return str(Path(path).resolve())


@functools.lru_cache(maxsize=64)
def _git_dir(start: Path) -> Path | None:
    # Cached per folder: a sweep creates thousands of runs from one folder, and walking up to
    # the filesystem root was most of a run's system tags (~0.1 ms). HEAD is still read each
    # time, so a checkout or a commit between runs is seen.
    for folder in (start, *start.parents):
        candidate = folder / ".git"
        if candidate.is_dir():
            return candidate
        if candidate.is_file():  # worktrees and submodules: "gitdir: <path>"
            text = candidate.read_text(errors="replace").strip()
            if text.startswith("gitdir:"):
                return (folder / text.split(":", 1)[1].strip()).resolve()
    return None


def git_state(start: Path | None = None) -> tuple[str, str | None] | None:
    """(commit, branch) of the checkout holding ``start`` (default: the working folder)."""
    try:
        git = _git_dir((start or Path.cwd()).resolve())
        if git is None:
            return None
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head, None
        ref = head.split(":", 1)[1].strip()
        branch = ref.removeprefix("refs/heads/")
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text().strip()).resolve()
        ref_file = common / ref
        if ref_file.is_file():
            return ref_file.read_text().strip(), branch
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0], branch
        return None  # a branch with no commits yet
    except OSError:
        return None


def system_tags() -> dict[str, str]:
    kind, name = source()
    tags = {USER: current_user(), SOURCE_TYPE: kind, SOURCE_NAME: name}
    start = Path(name).parent if kind == "SCRIPT" else None
    git = git_state(start)
    if git is not None:
        tags[GIT_COMMIT] = git[0]
        if git[1]:
            tags[GIT_BRANCH] = git[1]
    return tags
