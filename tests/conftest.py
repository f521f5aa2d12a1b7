"""Shared fixtures: a fresh store per test; real PostgreSQL and S3-compatible servers."""

pytest_plugins = ("pytest_jupyter.jupyter_server", "tests.services")
