"""Routes for MLflow 3's logged models: one model, and its files (list and read), which live
with the model (``<experiment>/models/<model_id>/artifacts``), not in a run's artifacts.
A run's own models come with the run (``GET runs/{run_id}``)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from labtrack.errors import InvalidParameterError
from labtrack.server.base import LabtrackHandler
from labtrack.server.run_details import stream_artifact
from labtrack.server.serialize import logged_model_json
from labtrack.store.artifacts import ArtifactRepository
from labtrack.store.artifacts.paths import safe_artifact_path


class LoggedModelHandler(LabtrackHandler):
    """``GET logged-models/{model_id}``: one logged model with params, tags, linked metrics."""

    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        model = await self.call(self.client.get_logged_model, model_id)
        self.write_json(logged_model_json(model))


class LoggedModelArtifactsHandler(LabtrackHandler):
    """``GET logged-models/{model_id}/artifacts?path=``: one folder level of the model's files."""

    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        path = safe_artifact_path(self.arg("path") or "")
        files = await self.call(self.client.list_logged_model_artifacts, model_id, path or None)
        self.write_json({"path": path, "files": [f.to_dict() for f in files]})


class LoggedModelArtifactFileHandler(LabtrackHandler):
    """``GET logged-models/{model_id}/artifacts/file?path=``: one of the model's files."""

    @web.authenticated
    @authorized
    async def get(self, model_id: str) -> None:
        path = safe_artifact_path(self.arg("path") or "")
        if not path:
            raise InvalidParameterError("Give the file's path inside the model: ?path=MLmodel")
        model = await self.call(self.client.get_logged_model, model_id)
        await stream_artifact(self, ArtifactRepository(model.artifact_location), path)
