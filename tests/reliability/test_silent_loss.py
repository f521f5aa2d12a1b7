"""Regression (issue: silent loss): with the disk full, queued points vanished at exit,
``end_run`` returned normally and the run was marked FINISHED.

Now whatever could not be stored is said, with how many points of which run: ``end_run`` raises
and the run is not FINISHED; at interpreter exit it is printed. Every point a script logged is
either in the store or in that count. The full disk is real: a small tmpfs mounted for the test
and filled (root only; skipped elsewhere).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import labtrack

SCRIPT = textwrap.dedent(
    """
    import sys
    import labtrack as mlflow
    mlflow.set_tracking_uri(sys.argv[1])
    run = mlflow.start_run()
    mlflow.log_metric("warm", 1.0)
    mlflow.flush()
    print(run.info.run_id, flush=True)
    sys.stdin.readline()  # the test fills the disk now
    for i in range(int(sys.argv[3])):
        mlflow.log_metric("loss", 1.0 / (i + 1), step=i)
    if sys.argv[2] == "end_run":
        try:
            mlflow.end_run()
        except Exception as exc:
            print(f"RAISED {type(exc).__name__}: {exc}", flush=True)
    """
)
POINTS = 300_000


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs of our own, unmounted after the test."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> None:
    # The close can fail too (what is left in the buffer has no room): suppress around it.
    with contextlib.suppress(OSError), open(folder / "filler", "wb") as f:
        block = b"\0" * (1 << 16)
        while True:
            f.write(block)
            f.flush()
    with contextlib.suppress(OSError):
        os.fsync(os.open(folder / "filler", os.O_RDONLY))


def _run(disk: Path, mode: str) -> tuple[str, str, str]:
    home = disk / "home"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(home), mode, str(POINTS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    assert len(run_id) == 32, proc.stderr.read() if proc.stderr else ""
    _fill(disk)
    proc.stdin.write("go\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    (disk / "filler").unlink()  # space again: read what was stored
    return run_id, out, err


def _unstored(text: str, run_id: str) -> int:
    found = re.findall(rf"([\d,]+) metric points? of run {run_id}", text)
    assert found, text
    return sum(int(n.replace(",", "")) for n in found)


def _stored(disk: Path, run_id: str) -> tuple[int, str]:
    client = labtrack.TrackingClient(str(disk / "home"))
    try:
        return len(client.get_metric_history(run_id, "loss")), client.get_run(run_id).info.status
    finally:
        client.store.close()


def test_end_run_on_a_full_disk_says_what_was_not_stored(small_disk: Path) -> None:
    run_id, out, err = _run(small_disk, "end_run")
    assert "RAISED StoreError" in out, (out, err)
    assert "full" in out
    unstored = _unstored(out, run_id)
    stored, status = _stored(small_disk, run_id)
    assert status != "FINISHED"
    assert unstored > 0 and stored + unstored == POINTS


def test_exiting_on_a_full_disk_prints_what_was_not_stored(small_disk: Path) -> None:
    run_id, out, err = _run(small_disk, "exit")
    assert "labtrack: " in err and "lost" in err, err
    unstored = _unstored(err, run_id)
    stored, status = _stored(small_disk, run_id)
    assert status != "FINISHED"
    assert unstored > 0 and stored + unstored == POINTS
