"""Write ``schema-0003.sqlite``: a store as labtrack wrote it at schema ``0003_registry``.

Kept for the record of how the file was made; it was run once with the code of that schema
(before system tags took MLflow's names), and the file is kept as it was written, like
``schema-0001.sqlite``. Running it with today's code would write today's tag names.

    LABTRACK_HOME=/tmp/old python tests/store/data/make_schema_0003.py
    cp /tmp/old/labtrack.db tests/store/data/schema-0003.sqlite

What it holds (``tests/store/test_migration_0004.py`` checks each after the upgrade):

- a script run in Default (user, source type SCRIPT and name, git commit and branch, a note);
- a notebook experiment (type, notebook id, a note) with a parent run and two children, one
  carrying kernel, notebook revision, environment, python version, git dirty, live tags;
- a run with a logged model, registered (log-model history, registered model names);
- an autologged run; a reproduced run; a deleted run;
- a run that has both a labtrack name and the MLflow name of one tag (the user set
  ``mlflow.note.content`` by hand), and a registered model with serving switched on.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LinearRegression

import labtrack
import labtrack.sklearn
from labtrack.entities import RunTag

client = labtrack.MlflowClient()
store = client.store

# A script run in Default.
with labtrack.start_run(run_name="script-run", description="first try") as run:
    labtrack.log_param("alpha", 0.5)
    for step, value in enumerate((0.9, 0.5, 0.3)):
        labtrack.log_metric("rmse", value, step=step)
    labtrack.set_tag("team", "forecast")
script_run = run.info.run_id

# A notebook experiment, as the notebook layer writes it.
exp_id = client.create_experiment(
    "/home/me/work/analysis.ipynb",
    tags={
        "labtrack.experiment.type": "NOTEBOOK",
        "labtrack.notebook.id": "nb-1234",
        "labtrack.note.content": "Experiments of analysis.ipynb",
    },
)
notebook_tags = {
    "labtrack.source.type": "NOTEBOOK",
    "labtrack.source.name": "/home/me/work/analysis.ipynb",
    "labtrack.kernel.id": "k-5678",
    "labtrack.notebook.id": "nb-1234",
    "labtrack.notebook.source": "server",
    "labtrack.notebook.revision": "ab" * 32,
    "labtrack.environment.revision": "cd" * 32,
    "labtrack.python.version": "3.11.9",
    "labtrack.source.git.dirty": "true",
    "labtrack.notebook.live": "true",
}
with labtrack.start_run(experiment_id=exp_id, run_name="sweep", tags=notebook_tags) as parent:
    labtrack.log_param("n_trials", 2)
    for i in range(2):
        with labtrack.start_run(run_name=f"trial-{i}", nested=True, tags=notebook_tags):
            labtrack.log_param("alpha", i / 10)
            labtrack.log_metric("loss", 1 - i / 4)

# A logged and registered model.
model = LinearRegression().fit(np.array([[0.0], [1.0], [2.0]]), np.array([0.0, 1.0, 2.0]))
with labtrack.start_run(run_name="with-model") as run:
    labtrack.sklearn.log_model(model, "model", registered_model_name="linreg")
model_run = run.info.run_id
client.set_registered_model_tag("linreg", "labtrack.serving.enabled", "true")

# Autologged, reproduced, deleted.
with labtrack.start_run(run_name="autologged", tags={"labtrack.autologging": "sklearn"}):
    labtrack.log_param("fit_intercept", "True")
with labtrack.start_run(run_name="again", tags={"labtrack.reproducedFrom": script_run}):
    labtrack.log_param("alpha", 0.5)
with labtrack.start_run(run_name="deleted") as run:
    labtrack.log_param("p", 1)
client.delete_run(run.info.run_id)

# Both names of one tag: the MLflow name, set by hand, wins on upgrade.
with labtrack.start_run(run_name="both-names", description="labtrack note") as run:
    labtrack.set_tag("mlflow.note.content", "mlflow note")
store.log_batch(run.info.run_id, tags=[RunTag("labtrack.user", "someone")], allow_terminated=True)
print("script run", script_run, "model run", model_run)
