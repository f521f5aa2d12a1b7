"""The ratchet: snippets that do not yet run unchanged under labtrack, with what differs.

Each entry makes ``test_conformance.py`` expect that snippet to fail (``xfail(strict=True)``).
When labtrack is fixed the snippet passes, the strict xfail turns into a failure (XPASS), and
the entry must go: the count of entries only goes down. Regenerate after a fix with
``python -m tests.conformance xfails --write``; never add an entry for a snippet that passed.
"""

from __future__ import annotations

import pprint
from pathlib import Path

PATH = Path(__file__)

XFAIL: dict[str, str] = {}


def render(entries: dict[str, str]) -> str:
    """This module's text with ``entries`` as the manifest."""
    head = PATH.read_text().split("XFAIL: dict[str, str] = ", 1)[0]
    body = pprint.pformat(
        {name: reason[:200] for name, reason in sorted(entries.items())}, width=95, sort_dicts=False
    )
    tail = PATH.read_text().split("\n\n\ndef render", 1)[1]
    return f"{head}XFAIL: dict[str, str] = {body}\n\n\ndef render{tail}"
