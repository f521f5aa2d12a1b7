"""System tag names: the tags labtrack itself writes on runs, experiments and models.

Every tag MLflow defines has MLflow's name (``mlflow.utils.mlflow_tags``), so MLflow code that
reads or filters them (``tags.mlflow.parentRunId = '...'``, the ``tags.mlflow.runName`` column
of ``search_runs``, ``mlflow.note.content`` for a description) works unchanged. ``labtrack.*``
names are only for what MLflow has no name for: notebook revisions, kernels, reproductions.

Every layer reads them (the store keeps the registry's run tags in step, the UI routes filter on
them), so they live at the bottom with nothing imported.
"""

from __future__ import annotations

# -- MLflow's names -----------------------------------------------------------------------------
RUN_NAME = "mlflow.runName"
PARENT_RUN_ID = "mlflow.parentRunId"
USER = "mlflow.user"
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
GIT_COMMIT = "mlflow.source.git.commit"
GIT_BRANCH = "mlflow.source.git.branch"
GIT_REPO_URL = "mlflow.source.git.repoURL"
GIT_DIRTY = "mlflow.source.git.dirty"
# A run's (or an experiment's) description, Markdown.
NOTE = "mlflow.note.content"
# JSON list of the models logged in a run.
LOGGED_MODELS = "mlflow.log-model.history"
# The integration that created a run ("sklearn").
AUTOLOGGING = "mlflow.autologging"
# JSON list of {"path", "type"} of tables a run logged (log_table).
LOGGED_ARTIFACTS = "mlflow.loggedArtifacts"
# Set to "true" on a run that logged images with a key and step (log_image(key=, step=)).
LOGGED_IMAGES = "mlflow.loggedImages"
# Experiment tag: what made the experiment ("NOTEBOOK" for a notebook's own experiment).
EXPERIMENT_SOURCE_TYPE = "mlflow.experiment.sourceType"

# MLflow's constant names, for code that imports them as MLflow spells them.
MLFLOW_RUN_NAME = RUN_NAME
MLFLOW_PARENT_RUN_ID = PARENT_RUN_ID
MLFLOW_USER = USER
MLFLOW_SOURCE_NAME = SOURCE_NAME
MLFLOW_SOURCE_TYPE = SOURCE_TYPE
MLFLOW_GIT_COMMIT = GIT_COMMIT
MLFLOW_GIT_BRANCH = GIT_BRANCH
MLFLOW_GIT_REPO_URL = GIT_REPO_URL
MLFLOW_GIT_DIRTY = GIT_DIRTY
MLFLOW_RUN_NOTE = NOTE
MLFLOW_LOGGED_MODELS = LOGGED_MODELS
MLFLOW_AUTOLOGGING = AUTOLOGGING
MLFLOW_LOGGED_ARTIFACTS = LOGGED_ARTIFACTS
MLFLOW_LOGGED_IMAGES = LOGGED_IMAGES
MLFLOW_EXPERIMENT_SOURCE_TYPE = EXPERIMENT_SOURCE_TYPE


class SourceType:
    """Values of ``mlflow.source.type`` (MLflow's ``SourceType`` names)."""

    NOTEBOOK = "NOTEBOOK"
    JOB = "JOB"
    PROJECT = "PROJECT"
    LOCAL = "LOCAL"
    UNKNOWN = "UNKNOWN"


# -- labtrack's own -----------------------------------------------------------------------------
# The kernel a run was started from: the server ends the run as KILLED if that kernel dies.
KERNEL_ID = "labtrack.kernel.id"
NOTEBOOK_ID = "labtrack.notebook.id"
# How the notebook was identified ("server", "session"...), so a wrong answer can be traced.
NOTEBOOK_SOURCE = "labtrack.notebook.source"
NOTEBOOK_REVISION = "labtrack.notebook.revision"
NOTEBOOK_LIVE = "labtrack.notebook.live"
NOTEBOOK_CAPTURE_ERROR = "labtrack.notebook.capture_error"
ENVIRONMENT_REVISION = "labtrack.environment.revision"
PYTHON_VERSION = "labtrack.python.version"
# The run this one re-ran (labtrack.reproduce_run).
REPRODUCED_FROM = "labtrack.reproducedFrom"
# The run id a run had in the store it was imported from (bundles, MLflow transfers).
IMPORTED_FROM = "labtrack.importedFrom"
# JSON list of the registered models whose versions come from this run.
REGISTERED_MODELS = "labtrack.registeredModels"
# Registered-model tag: "true" keeps a serving endpoint up for the model.
SERVING_ENABLED = "labtrack.serving.enabled"

# -- names labtrack wrote before it used MLflow's ------------------------------------------------
# Stores are migrated (store/sql/migrations/versions/0004_mlflow_tags.py, which keeps its own
# copy); bundles written before are mapped when they are imported.
LEGACY_NAMES = {
    "labtrack.runName": RUN_NAME,
    "labtrack.parentRunId": PARENT_RUN_ID,
    "labtrack.user": USER,
    "labtrack.source.name": SOURCE_NAME,
    "labtrack.source.type": SOURCE_TYPE,
    "labtrack.source.git.commit": GIT_COMMIT,
    "labtrack.source.git.branch": GIT_BRANCH,
    "labtrack.source.git.dirty": GIT_DIRTY,
    "labtrack.note.content": NOTE,
    "labtrack.log-model.history": LOGGED_MODELS,
    "labtrack.autologging": AUTOLOGGING,
    "labtrack.experiment.type": EXPERIMENT_SOURCE_TYPE,
}
# labtrack called a script run SCRIPT; MLflow calls it LOCAL.
LEGACY_SOURCE_TYPES = {"SCRIPT": SourceType.LOCAL}


def modern_tags(tags: dict[str, str]) -> dict[str, str]:
    """``tags`` with every old ``labtrack.*`` system name replaced by MLflow's.

    Where both names are present the MLflow one wins (it was set on purpose).

    >>> modern_tags({"labtrack.runName": "a", "labtrack.source.type": "SCRIPT"})
    {'mlflow.runName': 'a', 'mlflow.source.type': 'LOCAL'}
    """
    out = {k: v for k, v in tags.items() if k not in LEGACY_NAMES}
    for old, new in LEGACY_NAMES.items():
        if old in tags and new not in tags:
            out[new] = tags[old]
    if out.get(SOURCE_TYPE) in LEGACY_SOURCE_TYPES and SOURCE_TYPE not in tags:
        out[SOURCE_TYPE] = LEGACY_SOURCE_TYPES[out[SOURCE_TYPE]]
    return out
