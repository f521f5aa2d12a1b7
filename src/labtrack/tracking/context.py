"""System tags a new run gets: who ran it, from which source, at which git commit.

Everything here is cheap (no subprocess): git state is read from the ``.git`` folder.
"""

from __future__ import annotations

import functools
import sys
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


def _script_file() -> Path | None:
    """The file a ``python script.py`` process runs (``None`` in kernels and consoles)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not _in_ipython_kernel():
        return Path(_resolved(main_file))
    return None


def source() -> tuple[str, str]:
    """(source type, source name): MLflow's values, LOCAL and the script's file, or NOTEBOOK.

    A script or a console is LOCAL (MLflow's value; the name tells them apart). The notebook's
    own path comes from ``labtrack.notebook.identity``, which the client asks after this.
    """
    script = _script_file()
    if script is not None:
        return SourceType.LOCAL, str(script)
    if _in_ipython_kernel():
        return SourceType.NOTEBOOK, ""
    return SourceType.LOCAL, sys.argv[0] if sys.argv and sys.argv[0] else "<console>"


@functools.lru_cache(maxsize=16)
def _resolved(path: str) -> str:
    # The script's absolute path (and the folder git is looked up from), once per path:
    # resolving walks the filesystem, ~0.1 ms per run, a tenth of creating one.
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
        git = _git_dir(Path(_resolved(str(start or Path.cwd()))))
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


def git_remote_url(start: Path | None = None) -> str | None:
    """The ``origin`` remote's URL of the checkout holding ``start`` (MLflow's repoURL)."""
    try:
        git = _git_dir(Path(_resolved(str(start or Path.cwd()))))
        if git is None:
            return None
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text().strip()).resolve()
        config = common / "config"
        if not config.is_file():
            return None
        section = None
        for raw in config.read_text(errors="replace").splitlines():
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
    start = script.parent if script is not None else None
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
