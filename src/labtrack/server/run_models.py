"""The logged models a run produced, as ``GET runs/{run_id}`` gives them to the run page."""

from __future__ import annotations

from typing import Any

from labtrack.entities import LoggedModel, Run
from labtrack.errors import LabtrackError
from labtrack.server.serialize import logged_model_json
from labtrack.tracking.client import TrackingClient


def models_of_run(client: TrackingClient, run: Run) -> list[LoggedModel]:
    """The live models a run produced: its outputs and the models whose source it is."""
    found = {
        m.model_id: m
        for m in client.store.logged_models_of_runs([run.info.run_id])[run.info.run_id]
    }
    for output in run.outputs.model_outputs:
        if output.model_id not in found:
            try:
                found[output.model_id] = client.get_logged_model(output.model_id)
            except LabtrackError:
                continue  # deleted since: the run page lists what is there
    return sorted(found.values(), key=lambda m: (m.creation_timestamp, m.model_id))


def runs_models_json(client: TrackingClient, run: Run) -> list[dict[str, Any]]:
    steps = {o.model_id: o.step for o in run.outputs.model_outputs}
    return [
        {**logged_model_json(m), "step": steps.get(m.model_id, 0)}
        for m in models_of_run(client, run)
    ]
