"""MLflow's own virtualenvs, ``bench/.mlflow-venv`` (gitignored) by default, made on first use.

MLflow never goes into the project's environment. The venv is made from the same base Python
as the project's, and gets the project's scikit-learn version, so a fit or a predict costs the
same on both sides and only the tracking tool differs. Other suites (the conformance suite
runs two MLflow lines side by side) pass their own ``venv`` folder.
"""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

VENV = Path(__file__).with_name(".mlflow-venv")


def python(venv: Path = VENV) -> Path:
    return venv / "bin" / "python"


# The SQL store import catches a venv whose dependencies drifted past what MLflow supports.
FULL_CHECK = "import mlflow, sklearn, mlflow.store.tracking.sqlalchemy_store"


def _ready(spec: str, venv: Path, check: str = FULL_CHECK) -> bool:
    if not python(venv).exists():
        return False
    probe = f"{check}; import mlflow; print(mlflow.__version__)"
    done = subprocess.run([str(python(venv)), "-c", probe], capture_output=True, text=True)
    if done.returncode != 0:
        return False
    wanted = spec.partition("==")[2]
    return not wanted or done.stdout.strip() == wanted


def ensure(
    spec: str = "mlflow",
    say: object = print,
    venv: Path = VENV,
    extra: tuple[str, ...] = (),
    check: str = FULL_CHECK,
) -> Path:
    """The venv's Python, after creating the venv and installing ``spec`` if needed.

    ``spec`` is a pip requirement (``mlflow==3.17.2``, ``mlflow<3``); an exact pin is checked
    against what the venv has, so changing the pin rebuilds the venv. ``extra`` holds further
    requirements installed with it (an old MLflow line may need an older dependency).
    ``check`` is the Python statement that proves the venv works (``mlflow-skinny`` has no SQL
    store, so its users check other imports).
    """
    if _ready(spec, venv, check):
        return python(venv)
    base = getattr(sys, "_base_executable", None) or sys.executable
    say(f"Installing {spec} into {venv} (first use; a few minutes) ...")  # type: ignore[operator]
    subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True)
    try:
        sklearn = f"scikit-learn=={metadata.version('scikit-learn')}"
    except metadata.PackageNotFoundError:
        sklearn = "scikit-learn"
    subprocess.run(
        [
            str(python(venv)),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            spec,
            sklearn,
            *extra,
        ],
        check=True,
    )
    if not _ready(spec, venv, check):
        raise SystemExit(f"{venv}: mlflow did not import after the install")
    return python(venv)
