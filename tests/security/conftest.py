"""Security tests run against a real Jupyter server with the extension and token auth."""

from tests.server.conftest import jp_server_config, labtrack_config, labtrack_home  # noqa: F401
