"""One snippet under labtrack, judged against MLflow's golden record: pass, differs or error.

- ``pass``: labtrack ran the swapped snippet and stored and printed what MLflow did.
- ``error``: the snippet raised under labtrack (MLflow's golden has no error; ``regen``
  refuses a snippet that fails under MLflow). The exception line is the reason.
- ``differs``: it ran, but the records differ; the first difference is the reason.
- ``no-golden``: nothing to compare with yet (run ``python -m tests.conformance regen``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.conformance import harness
from tests.conformance.compare import Difference, compare
from tests.conformance.corpus import Snippet


@dataclass
class Verdict:
    snippet: Snippet
    status: str
    differences: list[Difference] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    stderr: str = ""

    @property
    def reason(self) -> str:
        """One line: the exception under labtrack, or the first difference."""
        if self.status == "error":
            return self.error or "error"
        if self.status == "differs" and self.differences:
            return str(self.differences[0])
        return self.status

    def summary(self, limit: int = 12) -> str:
        lines = [f"{self.snippet.name}: {self.status} ({self.snippet.source})"]
        if self.error:
            lines.append(f"labtrack raised: {self.error}")
            tail = self.stderr.strip().splitlines()[-15:]
            lines.extend("    " + t for t in tail)
        lines.extend(f"  {d}" for d in self.differences[:limit])
        if len(self.differences) > limit:
            lines.append(f"  ... and {len(self.differences) - limit} more differences")
        return "\n".join(lines)


def judge(snippet: Snippet, golden: dict[str, Any] | None, record: dict[str, Any]) -> Verdict:
    if golden is None:
        return Verdict(snippet, "no-golden")
    differences = compare(golden, record)
    if record.get("error") and not golden.get("error"):
        return Verdict(snippet, "error", differences, error=record["error"])
    return Verdict(snippet, "differs" if differences else "pass", differences)


def check(worker: harness.Worker, snippet: Snippet) -> Verdict:
    """Run ``snippet`` under labtrack (``worker``) and judge it against its golden."""
    outcome = harness.run(worker, snippet)
    verdict = judge(snippet, harness.load_golden(snippet), outcome.record)
    verdict.seconds = outcome.seconds
    verdict.stderr = outcome.stderr
    return verdict


_INDEX = re.compile(r"\[\d+\]")


def causes(verdict: Verdict) -> set[str]:
    """Coarse keys for what broke a snippet, to rank causes across the corpus.

    An exception counts once by its first line (quoted names kept: they say which API is
    missing); a difference by its path without list indices (``runs[].tags.mlflow.source.type``).
    A printed value that differs as a whole is only a position, so it counts as one cause.
    """
    if verdict.status == "error":
        return {f"raises {verdict.error}"[:160]}
    keys = set()
    for d in verdict.differences:
        path = _INDEX.sub("[]", d.path)
        if path == "results[]":
            keys.add("results[] (a printed value differs)")
        elif path.endswith(".length") or d.expected == "<missing>" or d.actual == "<missing>":
            keys.add(f"{path} (missing/extra)")
        else:
            keys.add(path)
    return keys
