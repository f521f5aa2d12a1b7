"""labtrack's version, for the layers that record it (model files, bundles, serving)."""

from __future__ import annotations

__all__ = ["__version__"]

try:
    from labtrack._version import __version__
except ImportError:  # a source checkout that was never built
    __version__ = "0.0.0.dev0"
