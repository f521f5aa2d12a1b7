"""Run hooks for notebooks: capture the notebook version when a run starts and ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtrack.entities import RunTag

if TYPE_CHECKING:
    from labtrack.client import TrackingClient


def _capture(client: TrackingClient, run_id: str, at_start: bool) -> None:
    from labtrack.notebook.capture import LIVE_TAG, _warn_once, capture_tags
    from labtrack.notebook.identity import current_notebook

    info = current_notebook(client.store)
    if info is None:
        return
    if not at_start and LIVE_TAG in client.get_run(run_id).data.tags:
        return  # the frontend sent its live model: a better record, which it keeps current
    tags = capture_tags(client.store, info, with_environment=at_start)
    if tags:
        try:
            client.store.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
        except Exception as exc:  # never break the run over its provenance
            _warn_once(exc)


def on_run_start(client: TrackingClient, run_id: str) -> None:
    _capture(client, run_id, at_start=True)


def on_run_end(client: TrackingClient, run_id: str) -> None:
    _capture(client, run_id, at_start=False)
