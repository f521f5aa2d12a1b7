"""The snippet corpus: ``snippets/*.py``, each a standalone script written for MLflow.

Every snippet opens with comment headers the harness reads::

    # Source: <the MLflow docs page, example file or docstring it follows>
    # Area: tracking | search | client | models | autolog | registry | logged-models | data |
    #       artifacts | evaluate | config | pyfunc
    # MLflow: 3            (the MLflow lines it is written for: "3", "2", or "2 3")
    # Env: NAME=value      (optional, repeatable: variables the user would have exported)
    # Tracking-URI: sqlite:///mlflow.db   (optional: the store the snippet sets itself)
    # Unstable: runs[].inputs   (optional: record paths MLflow itself does not repeat; say why)

and reports what it reads back as ``RESULT <json>`` lines on stdout. labtrack is held to the
newest MLflow line the snippet names: that is the MLflow whose docs the snippet follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SNIPPETS = HERE / "snippets"
# The MLflow release each line is pinned to; goldens live in golden/<version>/.
MLFLOW_VERSIONS = {"3": "3.17.2", "2": "2.22.5"}
MLFLOW_SPECS = {"3": "mlflow==3.17.2", "2": "mlflow==2.22.5"}
# MLflow 2.22 imports a pool class that SQLAlchemy 2.1 removed.
MLFLOW_EXTRAS: dict[str, tuple[str, ...]] = {"2": ("sqlalchemy<2.1",)}
RESULT_PREFIX = "RESULT "


@dataclass(frozen=True)
class Snippet:
    name: str
    path: Path
    area: str
    lines: tuple[str, ...]
    source: str
    env: dict[str, str] = field(default_factory=dict)
    tracking_uri: str | None = None
    unstable: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """The MLflow line labtrack is compared with: the newest one the snippet is for."""
        return max(self.lines)

    def text(self) -> str:
        return self.path.read_text()


def parse(path: Path) -> Snippet:
    headers: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, sep, value = line[2:].partition(": ")
        if sep:
            headers.setdefault(key.strip().lower(), []).append(value.strip())
    for required in ("source", "area", "mlflow"):
        if required not in headers:
            raise ValueError(f"{path.name}: no '# {required.title()}:' header")
    env = dict(item.split("=", 1) for item in headers.get("env", []))
    lines = tuple(sorted(headers["mlflow"][0].split()))
    unknown = set(lines) - set(MLFLOW_VERSIONS)
    if unknown:
        raise ValueError(f"{path.name}: unknown MLflow line(s) {sorted(unknown)}")
    return Snippet(
        name=path.stem,
        path=path,
        area=headers["area"][0],
        lines=lines,
        source=headers["source"][0],
        env=env,
        tracking_uri=(headers.get("tracking-uri") or [None])[0],
        unstable=tuple(p.strip() for line in headers.get("unstable", []) for p in line.split(",")),
    )


def load(names: list[str] | None = None) -> list[Snippet]:
    """Every snippet (or the named ones), in name order."""
    paths = sorted(SNIPPETS.glob("*.py"))
    snippets = [parse(p) for p in paths]
    if names:
        wanted = set(names)
        snippets = [s for s in snippets if s.name in wanted or s.area in wanted]
    return snippets


def results(stdout: str) -> list[Any]:
    """The values a snippet printed as ``RESULT <json>`` lines, in order."""
    out = []
    for line in stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            try:
                out.append(json.loads(line[len(RESULT_PREFIX) :]))
            except json.JSONDecodeError:
                out.append({"unparsable": line[len(RESULT_PREFIX) :]})
    return out


def golden_path(snippet: Snippet, line: str) -> Path:
    return HERE / "golden" / MLFLOW_VERSIONS[line] / f"{snippet.name}.json"
