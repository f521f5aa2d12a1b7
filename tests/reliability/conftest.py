"""Reliability tests run a real Jupyter server too (the sidebar reads while kernels write)."""

from tests.server.conftest import jp_server_config, labtrack_config, labtrack_home  # noqa: F401
