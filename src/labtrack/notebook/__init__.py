"""Notebook integration: which notebook a kernel serves, its experiment, its versions."""

from labtrack.notebook.versions import NotebookDiff, diff_notebook_versions, get_notebook_version

__all__ = ["NotebookDiff", "diff_notebook_versions", "get_notebook_version"]
