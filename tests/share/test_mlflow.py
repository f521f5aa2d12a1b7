"""Transfers to and from MLflow.

The tag mapping is tested always. The round trips need the ``mlflow`` package
(``pip install mlflow-skinny`` is enough), which the test environment does not install: they
are skipped without it, and run against a real MLflow SQLite store with it.
"""

from __future__ import annotations

import math

import pytest

from labtrack.errors import LabtrackError
from labtrack.share import IMPORTED_FROM
from labtrack.share.mlflow_interop import TAG_MAP, to_labtrack_tags, to_mlflow_tags
from tests.share.conftest import make_run

try:
    import mlflow  # noqa: F401

    HAVE_MLFLOW = True
except ImportError:
    HAVE_MLFLOW = False

needs_mlflow = pytest.mark.skipif(
    not HAVE_MLFLOW, reason="mlflow is not installed (pip install mlflow-skinny to run these)"
)


def test_older_labtrack_tag_names_map_to_mlflow_names():
    tags = {
        "labtrack.runName": "r",
        "labtrack.user": "ana",
        "labtrack.source.name": "train.ipynb",
        "labtrack.source.type": "SCRIPT",
        "labtrack.parentRunId": "p",
        "labtrack.note.content": "# notes",
        "labtrack.notebook.revision": "abc",
        "team": "x",
    }
    mlflow_tags = to_mlflow_tags(tags)
    assert mlflow_tags["mlflow.runName"] == "r"
    assert mlflow_tags["mlflow.user"] == "ana"
    assert mlflow_tags["mlflow.source.name"] == "train.ipynb"
    assert mlflow_tags["mlflow.source.type"] == "LOCAL"  # MLflow's name for a script
    assert mlflow_tags["mlflow.parentRunId"] == "p"
    assert mlflow_tags["mlflow.note.content"] == "# notes"
    assert mlflow_tags["labtrack.notebook.revision"] == "abc"  # no MLflow equivalent
    assert mlflow_tags["team"] == "x"
    # Both sides now use MLflow's names: tags that have them pass unchanged.
    assert to_labtrack_tags(mlflow_tags) == mlflow_tags
    assert to_mlflow_tags(mlflow_tags) == mlflow_tags
    assert all(v.startswith("mlflow.") for v in TAG_MAP.values())


@pytest.mark.skipif(HAVE_MLFLOW, reason="checks the message shown without mlflow")
def test_without_mlflow_the_error_says_what_to_install(source):
    from labtrack.share import export_to_mlflow

    with pytest.raises(LabtrackError, match="pip install"):
        export_to_mlflow(["x"], "sqlite:///nowhere.db", tracking_uri=source.tracking_uri)


@pytest.fixture
def mlflow_uri(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # MLflow's SQLite store puts artifacts under ./mlruns
    return f"sqlite:///{tmp_path / 'mlflow.db'}"


@needs_mlflow
def test_runs_go_to_mlflow_and_come_back(source, target, mlflow_uri):
    from mlflow.tracking import MlflowClient

    from labtrack.share import export_to_mlflow, import_from_mlflow

    parent = make_run(source, name="search")
    child = make_run(source, name="fold", parent=parent)
    out = export_to_mlflow([parent], mlflow_uri, tracking_uri=source.tracking_uri, progress=False)
    mc = MlflowClient(tracking_uri=mlflow_uri)
    m_parent, m_child = mc.get_run(out.mapping[parent]), mc.get_run(out.mapping[child])
    assert m_child.data.tags["mlflow.parentRunId"] == m_parent.info.run_id
    assert m_parent.data.tags["mlflow.runName"] == "search"
    assert m_parent.data.tags[IMPORTED_FROM] == parent
    assert m_parent.data.params == {"alpha": "0.5", "model": "rf"}
    history = mc.get_metric_history(m_parent.info.run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2] and math.isnan(history[2].value)
    files = {f.path for f in mc.list_artifacts(m_parent.info.run_id, "labtrack")}
    assert files == {"labtrack/notebook.ipynb", "labtrack/environment.json"}
    assert m_parent.info.status == "FINISHED"
    again = export_to_mlflow([parent], mlflow_uri, tracking_uri=source.tracking_uri, progress=False)
    assert sorted(again.skipped) == sorted([parent, child])

    back = import_from_mlflow(
        mlflow_uri, ["/Team/churn"], tracking_uri=target.tracking_uri, progress=False
    )
    new_parent = target.get_run(back.mapping[m_parent.info.run_id])
    new_child = target.get_run(back.mapping[m_child.info.run_id])
    assert new_child.data.tags["mlflow.parentRunId"] == new_parent.info.run_id
    assert new_parent.info.run_name == "search"
    assert new_parent.data.tags[IMPORTED_FROM] == m_parent.info.run_id
    # The notebook version went to MLflow as an artifact and came back as the same blob.
    digest = new_parent.data.tags["labtrack.notebook.revision"]
    assert target.store.get_blob(digest) == source.store.get_blob(digest)
    assert target.load_text(new_parent.info.run_id, "notes/summary.txt") == "accuracy 0.93"
    assert not target.list_artifacts(new_parent.info.run_id, "labtrack")
    assert f"run_id: {new_parent.info.run_id}" in target.load_text(
        new_parent.info.run_id, "model/MLmodel"
    )


@needs_mlflow
def test_runs_logged_with_mlflow_import_with_labtrack_tags(target, mlflow_uri):
    import mlflow

    from labtrack.share import import_from_mlflow

    mlflow.set_tracking_uri(mlflow_uri)
    mlflow.set_experiment("mlflow-side")
    with mlflow.start_run(run_name="from-mlflow", description="made in MLflow") as run:
        mlflow.log_param("lr", 0.1)
        for step in range(3):
            mlflow.log_metric("acc", 0.5 + step / 10, step=step)
        mlflow.log_text("hi", "notes/a.txt")
    summary = import_from_mlflow(mlflow_uri, tracking_uri=target.tracking_uri, progress=False)
    new = target.get_run(summary.mapping[run.info.run_id])
    assert new.info.run_name == "from-mlflow"
    assert new.data.tags["mlflow.note.content"] == "made in MLflow"
    assert new.data.tags["mlflow.user"] == run.data.tags["mlflow.user"]
    assert new.data.params == {"lr": "0.1"}
    assert [m.value for m in target.get_metric_history(new.info.run_id, "acc")] == [0.5, 0.6, 0.7]
    assert target.load_text(new.info.run_id, "notes/a.txt") == "hi"
    assert target.get_experiment(new.info.experiment_id).name == "mlflow-side"
