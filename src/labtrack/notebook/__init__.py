"""Notebook integration: which notebook a kernel serves, its experiment, its versions.

``import labtrack`` imports :mod:`labtrack.notebook.hooks` only; the rest loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtrack.notebook.versions import (
        NotebookDiff,
        diff_notebook_versions,
        get_notebook_version,
    )

__all__ = ["NotebookDiff", "diff_notebook_versions", "get_notebook_version"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from labtrack.notebook import versions

        return getattr(versions, name)
    raise AttributeError(f"module 'labtrack.notebook' has no attribute {name!r}")
