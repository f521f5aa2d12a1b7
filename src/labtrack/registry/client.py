"""The model registry on ``TrackingClient`` (MLflow's ``MlflowClient`` registry methods).

>>> client = TrackingClient()                                            # doctest: +SKIP
>>> mv = client.create_model_version("churn", f"runs:/{run_id}/model", run_id=run_id)
>>> client.transition_model_version_stage("churn", mv.version, "Production")
>>> client.set_registered_model_alias("churn", "champion", mv.version)

A version's files are always inside the store. ``runs:/<run_id>/<path>`` references the run's
artifact folder (it must hold an ``MLmodel`` file) or, when the run's files have no such folder,
the logged model the run logged under that name (MLflow 3); ``models:/<model_id>`` references a
logged model's files and links the version to it; a path under the store's artifact root is
referenced as it is; any other local folder is copied into ``<artifact root>/models/`` first.
Other URLs (``file://``, ``http://``, an ``s3://`` outside the store) are refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from labtrack import config
from labtrack.entities import LifecycleStage, PagedList, RunTag
from labtrack.entities.logged_model import is_model_id
from labtrack.entities.model_registry import (
    ModelVersion,
    ModelVersionStages,
    ModelVersionTransition,
    RegisteredModel,
)
from labtrack.errors import (
    InvalidParameterError,
    InvalidStateError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from labtrack.registry.model_files import missing_model_files
from labtrack.registry.uri import parse_models_uri, parse_runs_uri
from labtrack.store import artifacts
from labtrack.store.artifacts.filesystems import parse_root
from labtrack.store.artifacts.paths import is_within, safe_artifact_path
from labtrack.utils import registry_validation as check
from labtrack.utils import validation
from labtrack.utils.user import current_user
from labtrack.utils.validation import is_number

if TYPE_CHECKING:
    from labtrack.config import StoreLocation
    from labtrack.entities import Run
    from labtrack.store.contract import TrackingStore

__all__ = ["RegistryClientMixin"]

MLMODEL = "MLmodel"
# A logged model's tag listing the versions registered from it (MLflow's name).
MODEL_VERSIONS_TAG = "mlflow.modelVersions"


def logged_model_id(uri: str) -> str | None:
    """The id in ``models:/<model_id>`` (a logged model), else ``None``.

    >>> logged_model_id("models:/m-0123456789abcdef0123456789abcdef")
    'm-0123456789abcdef0123456789abcdef'
    >>> logged_model_id("models:/churn/1") is None
    True
    """
    if not uri.lower().startswith("models:"):
        return None
    rest = uri[len("models:") :].strip("/")
    return rest if is_model_id(rest) else None


def _tags(tags: dict[str, Any] | None) -> list[RunTag]:
    return [RunTag(str(k), "" if v is None else str(v)) for k, v in (tags or {}).items()]


class RegistryClientMixin:
    """Registry calls for :class:`~labtrack.tracking.client.TrackingClient` (it inherits this)."""

    location: StoreLocation
    _registry_uri: str | None = None
    _registry_checked: str | None = None

    @property
    def _registry_store(self) -> TrackingStore:
        """The store holding the registry: always the tracking store (labtrack keeps one).

        A registry URI (``MlflowClient(registry_uri=...)``, ``set_registry_uri``,
        ``MLFLOW_REGISTRY_URI``) naming another store is refused with what to do.
        """
        uri = self._registry_uri or config.registry_uri_set()
        if uri is not None and uri != self._registry_checked:
            try:
                same = config.resolve(uri).tracking_uri == self.location.tracking_uri
            except InvalidParameterError:
                same = False
            if not same:
                raise InvalidParameterError(
                    f"The registry URI {uri!r} names another store than the tracking store "
                    f"({self.location.tracking_uri}). labtrack keeps registered models in the "
                    "tracking store: unset the registry URI (set_registry_uri(None), "
                    "MLFLOW_REGISTRY_URI) or set it to the tracking URI."
                )
            self._registry_checked = uri
        return self.store

    if TYPE_CHECKING:

        @property
        def store(self) -> TrackingStore: ...

        def get_run(self, run_id: str) -> Run: ...

    # -- registered models -------------------------------------------------------------------
    def create_registered_model(
        self, name: str, tags: dict[str, Any] | None = None, description: str | None = None
    ) -> RegisteredModel:
        return self._registry_store.create_registered_model(name, _tags(tags), description)

    def get_registered_model(self, name: str) -> RegisteredModel:
        return self._registry_store.get_registered_model(name)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """Registered models matching ``"name LIKE '%churn%'"`` (``tags.<key>`` works too)."""
        return self._registry_store.search_registered_models(
            filter_string, max_results, order_by, page_token
        )

    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        return self._registry_store.rename_registered_model(name, new_name)

    def update_registered_model(self, name: str, description: str | None = None) -> RegisteredModel:
        return self._registry_store.update_registered_model(name, description)

    def delete_registered_model(self, name: str) -> None:
        """Delete the model with all its versions, tags and aliases (files stay in the store)."""
        self._registry_store.delete_registered_model(name)

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        self._registry_store.set_registered_model_tag(name, RunTag(key, str(value)))

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._registry_store.delete_registered_model_tag(name, key)

    # -- versions ----------------------------------------------------------------------------
    def create_model_version(
        self,
        name: str,
        source: str | os.PathLike[str],
        run_id: str | None = None,
        tags: dict[str, Any] | None = None,
        run_link: str | None = None,
        description: str | None = None,
        await_creation_for: int = 300,
        *,
        user_id: str | None = None,
        create_model: bool = False,
    ) -> ModelVersion:
        """A new version of the registered model ``name`` (which must exist, or with
        ``create_model=True`` is created, as ``register_model`` does).

        ``source`` is ``runs:/<run_id>/<path>``, ``models:/...`` (another version's files), a
        location under the store's artifact root, or a local model folder (copied into the
        store). Registration is synchronous, so ``await_creation_for`` is accepted and unused.
        Every argument is checked before the registered model is created: a refused call
        leaves no empty model behind.
        """
        name = check.model_name(name)
        if not create_model:  # a clear error before anything is copied
            self._registry_store.get_registered_model(name)
        version_tags = _tags(tags)
        for tag in version_tags:
            check.tag_value(check.tag_key(tag.key), tag.value)
        text = check.description(description)
        stored, source_run, model_id = self._store_source(name, source, run_id)
        if create_model:  # it may exist already, or a concurrent call may just have made it
            with contextlib.suppress(ResourceAlreadyExistsError):
                self._registry_store.create_registered_model(name, None, None)
        version = self._registry_store.create_model_version(
            name,
            stored,
            run_id or source_run,
            version_tags,
            text,
            user_id or current_user(),
            model_id,
        )
        if model_id is not None:
            self._link_logged_model(model_id, version)
        return version

    def _link_logged_model(self, model_id: str, version: ModelVersion) -> None:
        """Add the version to the logged model's ``mlflow.modelVersions`` tag (MLflow's link)."""
        model = self.store.get_logged_model(model_id, allow_deleted=True)
        try:
            linked = json.loads(model.tags.get(MODEL_VERSIONS_TAG, "[]"))
        except ValueError:
            linked = []
        linked.append({"name": version.name, "version": version.version})
        self.store.set_logged_model_tags(model_id, {MODEL_VERSIONS_TAG: json.dumps(linked)})

    def create_model_version_from_run(
        self,
        name: str,
        run_id: str,
        path: str,
        tags: dict[str, Any] | None = None,
        description: str | None = None,
        *,
        user_id: str | None = None,
        create_model: bool = False,
    ) -> ModelVersion:
        """A new version from the model folder ``path`` inside a run's artifacts.

        What the REST API offers: the path must stay inside the run's artifacts (no ``..``,
        absolute paths, URLs or symlinks out) and hold an ``MLmodel`` file. With
        ``create_model=True`` a missing registered model is created, as ``register_model``
        does, but only once every argument has been checked: a refused request leaves no
        empty model behind, and concurrent first registrations all succeed.
        """

        if not isinstance(run_id, str) or not run_id:
            raise InvalidParameterError("run_id is required: the run that logged the model.")
        rel = safe_artifact_path(path)
        if not create_model:
            return self.create_model_version(
                name, f"runs:/{run_id}/{rel}", run_id, tags, None, description, user_id=user_id
            )
        name, text = check.model_name(name), check.description(description)
        version_tags = _tags(tags)
        for tag in version_tags:
            check.tag_value(check.tag_key(tag.key), tag.value)
        source = f"runs:/{validation.run_id(run_id)}/{rel}"
        stored, source_run, model_id = self._run_source(source, run_id)
        # It may exist already, or a concurrent request may just have created it.
        with contextlib.suppress(ResourceAlreadyExistsError):
            self._registry_store.create_registered_model(name, None, None)
        version = self._registry_store.create_model_version(
            name, stored, source_run, version_tags, text, user_id or current_user(), model_id
        )
        if model_id is not None:
            self._link_logged_model(model_id, version)
        return version

    def copy_model_version(self, src_model_uri: str, dst_name: str) -> ModelVersion:
        """Copy the version ``src_model_uri`` names (``models:/<name>/<version>``, ``@alias``,
        ``/<stage>``) into the registered model ``dst_name`` (created if missing) as its next
        version: the same files, run, tags and description (MLflow's rule).

        >>> client.copy_model_version("models:/churn@champion", "churn-prod")  # doctest: +SKIP
        """
        if urlparse(str(src_model_uri)).scheme.lower() != "models":
            raise InvalidParameterError(
                f"copy_model_version copies a registered version: give models:/<name>/<version> "
                f"(or models:/<name>@<alias>); got {src_model_uri!r}."
            )
        src = self.resolve_model_version(*parse_models_uri(src_model_uri))
        dst_name = check.model_name(dst_name)
        with contextlib.suppress(ResourceAlreadyExistsError):  # then a new version of it
            self.create_registered_model(dst_name)
        return self.create_model_version(
            dst_name,
            f"models:/{src.name}/{src.version}",
            src.run_id,
            dict(src.tags or {}),
            description=src.description,
        )

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        return self._registry_store.get_model_version(name, version)

    def get_model_version_download_uri(self, name: str, version: int | str) -> str:
        """Where the version's files are in the store."""
        return self.get_model_version(name, version).source

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10_000,
        order_by: Sequence[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """Versions matching ``"name = 'churn'"`` or ``"run_id = '...'"`` (and tags, stages)."""
        return self._registry_store.search_model_versions(
            filter_string, max_results, order_by, page_token
        )

    def update_model_version(
        self, name: str, version: int | str, description: str | None = None
    ) -> ModelVersion:
        return self._registry_store.update_model_version(name, version, description)

    def delete_model_version(self, name: str, version: int | str) -> None:
        """Delete a version; its number is never given to another version."""
        self._registry_store.delete_model_version(name, version)

    def transition_model_version_stage(
        self,
        name: str,
        version: int | str,
        stage: str,
        archive_existing_versions: bool = False,
        *,
        user_id: str | None = None,
    ) -> ModelVersion:
        """Move a version to None, Staging, Production or Archived (recorded with who and when).

        ``archive_existing_versions=True`` archives the other versions in that stage.
        """
        return self._registry_store.transition_model_version_stage(
            name,
            version,
            stage,
            bool(archive_existing_versions),
            user_id or current_user(),
        )

    def get_latest_versions(
        self, name: str, stages: Sequence[str] | None = None
    ) -> list[ModelVersion]:
        """The newest version in each of ``stages`` (default: every stage)."""
        if isinstance(stages, str):
            stages = [stages]
        return self._registry_store.get_latest_versions(name, stages)

    def get_model_version_transitions(
        self, name: str, version: int | str
    ) -> list[ModelVersionTransition]:
        """The stage changes of a version, oldest first."""
        return self._registry_store.get_model_version_transitions(name, version)

    def set_model_version_tag(self, name: str, version: int | str, key: str, value: Any) -> None:
        self._registry_store.set_model_version_tag(name, version, RunTag(key, str(value)))

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        self._registry_store.delete_model_version_tag(name, version, key)

    # -- aliases -----------------------------------------------------------------------------
    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        self._registry_store.set_registered_model_alias(name, alias, version)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._registry_store.delete_registered_model_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        return self._registry_store.get_model_version_by_alias(name, alias)

    # -- models:/ URIs -----------------------------------------------------------------------
    def resolve_model_version(self, name: str, ref: str) -> ModelVersion:
        """The version ``ref`` names: ``3``, a stage, ``latest``, or ``@alias``."""
        if ref.startswith("@"):
            return self.get_model_version_by_alias(name, ref[1:])
        if is_number(ref):
            return self.get_model_version(name, ref)
        if ref.lower() == "latest":
            found = self.get_latest_versions(name)
        elif ModelVersionStages.is_stage(ref):
            found = self.get_latest_versions(name, [ref])
        else:
            raise InvalidParameterError(
                f"{ref!r} in models:/{name}/{ref} is not a version number, a stage "
                f"({', '.join(ModelVersionStages.ALL)}) or 'latest'; an alias is written "
                f"models:/{name}@{ref}."
            )
        if not found:
            raise ResourceNotFoundError(
                f"Registered model {name!r} has no version in stage {ref!r}. Move one there "
                f"with transition_model_version_stage({name!r}, <version>, {ref!r})."
                if ref.lower() != "latest"
                else f"Registered model {name!r} has no versions yet."
            )
        return max(found, key=lambda v: v.version)

    def download_model_version(self, model_uri: str, dst_path: str | None = None) -> str:
        """A local folder with the files of the version (or logged model) a ``models:/`` URI
        names."""
        model_id = logged_model_id(model_uri)
        if model_id is not None:
            return self._download_source(
                self.store.get_logged_model(model_id).artifact_location, dst_path
            )
        name, ref = parse_models_uri(model_uri)
        return self._download_source(self.resolve_model_version(name, ref).source, dst_path)

    def _download_source(self, source: str, dst_path: str | None) -> str:

        loc = parse_root(source)
        if loc.is_local and dst_path is None:
            if not os.path.isdir(loc.path):
                raise ResourceNotFoundError(
                    f"The files of this model version are gone from the store ({source})."
                )
            return loc.path  # read in place: the store's files are not changed by loading
        import tempfile

        dst = dst_path or tempfile.mkdtemp(prefix="labtrack-model-")
        os.makedirs(dst, exist_ok=True)
        return artifacts.ArtifactRepository(source).download_artifacts("", dst)

    # -- where a version's files live --------------------------------------------------------
    def _store_source(
        self, name: str, source: str | os.PathLike[str], run_id: str | None
    ) -> tuple[str, str | None, str | None]:
        """(location inside the store, run id it came from, logged model id) for a caller's
        ``source``."""
        text = os.fspath(source) if isinstance(source, os.PathLike) else source
        if not isinstance(text, str) or not text:
            raise InvalidParameterError(
                "source is required: runs:/<run_id>/<path>, or a local model folder."
            )
        scheme = urlparse(text).scheme.lower()
        if scheme == "runs":
            return self._run_source(text, run_id)
        if scheme == "models":
            model_id = logged_model_id(text)
            if model_id is not None:
                model = self.store.get_logged_model(model_id)
                self._require_mlmodel(model.artifact_location, text)
                return model.artifact_location, model.source_run_id, model_id
            src = self.resolve_model_version(*parse_models_uri(text))
            return src.source, src.run_id, src.model_id
        inside = self._inside_artifact_root(text)
        if inside is not None:
            self._require_mlmodel(inside, text)
            return inside, None, None
        if len(scheme) > 1:
            raise InvalidParameterError(
                f"Cannot register {text!r}: a model version's files must be inside the store "
                f"(artifact root {self.location.artifact_root}). Log the model into a run and "
                "register runs:/<run_id>/<path>, or give a local model folder (it is copied "
                "into the store)."
            )
        return self._copy_into_store(name, Path(text).expanduser()), None, None

    def _run_source(self, uri: str, run_id: str | None) -> tuple[str, str, str | None]:
        rid, path = parse_runs_uri(uri)
        if run_id is not None and run_id != rid:
            raise InvalidParameterError(
                f"run_id {run_id!r} differs from the run in the source {uri!r}; give one."
            )

        run = self.get_run(rid)
        if run.info.lifecycle_stage != LifecycleStage.ACTIVE:
            raise InvalidStateError(
                f"Run {rid} is deleted; restore it with restore_run() before registering its model."
            )
        root = run.info.artifact_uri.rstrip("/")
        # Checked from the run's root, so a symlink cannot lead the path out of it.
        if not artifacts.ArtifactRepository(root).exists(f"{path}/{MLMODEL}" if path else MLMODEL):
            # MLflow 3 keeps a logged model's files with the model: runs:/<run>/<name> is the
            # model the run logged under that name.
            logged = [
                m for m in self.store.logged_models_of_runs([rid]).get(rid, []) if m.name == path
            ]
            if logged:
                model = logged[-1]
                self._require_mlmodel(model.artifact_location, uri)
                return model.artifact_location, rid, model.model_id
            raise InvalidParameterError(
                f"{uri!r} is not a saved model: there is no {MLMODEL} file at {path or 'the'} "
                f"{'in' if path else 'root of'} run {rid}'s artifacts. Give the folder "
                "log_model wrote (for example runs:/<run_id>/model)."
            )
        _require_complete(artifacts.ArtifactRepository(root), path, uri)
        return (f"{root}/{path}" if path else root), rid, None

    def _inside_artifact_root(self, text: str) -> str | None:
        """``text`` normalised if it names a place under the store's artifact root."""

        root = parse_root(self.location.artifact_root)
        if root.is_local:
            if urlparse(text).scheme.lower() == "file":
                return None  # file:// URLs are refused; a plain path is the way to say it
            real_root = os.path.realpath(root.path)
            real = os.path.realpath(os.path.abspath(os.path.expanduser(text)))
            return real if is_within(real, real_root) and real != real_root else None
        prefix = root.uri.rstrip("/") + "/"
        if not text.startswith(prefix):
            return None
        rest = safe_artifact_path(text[len(prefix) :])
        return prefix + rest if rest else None

    @staticmethod
    def _require_mlmodel(location: str, shown: str) -> None:

        repo = artifacts.ArtifactRepository(location)
        if not repo.exists(MLMODEL):
            raise InvalidParameterError(
                f"{shown!r} is not a saved model: there is no {MLMODEL} file in it. Give the "
                "folder log_model wrote (for example runs:/<run_id>/model)."
            )
        _require_complete(repo, "", shown)

    def _copy_into_store(self, name: str, folder: Path) -> str:

        if not folder.is_dir():
            raise InvalidParameterError(
                f"Cannot register {str(folder)!r}: no such folder. Give runs:/<run_id>/<path> "
                "or the folder save_model wrote."
            )
        if not (folder / MLMODEL).is_file():
            raise InvalidParameterError(
                f"{str(folder)!r} is not a saved model: there is no {MLMODEL} file in it."
            )
        _require_complete(artifacts.ArtifactRepository(str(folder)), "", str(folder))
        root = self.location.artifact_root.rstrip("/")
        target = f"{root}/models/{check.path_slug(name)}/{uuid.uuid4().hex}"
        artifacts.ArtifactRepository(target).log_artifacts(str(folder))
        return target


def _require_complete(repo: artifacts.ArtifactRepository, folder: str, shown: str) -> None:
    """Refuse a model folder whose ``MLmodel`` names files that are not there (a model log
    killed mid-way by an older labtrack, or a folder copied in part)."""
    missing = missing_model_files(repo, folder)
    if missing:
        raise InvalidParameterError(
            f"{shown!r} is not a complete saved model: its {MLMODEL} names "
            f"{', '.join(repr(m) for m in missing[:5])}, which "
            f"{'is' if len(missing) == 1 else 'are'} not in the folder (a model log that was "
            "interrupted leaves this). Log the model again and register the new folder."
        )
