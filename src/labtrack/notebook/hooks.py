"""Run hooks for notebooks: capture the notebook version when a run starts and ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtrack.entities import RunTag

if TYPE_CHECKING:
    from labtrack.client import TrackingClient


def _capture(client: TrackingClient, run_id: str, with_environment: bool) -> None:
    from labtrack.notebook.capture import capture_tags
    from labtrack.notebook.identity import current_notebook

    info = current_notebook(client.store)
    if info is None:
        return
    tags = capture_tags(client.store, info, with_environment)
    if tags:
        try:
            client.store.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
        except Exception as exc:  # never break the run over its provenance
            from labtrack.notebook.capture import _warn_once

            _warn_once(exc)


def on_run_start(client: TrackingClient, run_id: str) -> None:
    _capture(client, run_id, with_environment=True)


def on_run_end(client: TrackingClient, run_id: str) -> None:
    _capture(client, run_id, with_environment=False)
