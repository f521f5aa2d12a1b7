"""The environment a saved model needs: ``requirements.txt`` and ``python_env.yaml``.

Versions are the exact ones installed now, so ``pip install -r requirements.txt`` rebuilds an
environment that loads the model the same way.

>>> default_requirements(["scikit-learn", "numpy"])  # doctest: +SKIP
['labtrack==0.3.0', 'scikit-learn==1.5.2', 'numpy==2.1.3']
"""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from labtrack.errors import InvalidParameterError
from labtrack.utils.version import __version__

__all__ = [
    "PYTHON_ENV_FILE",
    "REQUIREMENTS_FILE",
    "default_requirements",
    "resolve_requirements",
    "write_environment",
]

REQUIREMENTS_FILE = "requirements.txt"
PYTHON_ENV_FILE = "python_env.yaml"
_BUILD_TOOLS = ("pip", "setuptools", "wheel")


def installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _pin(distribution: str) -> str:
    version = installed_version(distribution)
    return f"{distribution}=={version}" if version else distribution


def default_requirements(distributions: Iterable[str]) -> list[str]:
    """``labtrack`` and each distribution, pinned to the installed version."""

    out = [f"labtrack=={__version__}"]
    out += [_pin(d) for d in distributions if d != "labtrack"]
    return out


def _check_lines(lines: Iterable[Any], what: str) -> list[str]:
    out = []
    for line in lines:
        if not isinstance(line, str) or "\n" in line or "\r" in line:
            raise InvalidParameterError(
                f"{what} takes requirement strings such as 'scikit-learn==1.5.2', one per "
                f"item; got {line!r}."
            )
        if line.strip():
            out.append(line.strip())
    return out


def resolve_requirements(
    defaults: list[str],
    pip_requirements: Iterable[str] | str | os.PathLike[str] | None = None,
    extra_pip_requirements: Iterable[str] | str | os.PathLike[str] | None = None,
) -> list[str]:
    """The requirement lines to write: ``pip_requirements`` replaces the defaults (a list, or
    the path of a requirements file), ``extra_pip_requirements`` adds to them."""
    if pip_requirements is not None and extra_pip_requirements is not None:
        raise InvalidParameterError(
            "Give pip_requirements (replaces the inferred list) or extra_pip_requirements "
            "(adds to it), not both."
        )

    def read(value: Any, what: str) -> list[str]:
        if isinstance(value, (str, os.PathLike)):
            path = Path(value)
            if not path.is_file():
                raise InvalidParameterError(
                    f"{what}: {str(path)!r} is not a file. Give a list of requirement strings "
                    "or the path of a requirements file."
                )
            lines = [ln.split("#", 1)[0] for ln in path.read_text().splitlines()]
            return _check_lines(lines, what)
        return _check_lines(value, what)

    if pip_requirements is not None:
        return read(pip_requirements, "pip_requirements")
    extra = read(extra_pip_requirements, "extra_pip_requirements") if extra_pip_requirements else []
    return defaults + [e for e in extra if e not in defaults]


def write_environment(folder: str | os.PathLike[str], requirements: list[str]) -> dict[str, str]:
    """Write ``requirements.txt`` and ``python_env.yaml``; return the pyfunc ``env`` entry."""
    import yaml

    Path(folder, REQUIREMENTS_FILE).write_text("\n".join(requirements) + "\n", encoding="utf-8")
    env = {
        "python": platform.python_version(),
        "build_dependencies": [_pin(tool) for tool in _BUILD_TOOLS],
        "dependencies": [f"-r {REQUIREMENTS_FILE}"],
    }
    Path(folder, PYTHON_ENV_FILE).write_text(
        yaml.safe_dump(env, default_flow_style=False, sort_keys=False), encoding="utf-8"
    )
    return {"virtualenv": PYTHON_ENV_FILE}
