"""The notebook's part in tracking, registered with :mod:`labtrack.tracking.hooks`.

- a run with no experiment set goes to the notebook's own experiment;
- a new run gets the notebook's tags (source, notebook id, kernel id);
- the notebook version is captured when a run starts and when it ends;
- a cell that ended runs shows one output naming them, with links (:mod:`.cell_output`).

:func:`install` runs when ``labtrack`` is imported. Outside a notebook every hook does nothing.
The work itself is imported on first use, so importing ``labtrack`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labtrack.entities import RunTag
from labtrack.tracking import hooks

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = ["install"]


def _capture(client: TrackingClient, run_id: str, at_start: bool) -> bool:
    # Lazy: capture reads nbformat and the environment, which a plain import must not load.
    from labtrack.notebook.capture import LIVE_TAG, _warn_once, capture_tags
    from labtrack.notebook.identity import current_notebook

    info = current_notebook(client.store)
    if info is None:
        return False
    if not at_start and LIVE_TAG in client.get_run(run_id).data.tags:
        return False  # the frontend sent its live model: a better record, which it keeps current
    tags = capture_tags(client.store, info, with_environment=at_start)
    if not tags:
        return False
    try:
        client.store.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
    except Exception as exc:  # never break the run over its provenance
        _warn_once(exc)
    return True


def on_run_start(client: TrackingClient, run_id: str) -> bool:
    """Capture the notebook version as the run starts; False when there was nothing to do."""
    return _capture(client, run_id, at_start=True)


def on_run_end(client: TrackingClient, run_id: str) -> bool:
    return _capture(client, run_id, at_start=False)


def _note_for_cell(client: TrackingClient, run_id: str) -> bool:
    # Lazy like the others, though light: outside IPython it returns at once.
    from labtrack.notebook.cell_output import note_run_end

    return note_run_end(client, run_id)


def _experiment(client: TrackingClient) -> str | None:
    from labtrack.notebook.experiment import notebook_experiment_id

    return notebook_experiment_id(client)


def _run_tags(client: TrackingClient) -> dict[str, str]:
    from labtrack.notebook.experiment import notebook_tags

    return notebook_tags(client)


def _forget() -> None:
    from labtrack.notebook.identity import forget

    forget()


def install() -> None:
    """Register the notebook hooks (once; calling again changes nothing)."""
    if _experiment in hooks.experiment_resolvers:
        return
    hooks.run_prepare_hooks.append(_forget)
    hooks.experiment_resolvers.append(_experiment)
    hooks.run_tag_providers.append(_run_tags)
    hooks.run_start_hooks.append(on_run_start)
    hooks.run_end_hooks.append(on_run_end)
    hooks.run_end_hooks.append(_note_for_cell)
