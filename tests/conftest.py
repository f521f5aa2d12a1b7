"""Shared fixtures: a fresh store per test; real PostgreSQL and S3-compatible servers."""

from __future__ import annotations

import os
import tempfile

pytest_plugins = ("pytest_jupyter.jupyter_server", "tests.services")

# No test may touch the user's real ~/.labtrack: anything that falls back to the default
# home (a subprocess, a Jupyter server) lands in a throwaway folder instead.
os.environ["LABTRACK_HOME"] = tempfile.mkdtemp(prefix="labtrack-test-home-")
