"""System tag names: the tags labtrack itself writes on runs and experiments.

Every layer reads them (the store keeps the registry's run tags in step, the UI routes filter on
them), so they live at the bottom with nothing imported.
"""

USER = "labtrack.user"
SOURCE_NAME = "labtrack.source.name"
SOURCE_TYPE = "labtrack.source.type"
GIT_COMMIT = "labtrack.source.git.commit"
GIT_BRANCH = "labtrack.source.git.branch"
PARENT_RUN_ID = "labtrack.parentRunId"
RUN_NAME = "labtrack.runName"
NOTE = "labtrack.note.content"
KERNEL_ID = "labtrack.kernel.id"
# JSON list of the models logged in a run (MLflow's mlflow.log-model.history).
LOGGED_MODELS = "labtrack.log-model.history"
# Names of registered models whose versions come from this run.
REGISTERED_MODELS = "labtrack.registeredModels"
