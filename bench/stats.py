"""Figures: summaries (median, min, max) and labtrack/MLflow ratios computed pair by pair.

The suite measures labtrack and MLflow alternately (A B A B ...). Each pair gives one ratio;
the reported ratio is the median of those ratios, so load from other processes on a shared
machine, which drifts over minutes, hits both halves of a pair alike and cancels.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

SIDES = ("labtrack", "labtrack_pg", "mlflow", "mlflow_async")
# Sides a labtrack figure is compared with (labtrack on PostgreSQL is shown beside, not divided).
OTHERS = ("mlflow", "mlflow_async")


def summarize(samples: list[float]) -> dict[str, float] | None:
    values = [v for v in samples if v is not None and math.isfinite(v)]
    if not values:
        return None
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


@dataclass
class Measure:
    """One figure of one case, measured on each side."""

    case: str
    key: str
    label: str
    unit: str
    higher_is_better: bool = False
    notes: list[str] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)
    ratios: dict[str, list[float]] = field(default_factory=dict)
    # Peak resident memory (MB) of the process during each sample's case, per side.
    rss: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, Any] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    def add_pair(
        self, values: dict[str, float | None], rss: dict[str, float | None] | None = None
    ) -> None:
        """Record one pair (or triple): the same work on each side, measured back to back;
        ``rss``: each side's peak resident memory (MB) while it did that work."""
        for side, value in values.items():
            if value is not None:
                self.samples.setdefault(side, []).append(float(value))
        for side, mb in (rss or {}).items():
            if mb is not None and values.get(side) is not None:
                self.rss.setdefault(side, []).append(float(mb))
        mine = values.get("labtrack")
        for side, other in values.items():
            if side not in OTHERS or mine is None or other is None or other == 0:
                continue
            self.ratios.setdefault(side, []).append(float(mine) / float(other))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def summary(self, side: str) -> dict[str, float] | None:
        return summarize(self.samples.get(side, []))

    def ratio(self, side: str = "mlflow") -> dict[str, float] | None:
        return summarize(self.ratios.get(side, []))

    def peak_rss(self, side: str) -> float | None:
        """The largest peak resident memory (MB) seen for a side, or None."""
        values = self.rss.get(side)
        return max(values) if values else None

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "notes": self.notes,
            "sizes": self.sizes,
            "unavailable": self.unavailable,
            "summary": {side: self.summary(side) for side in self.samples},
            "ratio": {side: self.ratio(side) for side in self.ratios},
            "samples": self.samples,
            "ratios": self.ratios,
            "peak_rss_mb": {side: self.peak_rss(side) for side in self.rss},
        }


class Results:
    """Every measure of a suite run, in the order they were first recorded."""

    def __init__(self) -> None:
        self.measures: dict[str, Measure] = {}
        self.case_notes: dict[str, list[str]] = {}

    def measure(
        self, case: str, key: str, label: str, unit: str, higher_is_better: bool = False
    ) -> Measure:
        if key not in self.measures:
            self.measures[key] = Measure(case, key, label, unit, higher_is_better)
        return self.measures[key]

    def note(self, case: str, text: str) -> None:
        notes = self.case_notes.setdefault(case, [])
        if text not in notes:
            notes.append(text)

    def get(self, key: str) -> Measure | None:
        return self.measures.get(key)

    def median(self, key: str, side: str = "labtrack") -> float | None:
        m = self.measures.get(key)
        s = m.summary(side) if m else None
        return s["median"] if s else None
