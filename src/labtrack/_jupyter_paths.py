"""Entry points Jupyter looks up on the package (kept tiny: no tornado import here)."""


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "labtrack"}]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "labtrack.server"}]
