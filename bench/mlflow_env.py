"""MLflow's own virtualenv, ``bench/.mlflow-venv`` (gitignored), made on first use.

MLflow never goes into the project's environment. The venv is made from the same base Python
as the project's, and gets the project's scikit-learn version, so a fit or a predict costs the
same on both sides and only the tracking tool differs.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

VENV = Path(__file__).with_name(".mlflow-venv")


def python() -> Path:
    return VENV / "bin" / "python"


def _ready(spec: str) -> bool:
    if not python().exists():
        return False
    check = "import mlflow, sklearn; print(mlflow.__version__)"
    done = subprocess.run([str(python()), "-c", check], capture_output=True, text=True)
    if done.returncode != 0:
        return False
    wanted = spec.partition("==")[2]
    return not wanted or done.stdout.strip() == wanted


def ensure(spec: str = "mlflow", say: object = print) -> Path:
    """The venv's Python, after creating the venv and installing ``spec`` if needed."""
    if _ready(spec):
        return python()
    base = getattr(sys, "_base_executable", None) or sys.executable
    say(f"Installing {spec} into {VENV} (first use; a few minutes) ...")  # type: ignore[operator]
    subprocess.run([base, "-m", "venv", "--clear", str(VENV)], check=True)
    try:
        sklearn = f"scikit-learn=={metadata.version('scikit-learn')}"
    except metadata.PackageNotFoundError:
        sklearn = "scikit-learn"
    subprocess.run(
        [
            str(python()),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            spec,
            sklearn,
        ],
        check=True,
    )
    if not _ready(spec):
        raise SystemExit(f"{VENV}: mlflow did not import after the install")
    return python()
