"""System tags a new run gets: who ran it, from which source, at which git commit.

Everything here is cheap (no subprocess): git state is read from the ``.git`` folder.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
import time
from pathlib import Path
from typing import Any

from labtrack.tracking import hooks
from labtrack.utils.mlflow_tags import (
    GIT_BRANCH,
    GIT_COMMIT,
    GIT_REPO_URL,
    SOURCE_NAME,
    SOURCE_TYPE,
    USER,
    SourceType,
)
from labtrack.utils.user import current_user


def _in_ipython_kernel() -> bool:
    return "ipykernel" in sys.modules


def _script_file() -> str | None:
    """The file a ``python script.py`` process runs (``None`` in kernels and consoles)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not _in_ipython_kernel():
        return _resolved(main_file)
    return None


def source() -> tuple[str, str]:
    """(source type, source name): MLflow's values, LOCAL and the script's file, or NOTEBOOK.

    A script or a console is LOCAL (MLflow's value; the name tells them apart). The notebook's
    own path comes from ``labtrack.notebook.identity``, which the client asks after this.
    """
    script = _script_file()
    if script is not None:
        return SourceType.LOCAL, script
    if _in_ipython_kernel():
        return SourceType.NOTEBOOK, ""
    return SourceType.LOCAL, sys.argv[0] if sys.argv and sys.argv[0] else "<console>"


@functools.lru_cache(maxsize=64)
def _resolved(path: str) -> str:
    # The script's absolute path (and the folder git is looked up from), once per path:
    # resolving walks the filesystem, ~0.1 ms per run, a tenth of creating one.
    return str(Path(path).resolve())


@functools.lru_cache(maxsize=64)
def _git_dir(start: str) -> str | None:
    # Cached per folder: a sweep creates thousands of runs from one folder, and walking up to
    # the filesystem root was most of a run's system tags (~0.1 ms). HEAD is still looked at
    # each time (read again when it changed: _text), so a checkout or a commit between runs
    # is seen. Plain strings, not pathlib: its objects cost more than the lookups here.
    folder = start
    while True:
        candidate = os.path.join(folder, ".git")
        if os.path.isdir(candidate):
            return candidate
        if os.path.isfile(candidate):  # worktrees and submodules: "gitdir: <path>"
            text = _text(candidate) or ""
            if text.startswith("gitdir:"):
                return _resolved(os.path.join(folder, text.split(":", 1)[1].strip()))
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _checkout(start: Path | str | None) -> tuple[str, str] | None:
    """(git folder, common folder: a worktree's shared refs and config) of the checkout
    holding ``start`` (default: the working folder), or None outside one."""
    git = _git_dir(_resolved(os.fspath(start) if start is not None else os.getcwd()))
    if git is None:
        return None
    common = _text(os.path.join(git, "commondir"))
    return git, git if common is None else _resolved(os.path.join(git, common))


def _text(path: str) -> str | None:
    """The file's text (stripped), or None if it is not a file; read again only when its
    inode, size or mtime changed. A sweep creates thousands of runs from one checkout: reading
    ``HEAD``, the branch's ref and the config for each was most of a run's system tags. Git
    replaces these files (a lock file renamed over them), so a checkout or a commit between two
    runs gives a new inode and mtime, and is seen."""
    key = path
    try:
        info = os.stat(key)
    except OSError:
        _TEXTS.pop(key, None)
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    signature = (info.st_ino, info.st_size, info.st_mtime_ns)
    cached = _TEXTS.get(key)
    # A file changed within the last seconds may have changed again within the clock's tick
    # (a file's time moves in steps of a few ms): trusted only once it is older (as git does).
    settled = info.st_mtime_ns < time.time_ns() - _SETTLED_NS
    if cached is not None and cached[0] == signature and settled:
        return cached[1]
    with open(key, encoding="utf-8", errors="replace") as handle:
        text = handle.read().strip()
    if len(_TEXTS) >= _MAX_TEXTS:
        _TEXTS.clear()
    _TEXTS[key] = (signature, text)
    return text


# path -> ((inode, size, mtime_ns), text) of the git files read (see _text)
_TEXTS: dict[str, tuple[tuple[int, int, int], str]] = {}
_MAX_TEXTS = 256
_SETTLED_NS = 2_000_000_000


def git_state(start: Path | str | None = None) -> tuple[str, str | None] | None:
    """(commit, branch) of the checkout holding ``start`` (default: the working folder)."""
    try:
        found = _checkout(start)
        if found is None:
            return None
        git, common = found
        head = _text(os.path.join(git, "HEAD"))
        if head is None:
            return None
        if not head.startswith("ref:"):
            return head, None
        ref = head.split(":", 1)[1].strip()
        branch = ref.removeprefix("refs/heads/")
        commit = _text(os.path.join(common, ref))
        if commit is not None:
            return commit, branch
        packed = _text(os.path.join(common, "packed-refs"))
        if packed is not None:
            for line in packed.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0], branch
        return None  # a branch with no commits yet
    except OSError:
        return None


def git_remote_url(start: Path | str | None = None) -> str | None:
    """The ``origin`` remote's URL of the checkout holding ``start`` (MLflow's repoURL)."""
    try:
        found = _checkout(start)
        config = _text(os.path.join(found[1], "config")) if found is not None else None
        if config is None:
            return None
        section = None
        for raw in config.splitlines():
            line = raw.strip()
            if line.startswith("["):
                section = line.strip("[]").replace('"', "").split()
            elif section == ["remote", "origin"] and line.replace(" ", "").startswith("url="):
                return line.split("=", 1)[1].strip()
        return None
    except OSError:
        return None


def system_tags() -> dict[str, str]:
    kind, name = source()
    tags = {USER: current_user(), SOURCE_TYPE: kind, SOURCE_NAME: name}
    script = _script_file()
    start = os.path.dirname(script) if script is not None else None
    git = git_state(start)
    if git is not None:
        tags[GIT_COMMIT] = git[0]
        if git[1]:
            tags[GIT_BRANCH] = git[1]
        url = git_remote_url(start)
        if url:
            tags[GIT_REPO_URL] = url
    return tags


def resolve_tags(client: Any, tags: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tags of a run a process starts itself: system tags, the integrations' (the
    notebook's, when in one), then ``tags``, which win (MLflow's ``resolve_tags``).

    ``start_run`` and autologging's child runs use it; ``MlflowClient.create_run`` does not
    (MLflow's rule: the explicit client records only the tags it is given).
    """
    out: dict[str, Any] = system_tags()
    for provider in hooks.run_tag_providers:
        out.update(provider(client))
    out.update(tags or {})
    return out
