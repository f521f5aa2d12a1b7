"""Where integrations plug into tracking: run tags, the default experiment, run start and end.

The tracking layer knows nothing of notebooks; the notebook layer registers its functions here
(:func:`labtrack.notebook.hooks.install`, called when ``labtrack`` is imported). MLflow's
equivalents are its run-context and default-experiment provider plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labtrack.tracking.client import TrackingClient

__all__ = [
    "experiment_resolvers",
    "run_end_hooks",
    "run_prepare_hooks",
    "run_start_hooks",
    "run_tag_providers",
]

# Called with the client when a run is created; each returns tags for the new run, later
# providers winning over earlier ones and the caller's own tags winning over all.
run_tag_providers: list[Callable[[TrackingClient], dict[str, str]]] = []
# Called in order when a run needs an experiment and none was set; the first non-None id wins.
# The notebook integration registers the notebook-experiment resolver here.
experiment_resolvers: list[Callable[[TrackingClient], str | None]] = []
# Called with no argument when a fluent run is about to start (the notebook lookup is redone).
run_prepare_hooks: list[Callable[[], None]] = []
# Called with (client, run_id) after a fluent run starts and before it ends (notebook capture).
# A start hook returns False when it wrote nothing to the run, which spares start_run reading
# the run back (None counts as "may have written").
run_start_hooks: list[Callable[[TrackingClient, str], bool | None]] = []
run_end_hooks: list[Callable[[TrackingClient, str], bool | None]] = []
