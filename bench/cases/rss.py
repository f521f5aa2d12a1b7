"""Peak resident set size of the driver process, per case (Linux's /proc; nothing else)."""

from __future__ import annotations

import contextlib
from pathlib import Path


def reset_peak() -> None:
    """Start the peak count again from the current resident set size."""
    # Linux: writing 5 resets the process's peak resident set size (VmHWM) to the current one.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float | None:
    """The process's peak resident set size since the last reset, in MB (None if unknown)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
