"""What a notebook execution or a reproduction hands back: runs, drift, environment check."""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from labtrack.errors import LabtrackError

if TYPE_CHECKING:
    import pandas as pd

    from labtrack.entities import Run
    from labtrack.reproduce.execute import CellFailure

__all__ = [
    "DRIFT_COLUMNS",
    "EnvironmentWarning",
    "NotebookRun",
    "PackageDifference",
    "Reproduction",
    "ReproductionError",
    "drift_frame",
    "environment_differences",
]

DRIFT_COLUMNS = ["metric", "original", "new", "difference"]
_SHOWN_PACKAGES = 10


class EnvironmentWarning(UserWarning):
    """The packages installed now differ from those a run was logged with."""


@dataclass(frozen=True)
class PackageDifference:
    """A package whose version differs from the run's environment (``current`` None: missing)."""

    name: str
    recorded: str
    current: str | None

    def __str__(self) -> str:
        return f"{self.name} {self.recorded} -> {self.current or 'not installed'}"


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def environment_differences(recorded: dict[str, Any], current: dict[str, Any]) -> list[Any]:
    """Packages of ``recorded`` (an environment blob) missing or at another version now.

    Python comes first when its version differs; packages installed only now are not listed
    (they cannot change what the notebook did, unless it imports them, which it did not).
    """
    out = []
    if recorded.get("python") and recorded.get("python") != current.get("python"):
        out.append(PackageDifference("python", str(recorded["python"]), current.get("python")))
    now = {_norm(k): str(v) for k, v in (current.get("packages") or {}).items()}
    for name, version in sorted((recorded.get("packages") or {}).items()):
        have = now.get(_norm(name))
        if have != str(version):
            out.append(PackageDifference(_norm(name), str(version), have))
    return out


def describe_differences(diffs: list[PackageDifference]) -> str:
    shown = ", ".join(str(d) for d in diffs[:_SHOWN_PACKAGES])
    more = len(diffs) - _SHOWN_PACKAGES
    return shown + (f" and {more} more" if more > 0 else "")


def drift_frame(original: dict[str, float], new: dict[str, float]) -> pd.DataFrame:
    """One row per metric of either run: original value, new value, new - original."""
    import pandas as pd

    rows = []
    for key in sorted(set(original) | set(new)):
        a, b = original.get(key, math.nan), new.get(key, math.nan)
        rows.append([key, a, b, b - a])
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS).astype(
        {"original": float, "new": float, "difference": float}
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.6g}"
    return str(value)


def _text_table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


@dataclass
class NotebookRun:
    """A notebook executed in a fresh kernel: the executed notebook and the runs it logged.

    ``run`` is the main run (the one matching the reproduced run, or the first top-level run);
    ``runs`` are all the runs the kernel started, oldest first.
    """

    notebook: Any
    run: Run | None
    runs: list[Run] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    kernel_name: str = "python3"
    failure: CellFailure | None = None

    @property
    def run_id(self) -> str | None:
        return self.run.info.run_id if self.run is not None else None


@dataclass
class Reproduction(NotebookRun):
    """The result of :func:`labtrack.reproduce_run`.

    ``original`` is the reproduced run, ``run`` the new one; ``drift`` is a pandas DataFrame
    (metric, original, new, difference); ``environment`` lists the packages that differ from
    the original run's environment; ``overrides`` are the params you changed.
    """

    original: Run | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    environment: list[PackageDifference] = field(default_factory=list)

    @property
    def drift(self) -> pd.DataFrame:
        before = self.original.data.metrics if self.original is not None else {}
        after = self.run.data.metrics if self.run is not None else {}
        return drift_frame(dict(before), dict(after))

    def reproduced(self, rel_tol: float = 1e-9, abs_tol: float = 0.0) -> bool:
        """True when every metric of the original came back within the tolerance."""
        if self.run is None or self.failure is not None:
            return False
        frame = self.drift
        return all(
            not math.isnan(b) and math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)
            for a, b in zip(frame["original"], frame["new"], strict=True)
            if not math.isnan(a)
        )

    def _lines(self) -> list[str]:
        orig = self.original.info if self.original is not None else None
        head = f"Reproduction of run {orig.run_id} ({orig.run_name})" if orig else "Reproduction"
        if self.run is not None:
            head += f" -> run {self.run.info.run_id} ({self.run.info.status})"
        else:
            head += ": the notebook logged no run"
        lines = [head]
        if self.failure is not None:
            lines.append(f"Failed: {self.failure}")
        if self.overrides:
            old = self.original.data.params if self.original is not None else {}
            changes = [
                f"{k} = {v!r}" + (f" (was {old[k]})" if k in old else "")
                for k, v in self.overrides.items()
            ]
            lines.append("Changed params: " + ", ".join(changes))
        if self.environment:
            lines.append(
                f"Environment: {len(self.environment)} package(s) differ: "
                + describe_differences(self.environment)
            )
        return lines

    def __str__(self) -> str:
        frame = self.drift
        rows = [[_fmt(v) for v in row] for row in frame.itertuples(index=False)]
        table = _text_table(rows, DRIFT_COLUMNS) if rows else "(no metrics)"
        return "\n".join([*self._lines(), "", table])

    def __repr__(self) -> str:
        return (
            f"<Reproduction {self.original.info.run_id if self.original else '?'} -> {self.run_id}>"
        )

    def _repr_html_(self) -> str:
        head = "".join(f"<div>{html.escape(line)}</div>" for line in self._lines())
        frame = self.drift
        cells = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
            for row in frame.itertuples(index=False)
        )
        header = "".join(f"<th>{c}</th>" for c in DRIFT_COLUMNS)
        return (
            f'<div class="labtrack-reproduction">{head}'
            f"<table><thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table></div>"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (the CLI's ``--json``)."""
        frame = self.drift
        return {
            "original_run_id": self.original.info.run_id if self.original else None,
            "run_id": self.run_id,
            "run_ids": [r.info.run_id for r in self.runs],
            "status": self.run.info.status if self.run is not None else None,
            "failure": str(self.failure) if self.failure else None,
            "parameters": json.loads(json.dumps(self.parameters, default=repr)),
            "environment": [vars(d) for d in self.environment],
            "drift": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                for r in frame.to_dict("records")
            ],
        }


class ReproductionError(LabtrackError):
    """A cell failed while a notebook was executed; ``result`` holds what was done."""

    def __init__(self, message: str, result: NotebookRun) -> None:
        super().__init__(message, "INVALID_STATE")
        self.result = result
