"""MLflow 3's logged models, as far as a store without them can answer.

MLflow 3 clients search a run's logged models whenever they list or download ``runs:/``
artifacts below the run's root (``MlflowClient.list_artifacts(run_id, "dir")``,
``mlflow.artifacts.load_text("runs:/<run>/notes.txt")``): a 404 there fails the whole call.
labtrack's store keeps no logged models yet, so the honest answer to a search is "none", after
the same checks MLflow's server makes. The other logged-model RPCs (create, get, finalize,
tags, params) join this module when the store has logged models.
"""

from __future__ import annotations

from labtrack.errors import InvalidParameterError
from labtrack.server.mlflow.base import PostRpc
from labtrack.server.mlflow.experiments import positive
from labtrack.server.mlflow.fields import Fields

__all__ = ["SearchLoggedModelsHandler"]


class SearchLoggedModelsHandler(PostRpc):
    """``POST logged-models/search``: no logged models (the store keeps none yet)."""

    async def answer(self, fields: Fields) -> None:
        experiment_ids = fields.strings("experiment_ids")
        if not experiment_ids:
            raise InvalidParameterError(
                "Missing value for required parameter 'experiment_ids': give the experiments "
                "to search."
            )
        for experiment_id in experiment_ids:
            await self.call(self.client.get_experiment, experiment_id)
        positive("max_results", fields.int64("max_results", default=50))
        fields.string("filter")
        fields.string("page_token")
