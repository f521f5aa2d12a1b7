"""Entry points Jupyter looks up on the package (kept tiny: no tornado import here)."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab extension lives, relative to the package."""
    return [{"src": "labextension", "dest": "labtrack"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """``jpserver_extensions = {"labtrack": True}`` loads the module ``labtrack.server``."""
    return [{"module": "labtrack.server"}]
