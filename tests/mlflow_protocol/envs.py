"""MLflow's own clients for the protocol tests: one ``mlflow-skinny`` venv per MLflow line.

The venvs are made by ``bench/mlflow_env.py`` (as the benchmark's and the conformance suite's
are), under ``tests/mlflow_protocol/.venvs/`` (gitignored), once: later sessions reuse them.
Each holds ``mlflow-skinny`` at the line's version, the project's scikit-learn, pandas and
ipykernel (a kernel of that venv runs in the kernel and browser tests), and labtrack linked
from this worktree the way ``pip install -e`` would: a ``.pth`` file naming ``src/`` and a
``labtrack`` distribution record whose ``entry_points.txt`` is written from ``pyproject.toml``,
so MLflow finds labtrack's plugins through the real entry-point machinery. labtrack's
dependencies are not installed there: what MLflow's side of labtrack imports (the REST store,
the notebook code, the plugin) is the standard library only.

What CI pays: on an empty cache the two venvs take a few minutes together (pip downloads of
mlflow-skinny with its opentelemetry, protobuf and databricks-sdk dependencies, scikit-learn,
pandas, ipykernel); afterwards a session starts them in seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
VENVS = Path(__file__).parent / ".venvs"
VERSIONS = {"2": "2.22.5", "3": "3.17.2"}
EXTRAS = {
    # MLflow 2.22 imports a pool class that SQLAlchemy 2.1 removed (only if SQLAlchemy is there).
    "2": ("pandas", "ipykernel"),
    "3": ("pandas", "ipykernel"),
}
CHECK = "import mlflow, sklearn, pandas, ipykernel, mlflow.sklearn"


def _link_labtrack(python: Path) -> None:
    """Make the worktree's labtrack importable in the venv, with its entry points."""
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    site_dir = Path(site)
    (site_dir / "labtrack-worktree.pth").write_text(str(ROOT / "src") + "\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = []
    for group, points in project.get("entry-points", {}).items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in points.items()]
        lines.append("")
    info = site_dir / "labtrack-0.0.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: labtrack\nVersion: 0.0.0\n")
    (info / "entry_points.txt").write_text("\n".join(lines))
    (info / "INSTALLER").write_text("labtrack-tests\n")


def mlflow_python(line: str) -> Path:
    """The interpreter of MLflow line ``line`` ("2" or "3"), made on first use."""
    sys.path.insert(0, str(ROOT))
    from bench import mlflow_env

    try:
        sklearn = f"scikit-learn=={metadata.version('scikit-learn')}"
    except metadata.PackageNotFoundError:
        sklearn = "scikit-learn"
    python = mlflow_env.ensure(
        f"mlflow-skinny=={VERSIONS[line]}",
        say=lambda text: print(text, file=sys.stderr),
        venv=VENVS / f"skinny-{VERSIONS[line]}",
        extra=(sklearn, *EXTRAS[line]),
        check=CHECK,
    )
    _link_labtrack(python)
    return python


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for an MLflow process: nothing of this session's stores or venvs."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLFLOW_", "LABTRACK_", "JPY_", "JUPYTER", "VIRTUAL_ENV"))
        and k != "PYTHONPATH"
    }
    env.update(
        {
            # Retries would otherwise stall a failing test for minutes.
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2",
            "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
            "MLFLOW_HTTP_REQUEST_TIMEOUT": "60",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "DO_NOT_TRACK": "true",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.update(extra)
    return env
